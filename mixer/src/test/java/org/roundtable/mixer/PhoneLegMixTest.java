package org.roundtable.mixer;

import static org.junit.jupiter.api.Assertions.*;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.rtp.Rfc4733;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.transport.PlainRtpLeg;

/**
 * Two phones on plain RTP (G.711 µ-law, as a PBX sends) through the bridge's plain-RTP legs and the
 * mixer on its real 20 ms tick: each hears the other and not itself; a *7 keyed as RFC 4733 events is
 * recognised as an in-call code.
 */
class PhoneLegMixTest {
    static final double[] HZ = {1000, 500};

    @Test void twoPhonesHearEachOtherThroughTheMixer() throws Exception {
        Bridge bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 2),
                new BridgeMetrics(new PrometheusRegistry()));
        bridge.start();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        AudioMixer mixer = new AudioMixer(3, 5);
        DatagramSocket[] phones = new DatagramSocket[2];
        PlainRtpLeg[] legs = new PlainRtpLeg[2];
        List<String> codes = Collections.synchronizedList(new ArrayList<>());
        try {
            for (int i = 0; i < 2; i++) {
                phones[i] = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
                phones[i].setSoTimeout(50);
                AudioMixer.Input in = mixer.addInput("phone" + i, AudioCodec.Kind.PCMU, -1);
                InCallCodes keys = new InCallCodes();
                legs[i] = new PlainRtpLeg(bridge, 0, 101, 8000, new PlainRtpLeg.Handler() {
                    @Override public void onAudio(int seq, long ts, byte[] b, int off, int len) {
                        in.push(seq, java.util.Arrays.copyOfRange(b, off, off + len), -1);
                    }
                    @Override public void onKey(char key) {
                        String c = keys.key(key, System.currentTimeMillis());
                        if (c != null) codes.add(c);
                    }
                }).start("127.0.0.1", 0);
                legs[i].remote(new InetSocketAddress("127.0.0.1", phones[i].getLocalPort()));
                PlainRtpLeg leg = legs[i];
                mixer.addListener("phone" + i, "phone" + i, AudioCodec.Kind.PCMU, (p, len, ts) -> leg.send(p, len, 160));
            }
            mixer.start(ticker);
            // each phone sends 2 s of its tone (µ-law, 20 ms packets), phone 0 then keys *7
            List<List<Short>> heard = List.of(Collections.synchronizedList(new ArrayList<>()), Collections.synchronizedList(new ArrayList<>()));
            long start = System.nanoTime();
            for (int f = 0; f < 100; f++) {
                for (int i = 0; i < 2; i++) {
                    short[] pcm = Tones.tone(HZ[i], 8000, 160, 8000, f * 160);
                    byte[] pkt = new byte[12 + 160];
                    pkt[0] = (byte) 0x80;
                    RtpPacket.setSequence(pkt, 0, f);
                    RtpPacket.setTimestamp(pkt, 0, f * 160L);
                    RtpPacket.setSsrc(pkt, 0, 1000 + i);
                    for (int j = 0; j < 160; j++) pkt[12 + j] = G711.linearToUlaw(pcm[j]);
                    phones[i].send(new DatagramPacket(pkt, pkt.length, new InetSocketAddress("127.0.0.1", legs[i].localPort())));
                }
                drain(phones, heard);
                long due = start + (f + 1) * 20_000_000L;
                while (System.nanoTime() < due) Thread.sleep(1);
            }
            long ts = 20000;
            for (int event : new int[] {10, 7}) {
                for (int k = 1; k <= 5; k++) {
                    byte[] ev = Rfc4733.payload(event, k > 2, 10, k * 160);
                    byte[] pkt = new byte[16];
                    pkt[0] = (byte) 0x80; pkt[1] = 101;
                    RtpPacket.setSequence(pkt, 0, 200 + event * 10 + k);
                    RtpPacket.setTimestamp(pkt, 0, ts);
                    RtpPacket.setSsrc(pkt, 0, 1000);
                    System.arraycopy(ev, 0, pkt, 12, 4);
                    phones[0].send(new DatagramPacket(pkt, 16, new InetSocketAddress("127.0.0.1", legs[0].localPort())));
                }
                ts += 1600;
            }
            for (int i = 0; i < 10; i++) drain(phones, heard);
            for (int i = 0; i < 2; i++) {
                short[] pcm = new short[heard.get(i).size()];
                for (int j = 0; j < pcm.length; j++) pcm[j] = heard.get(i).get(j);
                assertTrue(pcm.length > 8000, "phone " + i + " received about 2 s of audio: " + pcm.length);
                short[] mid = java.util.Arrays.copyOfRange(pcm, pcm.length / 4, pcm.length * 3 / 4);
                double other = Tones.amplitude(mid, mid.length, HZ[1 - i], 8000), own = Tones.amplitude(mid, mid.length, HZ[i], 8000);
                assertTrue(other > 2000, "phone " + i + " hears the other: " + other);
                assertTrue(own < 300, "phone " + i + " does not hear itself: " + own);
            }
            assertEquals(List.of("*7"), codes, "*7 recognised from RFC 4733 events");
        } finally {
            mixer.close();
            ticker.shutdownNow();
            for (PlainRtpLeg l : legs) if (l != null) l.close();
            for (DatagramSocket s : phones) if (s != null) s.close();
            bridge.close();
        }
    }

    static void drain(DatagramSocket[] phones, List<List<Short>> heard) throws Exception {
        byte[] buf = new byte[1500];
        for (int i = 0; i < phones.length; i++) {
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try { phones[i].receive(p); } catch (SocketTimeoutException e) { break; }
                if (p.getLength() <= 12 || RtpPacket.payloadType(buf, 0) != 0) continue;
                for (int j = 12; j < p.getLength(); j++) heard.get(i).add(G711.ulawToLinear(buf[j]));
                if (phones[i].getSoTimeout() > 1) phones[i].setSoTimeout(1);
            }
        }
    }
}
