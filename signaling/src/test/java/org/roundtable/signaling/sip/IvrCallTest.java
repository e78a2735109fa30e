package org.roundtable.signaling.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.transport.PlainRtpLeg;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.registry.MeetingSpec;
import org.roundtable.signaling.testing.FakeTime;

/**
 * The meeting IVR on simulated time (component test: real meeting rules, a real phone leg on loopback,
 * no SIP and no sleeps): a silent caller hears the prompt again after the idle time and is hung up after
 * the third; three wrong passwords end the call after the goodbye; the right one joins; a half-typed
 * entry left for 10 s is forgotten.
 */
class IvrCallTest {
    static final long IDLE = 10_000;
    RoundtableServer server;
    FakeTime time;
    PlainRtpLeg leg;
    DatagramSocket phone;
    final SipMetrics metrics = new SipMetrics(new PrometheusRegistry());
    String hungUp;
    long hungUpAtMs = -1;

    @BeforeEach void start() throws Exception {
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 2);
        server = new RoundtableServer(new ServerConfig("127.0.0.1", 0, b, false, 100)).start();
        time = new FakeTime(1_000_000);
        phone = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
        phone.setSoTimeout(200);
        leg = new PlainRtpLeg(server.bridge, 0, 101, 8000, (s, t, buf, o, l) -> { }).start("127.0.0.1", 0);
        leg.remote(new InetSocketAddress("127.0.0.1", phone.getLocalPort()));
    }

    @AfterEach void stop() throws Exception {
        leg.close();
        phone.close();
        server.close();
    }

    IvrCall call(String dialled) {
        return new IvrCall(server.meetings, leg, AudioCodec.Kind.PCMU, 0, 101, dialled, "5550100", "Caller", IDLE, time.clock(), time, time,
                reason -> { hungUp = reason; hungUpAtMs = time.nowMs(); }, metrics);
    }

    void keys(IvrCall c, String k) { for (char ch : k.toCharArray()) c.key(ch); }

    double attempts(String result) { return metrics.ivrAttempts.labelValues(result).get(); }

    @Test void aSilentCallerHearsThePromptAgainAndIsHungUpAfterTheThird() throws Exception {
        long welcome = Prompts.lengthMs("welcome"), goodbye = Prompts.lengthMs("goodbye");
        assertTrue(welcome > 500, "the welcome prompt is real audio");
        long t0 = time.nowMs();
        call(null);
        time.advance(welcome + IDLE - 100);
        assertNull(hungUp, "not yet");
        assertTrue(receivedPrompt(), "the caller hears the prompt (PCMU frames on the leg)");
        time.advance(3 * (welcome + IDLE) + goodbye + 2_000);
        assertEquals("no input", hungUp);
        assertEquals(1.0, attempts("no_input"));
        long expected = t0 + 3 * (welcome + IDLE);
        assertTrue(hungUpAtMs >= expected && hungUpAtMs <= expected + goodbye + 1_000,
                "hung up after three idle periods and the goodbye: at +" + (hungUpAtMs - t0) + " ms, expected +" + (expected - t0));
    }

    boolean receivedPrompt() throws Exception {
        byte[] b = new byte[1500];
        DatagramPacket p = new DatagramPacket(b, b.length);
        for (int i = 0; i < 50; i++) {
            try { phone.receive(p); } catch (java.net.SocketTimeoutException e) { return false; }
            if (p.getLength() == 172 && (b[1] & 0x7F) == 0) return true;
        }
        return false;
    }

    @Test void threeWrongPasswordsEndTheCallAndTheRightOneJoins() throws Exception {
        String number = server.meetingRegistry.create(new Identity("ann", "Ann", java.util.Set.of()),
                new MeetingSpec("instant", "Board", null, null, List.of(), "654321", true, false)).number();
        IvrCall c = call(null);
        for (int i = 0; i < 3; i++) {
            keys(c, number + "#");
            keys(c, "11111" + i + "#");
            time.advance(100);
        }
        assertEquals(3.0, attempts("denied"), "three wrong entries judged");
        assertNull(hungUp, "the goodbye plays first");
        time.advance(Prompts.lengthMs("goodbye") + 1_000);
        assertEquals("wrong meeting number or password", hungUp);

        hungUp = null;
        IvrCall ok = call(number);             // dialled the meeting number directly: asked for the password only
        keys(ok, "654321#");
        assertNotNull(ok.member, "the right password joins");
        assertEquals(1.0, attempts("joined"));
        assertNull(hungUp);
    }

    @Test void aHalfTypedEntryLeftForTenSecondsIsForgotten() throws Exception {
        String number = server.meetingRegistry.create(new Identity("ann", "Ann", java.util.Set.of()),
                new MeetingSpec("instant", "Board", null, null, List.of(), "654321", true, false)).number();
        IvrCall c = call(number);
        keys(c, "999");                        // a stray start
        time.advance(10_500);
        keys(c, "654321#");
        assertNotNull(c.member, "the stale digits were dropped, the fresh entry joins");
        assertEquals(0.0, attempts("denied"));
    }
}
