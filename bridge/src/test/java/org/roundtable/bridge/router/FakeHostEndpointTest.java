package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.client.Offers;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.sdp.Sdp;

/**
 * Endpoints run against a fake {@link EndpointHost} (no bridge, no sockets, a fake clock): a publisher's
 * offer is answered with the host's identity and candidates, a viewer gets the published tracks, the
 * set-up timeout follows the host's clock, and closing tells the host to forget the endpoint.
 */
class FakeHostEndpointTest {
    static final DtlsCertificate SERVER = DtlsCertificate.generate(), CLIENT = DtlsCertificate.generate();

    static final class FakeHost implements EndpointHost {
        long now = 1_000;
        final BridgeMetrics metrics = new BridgeMetrics(new PrometheusRegistry());
        final List<Endpoint> forgotten = new ArrayList<>();
        @Override public long nowMs() { return now; }
        @Override public BridgeMetrics metrics() { return metrics; }
        @Override public BridgeConfig config() { return BridgeConfig.defaults(); }
        @Override public DtlsCertificate certificate() { return SERVER; }
        ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
        @Override public ByteBufAllocator alloc() { return alloc; }
        final byte[] scratch = new byte[4096];
        @Override public byte[] scratch() { return scratch; }
        @Override public List<String> candidates() { return List.of("1 1 udp 2130706430 192.0.2.7 40000 typ host"); }
        @Override public void execute(Runnable r) { r.run(); }
        /** Set: the endpoints hold packets for a receiver-by-receiver fan-out, drained by {@link #flush}, as a media loop's. */
        FanoutBatch fanout;
        @Override public FanoutBatch fanout() { return fanout; }
        @Override public void flush() { if (fanout != null) fanout.drain(); }
        @Override public void startDtls(DtlsSession s) {}
        @Override public boolean reserveDtls() { return true; }
        @Override public void dtlsEnded() {}
        @Override public void bindAddress(InetSocketAddress a, Endpoint e) {}
        @Override public void forget(Endpoint e, Set<InetSocketAddress> addrs) { forgotten.add(e); }
    }

    static Endpoint.SourcePicker picker(Conference c, String self) {
        return (kind, taken, codecs) -> {
            for (MediaSource s : c.sources()) if (s.kind == kind && !s.ownerId.equals(self) && !taken.contains(s) && codecs.contains(s.codec.name())) return s;
            return null;
        };
    }

    @Test
    void negotiatesAndClosesWithoutABridge() throws Exception {
        FakeHost host = new FakeHost();
        Conference c = new Conference("m");
        Endpoint pub = new Endpoint(host, c, "pub", "alice", null);
        String answer = pub.negotiate(Sdp.parse(Offers.offer("cu1", "cpwd1cpwd1cpwd1cpwd1cpwd1", CLIENT, 111, 222, 333, 0, 0)), picker(c, "alice"));
        assertTrue(answer.contains("a=ice-lite"), answer);
        assertTrue(answer.contains("a=ice-ufrag:" + pub.localUfrag), answer);
        assertTrue(answer.contains("a=fingerprint:" + SERVER.fingerprint), answer);
        assertTrue(answer.contains("a=candidate:1 1 udp 2130706430 192.0.2.7 40000 typ host"), answer);
        assertTrue(answer.contains("a=recvonly"), answer);
        assertEquals(2, c.sources().size());
        Sdp.parse(answer);

        Endpoint sub = new Endpoint(host, c, "sub", "bob", null);
        String view = sub.negotiate(Sdp.parse(Offers.offer("cu2", "cpwd2cpwd2cpwd2cpwd2cpwd2", CLIENT, 0, 0, 0, 1, 1)), picker(c, "bob"));
        assertEquals(2, view.split("a=sendonly").length - 1, view);
        assertTrue(view.contains("a=msid:alice "), view);
        assertEquals(2, sub.downTracks().size());

        assertEquals(null, sub.checkTimeouts(host.now));
        host.now += 60_000;
        assertEquals("ICE/DTLS did not complete", sub.checkTimeouts(host.now));
        pub.close("test");
        assertTrue(c.sources().isEmpty());
        assertEquals(List.of(pub), host.forgotten);
        assertTrue(pub.isClosed());
    }
}
