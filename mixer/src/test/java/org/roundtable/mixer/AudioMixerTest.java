package org.roundtable.mixer;

import static org.junit.jupiter.api.Assertions.*;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Three people speaking distinct tones; each hears the others and not themselves; phones hear everyone. */
class AudioMixerTest {
    static final double[] HZ = {440, 880, 1320};

    /** Collected frames per listener. */
    final Map<String, List<byte[]>> got = new HashMap<>();

    AudioMixer.Output collect(String who) {
        got.put(who, new ArrayList<>());
        return (p, len, ts) -> got.get(who).add(java.util.Arrays.copyOf(p, len));
    }

    short[] decodeOpus(List<byte[]> frames) throws Exception {
        OpusDecoder d = new OpusDecoder(48000, 1);
        short[] all = new short[frames.size() * 960], f = new short[960];
        for (int i = 0; i < frames.size(); i++) {
            d.decode(frames.get(i), 0, frames.get(i).length, f, 0, 960, false);
            System.arraycopy(f, 0, all, i * 960, 960);
        }
        return all;
    }

    static short[] decodeUlaw(List<byte[]> frames) {
        short[] all = new short[frames.size() * 160];
        for (int i = 0; i < frames.size(); i++) for (int j = 0; j < 160; j++) all[i * 160 + j] = G711.ulawToLinear(frames.get(i)[j]);
        return all;
    }

    @Test void everyoneHearsTheOthersNotThemselves() throws Exception {
        AudioMixer m = new AudioMixer(3, 5);
        AudioMixer.Input[] in = new AudioMixer.Input[3];
        OpusEncoder[] enc = new OpusEncoder[3];
        for (int i = 0; i < 3; i++) {
            in[i] = m.addInput("p" + i, AudioCodec.Kind.OPUS, -1);
            m.addListener("p" + i, "p" + i, AudioCodec.Kind.OPUS, collect("p" + i));
            enc[i] = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        }
        m.addListener("phone", null, AudioCodec.Kind.PCMU, collect("phone"));
        for (int i = 0; i < 10; i++) m.addListener("viewer" + i, null, AudioCodec.Kind.OPUS, collect("viewer" + i));
        byte[] buf = new byte[1500];
        int ticks = 60;
        for (int t = 0; t < ticks; t++) {
            for (int i = 0; i < 3; i++) {
                if (i == 1 && t % 7 == 3) continue;                        // p1 loses packets: the mix must not stall
                int n = enc[i].encode(Tones.tone(HZ[i], 48000, 960, 6000, t * 960), 0, 960, buf, 0, buf.length);
                in[i].push(t, java.util.Arrays.copyOf(buf, n), -1);
            }
            m.tick();
        }
        for (List<byte[]> frames : got.values()) assertEquals(ticks, frames.size(), "one frame per tick for every listener, even with losses");
        for (int i = 0; i < 3; i++) {
            short[] pcm = decodeOpus(got.get("p" + i));
            short[] tail = java.util.Arrays.copyOfRange(pcm, 20 * 960, pcm.length);
            for (int j = 0; j < 3; j++) {
                double a = Tones.amplitude(tail, tail.length, HZ[j], 48000);
                if (i == j) assertTrue(a < 200, "p" + i + " does not hear itself: " + a);
                else assertTrue(a > 2000, "p" + i + " hears p" + j + ": " + a);
            }
        }
        short[] phone = decodeUlaw(got.get("phone"));
        short[] tail = java.util.Arrays.copyOfRange(phone, 20 * 160, phone.length);
        for (int j = 0; j < 3; j++) assertTrue(Tones.amplitude(tail, tail.length, HZ[j], 8000) > 2000, "the phone hears p" + j);
        // distinct mixes: everyone-but-p0, -p1, -p2, the full mix for Opus viewers, the full mix for the phone
        assertTrue(m.encodes <= 5L * ticks, "one encode per distinct mix and codec, not per listener: " + m.encodes);
        assertTrue(in[1].jitter().lost > 0, "p1's losses were concealed");
        long concealed = m.inputLosses()[1];
        assertEquals(in[0].jitter().lost + in[1].jitter().lost + in[2].jitter().lost, concealed, "counted for the metrics");
        m.removeInput(in[1]);
        assertEquals(concealed, m.inputLosses()[1], "a removed input's losses stay counted");
    }

