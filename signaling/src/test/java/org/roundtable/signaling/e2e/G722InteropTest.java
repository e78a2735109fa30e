package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.roundtable.mixer.G722;

/** Our G.722 against FFmpeg's, both directions: what one encodes, the other decodes at the right level. */
class G722InteropTest {
    static double amplitude(short[] x, int from, double hz) {
        double w = 2 * Math.PI * hz / 16000, c = 2 * Math.cos(w), s1 = 0, s2 = 0;
        for (int i = from; i < x.length; i++) { double s = x[i] + c * s1 - s2; s2 = s1; s1 = s; }
        return 2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / (x.length - from);
    }

    static void ffmpeg(String... args) throws Exception {
        Process p = FfmpegBinary.command(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @Test void interoperatesWithFfmpeg() throws Exception {
        Path dir = Files.createTempDirectory("rt-g722");
        // FFmpeg encodes (its sine is 1/8 of full scale: 4096), we decode
        ffmpeg("-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=16000", "-t", "2",
                "-c:a", "g722", "-f", "g722", dir.resolve("ff.g722").toString());
        byte[] in = Files.readAllBytes(dir.resolve("ff.g722"));
        short[] pcm = new short[in.length * 2];
        new G722().decode(in, 0, in.length, pcm);
        assertEquals(4096, amplitude(pcm, 8000, 1000), 200, "FFmpeg -> ours");
        // we encode, FFmpeg decodes
        short[] src = new short[32000];
        for (int i = 0; i < src.length; i++) src[i] = (short) (6000 * Math.sin(2 * Math.PI * 1500 * i / 16000.0));
        byte[] enc = new byte[16000];
        new G722().encode(src, src.length, enc);
        Files.write(dir.resolve("ours.g722"), enc);
        ffmpeg("-hide_banner", "-loglevel", "error", "-y", "-f", "g722", "-i", dir.resolve("ours.g722").toString(),
                "-f", "s16le", "-ar", "16000", "-ac", "1", dir.resolve("ours.raw").toString());
        ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("ours.raw"))).order(ByteOrder.LITTLE_ENDIAN);
        short[] back = new short[bb.remaining() / 2];
        bb.asShortBuffer().get(back);
        assertEquals(6000, amplitude(back, 8000, 1500), 300, "ours -> FFmpeg");
    }
}
