package org.roundtable.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TestProgramTest {
    @Test void parsesTheFfmpegProgram() throws Exception {
        TestProgram p = TestProgram.make(4);
        long video = p.frames.stream().filter(LiveFrame::video).count();
        long keys = p.frames.stream().filter(f -> f.video() && f.key()).count();
        long audio = p.frames.stream().filter(f -> !f.video()).count();
        assertEquals(120, video);
        assertEquals(2, keys, "a key frame every 2 s");
        assertTrue(p.frames.get(0).key() || !p.frames.get(0).video());
        assertTrue(audio >= 185 && audio <= 190, "4 s of 1024-sample frames at 48 kHz: " + audio);
        assertEquals(0x67, p.tracks.sps()[0] & 0xff);
        assertEquals(0x68, p.tracks.pps()[0] & 0xff);
        assertEquals(48000, p.tracks.sampleRate());
        assertEquals(1, p.tracks.channels());
        assertEquals(0x11, p.tracks.audioSpecificConfig()[0] & 0xff);   // AAC-LC, 48 kHz: 00010 0011 0001 000
        assertEquals(0x88, p.tracks.audioSpecificConfig()[1] & 0xff);
    }
}