    @Test void onlyTheLoudestSpeakersAreMixed() throws Exception {
        AudioMixer m = new AudioMixer(2, 5);
        OpusEncoder[] e = new OpusEncoder[3];
        for (int i = 0; i < 3; i++) e[i] = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        byte[] buf = new byte[1500];
        List<AudioMixer.Input> ins = new ArrayList<>();
        for (int i = 0; i < 3; i++) ins.add(m.addInput("p" + i, AudioCodec.Kind.OPUS, 1)); // levels come with packets (RFC 6464)
        m.addListener("l", null, AudioCodec.Kind.OPUS, collect("l"));
        int[] levels = {100, 90, 40};                                             // p2 is much quieter
        double[] hz = {500, 1100, 1700};                                          // no harmonics of each other
        for (int t = 0; t < 40; t++) {
            for (int i = 0; i < 3; i++) {
                int n = e[i].encode(Tones.tone(hz[i], 48000, 960, 6000, t * 960), 0, 960, buf, 0, buf.length);
                ins.get(i).push(t, java.util.Arrays.copyOf(buf, n), levels[i]);
            }
            m.tick();
        }
        short[] pcm = decodeOpus(got.get("l"));
        short[] tail = java.util.Arrays.copyOfRange(pcm, 15 * 960, pcm.length);
        assertTrue(Tones.amplitude(tail, tail.length, hz[0], 48000) > 1000);
        assertTrue(Tones.amplitude(tail, tail.length, hz[1], 48000) > 1000);
        double third = Tones.amplitude(tail, tail.length, hz[2], 48000);
        assertTrue(third < 300, "the third-loudest is not mixed when N=2: " + third);
        assertTrue(m.decodes <= 2L * 40, "silent-enough inputs are not even decoded: " + m.decodes);
    }

    @Test void garbageAndSilenceNeverBreakTheTick() throws Exception {
        AudioMixer m = new AudioMixer(3, 5);
        AudioMixer.Input in = m.addInput("p", AudioCodec.Kind.OPUS, -1);
        m.addListener("l", null, AudioCodec.Kind.PCMA, collect("l"));
        java.util.Random r = new java.util.Random(3);
        for (int t = 0; t < 30; t++) {
            byte[] junk = new byte[1 + r.nextInt(200)];
            r.nextBytes(junk);
            in.push(t, junk, -1);
            m.tick();
        }
        assertEquals(30, got.get("l").size(), "a frame every tick through the garbage");
        for (byte[] f : got.get("l")) assertEquals(160, f.length, "each a whole 20 ms PCMA frame");
        // and the same input, now speaking, is heard: the garbage left the decoder and the mix usable
        OpusEncoder e = new OpusEncoder(48000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
        byte[] buf = new byte[1500];
        for (int t = 30; t < 70; t++) {
            int n = e.encode(Tones.tone(440, 48000, 960, 6000, t * 960), 0, 960, buf, 0, buf.length);
            in.push(t, java.util.Arrays.copyOf(buf, n), -1);
            m.tick();
        }
        List<byte[]> after = got.get("l").subList(50, 70);
        short[] pcm = new short[after.size() * 160];
        for (int i = 0; i < after.size(); i++) for (int j = 0; j < 160; j++) pcm[i * 160 + j] = G711.alawToLinear(after.get(i)[j]);
        assertTrue(Tones.amplitude(pcm, pcm.length, 440, 8000) > 2000, "the tone after the garbage is heard");
    }
}
