package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a hostile or broken server can send: random and mutated bytes into the chunk reader and the AMF0
 * decoder give messages or an IOException, never another exception, a hang or unbounded memory.
 * (A seeded mutation loop; the module carries no fuzzing dependency.)
 */
class ParserRobustnessTest {
    @Test void chunkReaderSurvivesMutatedStreams() {
        Random r = new Random(1);
        ByteSink good = new ByteSink(16);
        ChunkWriter w = new ChunkWriter();
        for (int i = 0; i < 40; i++) {
            byte[] p = new byte[r.nextInt(600)];
            r.nextBytes(p);
            w.write(good, 2 + r.nextInt(6), 1 + r.nextInt(20), r.nextInt(3), i * 40L + (i == 7 ? 0x1000000L : 0), p, 0, p.length);
        }
        byte[] base = good.toByteArray();
        int errors = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] b = base.clone();
            for (int k = 0, n = 1 + r.nextInt(8); k < n; k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            if (round % 10 == 0) { b = new byte[r.nextInt(4000)]; r.nextBytes(b); }
            ChunkReader reader = new ChunkReader(64 * 1024);
            try {
                for (int i = 0; i < b.length; ) {
                    int n = Math.min(b.length - i, 1 + r.nextInt(500));
                    reader.feed(b, i, n);
                    i += n;
                    while (reader.next() != null) { }
                }
            } catch (IOException e) {
                errors++;
            }
        }
        assertTrue(errors > 100, "mutations are noticed: " + errors);
    }

    @Test void amf0DecoderSurvivesMutatedCommands() {
        Random r = new Random(2);
        ByteSink good = new ByteSink(16);
        Amf0.write(good, "_result", 1, Map.of("fmsVer", "FMS/3,0,1,123", "capabilities", 31.0),
                Map.of("level", "status", "code", "NetConnection.Connect.Success", "data", new Amf0.EcmaArray(Map.of("version", "3,5,7"))),
                java.util.List.of(1.0, "x", Map.of()));
        byte[] base = good.toByteArray();
        int errors = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] b = base.clone();
            for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            int len = r.nextInt(b.length + 1);
            try {
                Amf0.decodeAll(b, 0, len);
            } catch (IOException e) {
                errors++;
            }
        }
        assertTrue(errors > 1000, "mutations are noticed: " + errors);
    }
}
