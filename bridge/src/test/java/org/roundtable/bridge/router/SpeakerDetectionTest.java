package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.rtp.Keyframes;

/** Dominant speaker from RFC 6464 levels, on hand-built packets and a manual clock. */
class SpeakerDetectionTest {
    static MediaSource source(Conference c, String owner, int ssrc) {
        MediaSource s = new MediaSource(owner + "-a", owner, "0", MediaKind.AUDIO, Keyframes.Codec.OPUS, 48000, 111, -1, ssrc, 0, x -> {}, false);
        s.audioLevelExtId = 1;
        c.addSource(s);
        return s;
    }

    /** An Opus packet with a one-byte audio-level extension (id 1) of the given -dBov. */
    static ByteBuf packet(int ssrc, int seq, int dbov) {
        byte[] b = new byte[12 + 8 + 10];
        b[0] = (byte) 0x90; b[1] = 111;
        b[2] = (byte) (seq >> 8); b[3] = (byte) seq;
        b[8] = (byte) (ssrc >> 24); b[9] = (byte) (ssrc >> 16); b[10] = (byte) (ssrc >> 8); b[11] = (byte) ssrc;
        b[12] = (byte) 0xBE; b[13] = (byte) 0xDE; b[14] = 0; b[15] = 1;
        b[16] = 0x10; b[17] = (byte) (0x80 | dbov);
        return Unpooled.wrappedBuffer(b);
    }

    @Test void loudestSustainedSpeakerWinsAndSilenceClears() {
        Conference c = new Conference("c");
        MediaSource a = source(c, "ann", 1), b = source(c, "ben", 2);
        List<String> events = new ArrayList<>();
        c.addSpeakerListener(events::add);
        long t = 1000;
        int seq = 0;
        for (int tick = 0; tick < 10; tick++) {           // 2 s: Ann talks (-20 dBov), Ben is quiet (-110)
            for (int i = 0; i < 10; i++, t += 20, seq++) {
                ByteBuf pa = packet(1, seq, 20), pb = packet(2, seq, 110);
                a.route(pa, 0, pa.readableBytes(), 20, t, false);
                b.route(pb, 0, pb.readableBytes(), 20, t, false);
            }
            c.detectSpeaker(t);
        }
        assertEquals(List.of("ann"), events);
        // a single loud packet from Ben does not steal the stage
        ByteBuf cough = packet(2, seq++, 5);
        b.route(cough, 0, cough.readableBytes(), 20, t, false);
        c.detectSpeaker(t);
        t += 200;
        for (int i = 0; i < 10; i++, t += 20, seq++) { ByteBuf pa = packet(1, seq, 20); a.route(pa, 0, pa.readableBytes(), 20, t, false); }
        c.detectSpeaker(t);
        assertEquals("ann", c.dominantSpeaker());
        // then everyone is silent for long enough
        for (int tick = 0; tick < 20; tick++) { t += 200; c.detectSpeaker(t); }  // 1.5 s window + 2 s of silence
        assertNull(c.dominantSpeaker());
        assertEquals(2, events.size());
        // a paused (muted) source never speaks
        a.setPaused(true, t);
        for (int i = 0; i < 20; i++, t += 20, seq++) { ByteBuf pa = packet(1, seq, 5); a.route(pa, 0, pa.readableBytes(), 20, t, false); }
        for (int tick = 0; tick < 3; tick++) { t += 100; c.detectSpeaker(t); }
        assertNull(c.dominantSpeaker());
    }
}
