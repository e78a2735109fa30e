package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.*;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.client.MediaClient;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.ice.Stun;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.sdp.Sdp;

/**
 * Hole 8 and 9 on the sockets, played by an attacker on loopback: ICE-TCP connections that never send a
 * check with valid MESSAGE-INTEGRITY are never bound to an endpoint and are closed after the (here short)
 * idle timeout; connections past the cap are refused; handshakes past the pending-DTLS cap are refused.
 */
class TransportLimitsTest {
    static final DtlsCertificate CERT = DtlsCertificate.generate();
    Bridge bridge;
    BridgeMetrics metrics;

    Bridge start(BridgeConfig.Limits limits) throws Exception {
        int tcpPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) { tcpPort = s.getLocalPort(); }
        metrics = new BridgeMetrics(new PrometheusRegistry());
        bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, tcpPort, 1_000_000, false, 30_000, 10_000, 2)
                .withLimits(limits), metrics);
        bridge.start();
        return bridge;
    }

    @AfterEach void stop() { if (bridge != null) bridge.close(); }

    static boolean waitFor(long ms, BooleanSupplier c) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) { if (c.getAsBoolean()) return true; Thread.sleep(10); }
        return c.getAsBoolean();
    }

    /** An endpoint that has applied a client's offer (so it knows the client's ufrag). */
    Endpoint endpoint(String id, MediaClient client, CompletableFuture<String> closed) throws Exception {
        Conference conf = bridge.conference("m");
        Endpoint e = bridge.createEndpoint(conf, id, id, new Endpoint.Listener() {
            @Override public void onClosed(Endpoint x, String reason) { if (closed != null) closed.complete(reason); }
        });
        bridge.call(() -> e.negotiate(Sdp.parse(client.offer(0x1111, 0, 0, 0, 0)), (k, t, c) -> null));
        return e;
    }

    static byte[] check(Endpoint e, MediaClient c, String password) {
        byte[] tx = new byte[12];
        new java.util.Random().nextBytes(tx);
        return Stun.bindingRequest(tx, e.localUfrag + ":" + c.ufrag, password, true);
    }

    /** An RFC 4571 framed connection. */
    static final class Tcp implements AutoCloseable {
        final Socket s = new Socket();
        final OutputStream out;
        final DataInputStream in;
        Tcp(int port) throws IOException {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(3000);
            out = s.getOutputStream();
            in = new DataInputStream(s.getInputStream());
        }
        void send(byte[] b) throws IOException {
            out.write(new byte[] {(byte) (b.length >> 8), (byte) b.length});
            out.write(b);
            out.flush();
        }
        /** The next frame, or null once the server closed the connection. */
        byte[] read() throws IOException {
            try {
                int n = in.readUnsignedShort();
                byte[] b = new byte[n];
                in.readFully(b);
                return b;
            } catch (EOFException | SocketException e) {
                return null;
            }
        }
        @Override public void close() throws IOException { s.close(); }
    }

    /** Whether the server closes (or resets) a new connection before anything is sent on it. */
    static boolean refused(int port) throws IOException {
        try (Tcp c = new Tcp(port)) {
            return c.read() == null;
        } catch (SocketException reset) {      // the reset can come while connect() finishes
            return true;
        }
    }

    static int stunType(byte[] frame) { return ((frame[0] & 0xFF) << 8) | (frame[1] & 0xFF); }

    @Test void unauthenticatedIceTcpIsNeverBoundAndClosedAfterTheIdleTimeout() throws Exception {
        start(BridgeConfig.Limits.defaults().withTcp(100, 400));
        try (MediaClient client = new MediaClient(CERT, true); Tcp attacker = new Tcp(bridge.tcpPort()); Tcp real = new Tcp(bridge.tcpPort())) {
            Endpoint e = endpoint("victim", client, null);
            long t0 = System.currentTimeMillis();
            // A check naming the victim's ufrag with a guessed password: answered 401, binds nothing.
            attacker.send(check(e, client, "guessed-password-000000"));
            assertEquals(Stun.BINDING_ERROR, stunType(attacker.read()));
            assertEquals(0, (int) bridge.call(bridge::tcpBindings), "a check that failed integrity binds no connection");
            // ...so what the attacker sends next reaches no endpoint
            byte[] srtp = new byte[40];
            srtp[0] = (byte) 0x80; srtp[1] = 111;
            attacker.send(srtp);
            attacker.send(new byte[] {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
            assertTrue(waitFor(2000, () -> metrics.dropped(DropReason.NO_ENDPOINT) == 2), "no endpoint: " + metrics.dropped(DropReason.NO_ENDPOINT));
            assertEquals(0, metrics.dropped(DropReason.NOT_CONNECTED));

            // The real client's check binds its connection.
            real.send(check(e, client, e.localPwd));
            assertEquals(Stun.BINDING_SUCCESS, stunType(real.read()));
            assertEquals(1, (int) bridge.call(bridge::tcpBindings));

            assertNull(attacker.read(), "the server closes a connection that never authenticated");
            long closedAfter = System.currentTimeMillis() - t0;
            assertTrue(closedAfter >= 300, "not before the idle timeout: " + closedAfter + " ms");
            assertEquals(1, (long) metrics.iceTcpUnauthenticated.get());
            // the authenticated connection outlives the timeout
            real.send(check(e, client, e.localPwd));
            assertEquals(Stun.BINDING_SUCCESS, stunType(real.read()));
            assertEquals(1, (long) metrics.iceTcpUnauthenticated.get());
        }
    }

    @Test void connectionsPastTheCapAreRefused() throws Exception {
        start(BridgeConfig.Limits.defaults().withTcp(2, 30_000));
        try (MediaClient client = new MediaClient(CERT, true); Tcp a = new Tcp(bridge.tcpPort()); Tcp b = new Tcp(bridge.tcpPort())) {
            Endpoint e = endpoint("e", client, null);
            assertTrue(waitFor(2000, () -> metrics.iceTcpConnections.get() == 2));
            assertTrue(refused(bridge.tcpPort()), "the third connection is closed at once");
            assertEquals(1, (long) metrics.iceTcpOverCap.get());
            for (Tcp t : new Tcp[] {a, b}) {            // the first two are still served
                t.send(check(e, client, e.localPwd));
                assertEquals(Stun.BINDING_SUCCESS, stunType(t.read()));
            }
            a.close();
            assertTrue(waitFor(2000, () -> metrics.iceTcpConnections.get() == 1), "a closed connection frees its place");
            try (Tcp d = new Tcp(bridge.tcpPort())) {
                d.send(check(e, client, e.localPwd));
                assertEquals(Stun.BINDING_SUCCESS, stunType(d.read()));
            }
            assertEquals(1, (long) metrics.iceTcpOverCap.get());
        }
    }

    @Test void handshakesPastThePendingDtlsCapAreRefused() throws Exception {
        start(BridgeConfig.Limits.defaults().withMaxPendingDtls(1));
        CompletableFuture<String> aClosed = new CompletableFuture<>(), bClosed = new CompletableFuture<>();
        try (MediaClient ca = new MediaClient(CERT, false); MediaClient cb = new MediaClient(CERT, false);
             DatagramSocket sa = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             DatagramSocket sb = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            Endpoint a = endpoint("a", ca, aClosed), b = endpoint("b", cb, bClosed);
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", bridge.udpPort());
            // valid checks; neither client ever sends a ClientHello, so A's handshake stays pending
            byte[] qa = check(a, ca, a.localPwd), qb = check(b, cb, b.localPwd);
            sa.send(new DatagramPacket(qa, qa.length, server));
            sa.setSoTimeout(3000);
            sa.receive(new DatagramPacket(new byte[1500], 1500));
            assertTrue(waitFor(2000, () -> metrics.dtlsPending.get() == 1));
            sb.send(new DatagramPacket(qb, qb.length, server));
            assertEquals("too many DTLS handshakes in progress", bClosed.get(3, TimeUnit.SECONDS));
            assertEquals(1, (long) metrics.dtlsRejected.get());
            assertFalse(aClosed.isDone(), "the handshake in progress goes on");
            bridge.call(() -> { a.close("test"); return null; });
            assertEquals(0, (long) metrics.dtlsPending.get(), "a closed endpoint gives its place back");
        }
    }

    @Test void sectionAndTrackLimitsHaveClearErrors() throws Exception {
        start(BridgeConfig.Limits.defaults());
        try (MediaClient c = new MediaClient(CERT, false)) {
            Endpoint e = bridge.createEndpoint(bridge.conference("m"), "e", "e", null);
            String many = c.offer(0x1111, 0, 0, 0, 33);
            Exception x = assertThrows(Exception.class, () -> bridge.call(() -> e.negotiate(Sdp.parse(many), (k, t, cc) -> null)));
            assertInstanceOf(Sdp.SdpException.class, x);
            assertEquals("offer has 34 media sections; at most 32 are allowed", x.getMessage());
            String base = c.offer(0x1111, 0, 0, 0, 0);
            StringBuilder nine = new StringBuilder(base.substring(0, base.indexOf("m=")).replace("a=group:BUNDLE 0", "a=group:BUNDLE 0 1 2 3 4 5 6 7 8"));
            String section = base.substring(base.indexOf("m="));
            for (int i = 0; i < 9; i++) nine.append(section.replace("a=mid:0", "a=mid:" + i).replace("a=ssrc:4369", "a=ssrc:" + (4369 + i)));
            Exception y = assertThrows(Exception.class, () -> bridge.call(() -> e.negotiate(Sdp.parse(nine.toString()), (k, t, cc) -> null)));
            assertEquals("offer publishes 9 tracks; at most 8 per connection", y.getMessage());
            assertTrue(bridge.call(() -> e.negotiate(Sdp.parse(c.offer(0x1111, 0, 0, 0, 31)), (k, t, cc) -> null)).startsWith("v=0"),
                    "32 sections are fine");
        }
    }
}
