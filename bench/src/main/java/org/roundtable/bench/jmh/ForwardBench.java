package org.roundtable.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.openjdk.jmh.annotations.*;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.transport.MediaPath;

/**
 * The whole forward of one decrypted video packet to one subscriber: MediaSource.route (stats, cache,
 * key-frame check, fan-out) -> DownTrack decide -> header rewrite into the subscriber's pooled buffer ->
 * SRTP protect -> path (here: counted and released, no socket). Run with -prof gc for bytes per packet.
 * On a media-loop-like thread ({@link MediaLoopThreads}), with AES-GCM as browsers negotiate it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Djmh.executor=CUSTOM", "-Djmh.executor.class=org.roundtable.bench.jmh.MediaLoopThreads",
        "-Dio.netty.leakDetection.level=disabled"})   // as the server runs (Main): the default samples 1 buffer in 128 with a stack trace
public class ForwardBench {
    @Param({"1", "10"}) public int subscribers;
    Bridge bridge;
    MediaSource source;
    ByteBuf packet;
    int seq;
    long sent;

    static final String PUB = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\na=fingerprint:sha-256 00\r\n"
            + "a=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=ssrc:42 cname:x\r\n";
    static final String SUB = PUB.replace("a=sendonly", "a=recvonly").replace("a=ssrc:42 cname:x\r\n", "");

    @Setup public void setup() throws Exception {
        bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 1),
                new BridgeMetrics(new PrometheusRegistry()));
        Conference c = bridge.conference("bench");
        Endpoint pub = bridge.createEndpoint(c, "pub", "pub", null);
        pub.negotiate(Sdp.parse(PUB), (k, t, x) -> null);
        source = c.sources().get(0);
        SrtpKeys keys = new SrtpKeys(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, new byte[16], new byte[12], new byte[16], new byte[12]);
        MediaPath sink = new MediaPath() {
            @Override public void write(ByteBuf b) { sent += b.readableBytes(); b.release(); }
            @Override public boolean isOpen() { return true; }
            @Override public String describe() { return "sink"; }
        };
        for (int i = 0; i < subscribers; i++) {
            Endpoint sub = bridge.createEndpoint(c, "s" + i, "s" + i, null);
            sub.negotiate(Sdp.parse(SUB), new Endpoint.SourcePicker() {
                @Override public MediaSource pick(MediaKind kind, Set<MediaSource> taken, Set<String> codecs) { return source; }
            });
            sub.connectForBenchmark(sink, keys);
        }
        packet = PooledByteBufAllocator.DEFAULT.heapBuffer(1112);
        byte[] a = packet.array();
        int o = packet.arrayOffset();
        a[o] = (byte) 0x80; a[o + 1] = 96; a[o + 11] = 42;
        a[o + 12] = 0x10; a[o + 13] = 0x00;      // VP8 key frame start: every receiver starts at once
        packet.writerIndex(1112);
        source.route(packet, o, 1112, 12, 0, false);
        a[o + 13] = 0x01;                         // then delta frames
    }

    @Benchmark public long forward() {
        byte[] a = packet.array();
        int o = packet.arrayOffset();
        seq = (seq + 1) & 0xFFFF;
        a[o + 2] = (byte) (seq >> 8);
        a[o + 3] = (byte) seq;
        source.route(packet, o, 1112, 12, 1, false);
        return sent;
    }

    @TearDown public void close() { bridge.close(); }
}
