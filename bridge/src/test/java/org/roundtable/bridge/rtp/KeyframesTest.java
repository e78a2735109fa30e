package org.roundtable.bridge.rtp;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class KeyframesTest {
    @Test void vp8() {
        // X=1 S=1 PID=0 | I=1 | 15-bit picture id | VP8 header P=0 (key frame)
        byte[] key = {(byte) 0x90, (byte) 0x80, (byte) 0x81, 0x23, 0x10, 0, 0};
        assertTrue(Keyframes.vp8Keyframe(key, 0, key.length));
        byte[] delta = key.clone(); delta[4] = 0x11;                 // P=1
        assertFalse(Keyframes.vp8Keyframe(delta, 0, delta.length));
        byte[] notStart = key.clone(); notStart[0] = (byte) 0x80;    // S=0
        assertFalse(Keyframes.vp8Keyframe(notStart, 0, notStart.length));
        byte[] simple = {0x10, 0x00};                                 // no X, S=1, key frame
        assertTrue(Keyframes.vp8Keyframe(simple, 0, simple.length));
        assertFalse(Keyframes.vp8Keyframe(new byte[] {(byte) 0x90, (byte) 0x80}, 0, 2), "truncated");
    }

    @Test void h264() {
        assertTrue(Keyframes.h264Keyframe(new byte[] {0x65, 1}, 0, 2), "IDR slice");
        assertTrue(Keyframes.h264Keyframe(new byte[] {0x67, 1}, 0, 2), "SPS");
        assertFalse(Keyframes.h264Keyframe(new byte[] {0x41, 1}, 0, 2), "non-IDR slice");
        byte[] stap = {0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0x01};     // STAP-A with SPS, PPS
        assertTrue(Keyframes.h264Keyframe(stap, 0, stap.length));
        byte[] badStap = {0x78, 0, 50, 0x67};
        assertFalse(Keyframes.h264Keyframe(badStap, 0, badStap.length));
        assertTrue(Keyframes.h264Keyframe(new byte[] {0x7C, (byte) 0x85}, 0, 2), "FU-A start of IDR");
        assertFalse(Keyframes.h264Keyframe(new byte[] {0x7C, 0x45}, 0, 2), "FU-A end of IDR");
    }
}
