package org.roundtable.bench.jmh;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.AudioMixer;

/**
 * One 20 ms mixer tick with N participants, each both an input (Opus) and a listener (Opus, complexity
 * 5, hearing everyone but themselves). Participants per core = N x 20 ms / (time per tick).
 * levels=rfc6464: senders give RFC 6464 levels (browsers do), so only the loudest three are decoded;
 * levels=none: every input is decoded to measure it (e.g. phones without the extension).
 * Three participants talk (distinct tones); the others send quiet noise.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MixerBench {
    @Param({"10", "50", "100", "200"}) public int participants;
    @Param({"rfc6464", "none"}) public String levels;

    AudioMixer mixer;
    AudioMixer.Input[] inputs;
    byte[][][] frames;     // [participant][frame] pre-encoded Opus, 50 frames looped
    int[] level;
    int t;

    @Setup public void setup() throws Exception {
        mixer = new AudioMixer(3, 5);
        inputs = new AudioMixer.Input[participants];
        frames = new byte[participants][50][];
        level = new int[participants];
        java.util.Random r = new java.util.Random(1);
        byte[] buf = new byte[1500];
        boolean ext = levels.equals("rfc6464");
        for (int p = 0; p < participants; p++) {
            inputs[p] = mixer.addInput("p" + p, AudioCodec.Kind.OPUS, ext ? 1 : -1);
            mixer.addListener("p" + p, "p" + p, AudioCodec.Kind.OPUS, (payload, len, ts) -> { });
            OpusEncoder e = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
            e.setComplexity(5);
            boolean talker = p < 3;
            level[p] = talker ? 90 + p : 15;
            short[] pcm = new short[960];
            for (int f = 0; f < 50; f++) {
                for (int i = 0; i < 960; i++)
                    pcm[i] = (short) (talker ? 6000 * Math.sin(2 * Math.PI * (400 + 300 * p) * (f * 960 + i) / 48000.0) : r.nextGaussian() * 30);
                int n = e.encode(pcm, 0, 960, buf, 0, buf.length);
                frames[p][f] = java.util.Arrays.copyOf(buf, n);
            }
        }
        for (int i = 0; i < 5; i++) tick(); // prime the jitter buffers
    }

    @Benchmark public long tick() {
        for (int p = 0; p < participants; p++) inputs[p].push(t & 0xFFFF, frames[p][t % 50], level[p]);
        t++;
        mixer.tick();
        return mixer.encodes;
    }
}
