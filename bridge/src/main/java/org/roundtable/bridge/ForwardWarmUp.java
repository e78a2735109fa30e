package org.roundtable.bridge;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.roundtable.bridge.client.Offers;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.UdpPath;

/**
 * Compiles the forwarding path before the server answers anyone: a synthetic meeting on a media loop, one
 * publisher and a few subscribers, forwards SRTP through the code a real meeting runs, from the media
 * socket's read (Netty's epoll read, ingress, demultiplexing, and with several loops the endpoint's pinned
 * socket) through unprotect, route, the down-tracks' decisions, rewrite and protect to the loop's {@link
 * org.roundtable.bridge.transport.UdpSender} and its batched {@code sendmmsg}, with AES-GCM and then AES-CM +
 * HMAC-SHA1. On 2 cores, two thirds of the server's CPU in a 100-subscriber set-up was the JIT (bench/README.md,
 * "Issue 14"); this moves the forwarding path's share of it before the first members connect.
 * <p>The publisher's client and the subscribers' receiver are one plain JDK datagram socket on the loopback
 * address (the media socket's own address when it is bound to one), not a Netty channel: anything the
 * warm-up itself brought into the media loop's code (another channel handler, another host or path class)
 * would make the JIT compile for types real traffic then throws out. So the endpoints are hosted by the loop
 * itself ({@link MediaLoop#countInto} keeps their counts out of the server's metrics), reach it through its
 * real socket, and are bound in its address table only while they run. Packets go in small chunks, the next
 * when the sink has read what the last one sent (or after a few ms), so no socket buffer overflows.
 * Thread: {@link #start} from the starting thread; everything else on the media loop.
 */
final class ForwardWarmUp {
    private static final int SUBSCRIBERS = 4, CHUNK = 16, EXT_LEVEL = 1, EXT_MID = 4, AUDIO_SSRC = 0x11111111, VIDEO_SSRC = 0x22222222, RTX_SSRC = 0x33333333;
    private static final int[] PROFILES = {SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80};

    private final MediaLoop loop;
    private final int packets;
    /** What the warm-up's endpoints count into: not the server's metrics. */
    private final BridgeMetrics metrics = new BridgeMetrics(new PrometheusRegistry());
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private final long startedNs = System.nanoTime();
    private DatagramChannel sink;
    private InetSocketAddress sinkAddress, mediaAddress;
    private final ByteBuffer io = ByteBuffer.allocateDirect(2048);
    /** Datagrams the sink has read, and what it will have read once the last chunk's fan-out arrived (loop only). */
    private long received, sent;
    private long lastProgressNs;
    private int round = -1, sentInRound, seqA, seqV;
    private long ts;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private Endpoint publisher;
    private SrtpSession client;
    private final byte[] pkt = new byte[1200 + SrtpSession.MAX_TRAILER];

    private ForwardWarmUp(MediaLoop loop, int packets) {
        this.loop = loop;
        this.packets = packets;
    }

    /**
     * Starts forwarding {@code packets} packets in (each to every subscriber) on the loop, once its socket is
     * bound. The future completes with what it did, also when the warm-up could not run (it never fails).
     */
    static CompletableFuture<Result> start(MediaLoop loop, int packets) {
        ForwardWarmUp w = new ForwardWarmUp(loop, packets);
        try {
            w.bindSink();
            loop.loop.execute(w::nextRound);
            loop.loop.execute(w::step);
        } catch (Exception e) {
            w.finish("skipped: " + e);
        }
        return w.done;
    }

    /** The sink: the clients' socket, on the media socket's address (loopback for a wildcard), non-blocking. */
    private void bindSink() throws Exception {
        InetSocketAddress media = (InetSocketAddress) loop.udp.localAddress();
        InetAddress ip = media.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : media.getAddress();
        mediaAddress = new InetSocketAddress(ip, media.getPort());
        sink = DatagramChannel.open();
        sink.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        sink.bind(new InetSocketAddress(ip, 0));
        sink.configureBlocking(false);
        sinkAddress = (InetSocketAddress) sink.getLocalAddress();
    }

    /** A fresh meeting for the next profile: the publisher's keys in that profile, subscribers' alternating. */
    private void nextRound() {
        try {
            closeEndpoints();
            if (++round == PROFILES.length) { finish(null); return; }
            int profile = PROFILES[round];
            Conference c = new Conference("warm-up-" + round, loop);
            DtlsCertificate cert = loop.certificate();
            SourcePickerOf picker = new SourcePickerOf(c);
            loop.countInto(metrics);
            try {
                makeEndpoints(c, cert, picker, profile);
            } finally {
                loop.countInto(null);
            }
            sentInRound = 0;
            lastProgressNs = System.nanoTime();
        } catch (Exception e) {
            finish("stopped: " + e);
        }
    }

    /**
     * The round's publisher (audio with the audio-level and MID header extensions, as browsers send them, and
     * VP8 with RTX) and subscribers, hosted by the loop itself: the code compiled for them must see the types
     * (the host, the path, the sender) that real endpoints bring, or it would be thrown away at the first of those.
     */
    private void makeEndpoints(Conference c, DtlsCertificate cert, SourcePickerOf picker, int profile) throws Sdp.SdpException {
        publisher = new Endpoint(loop, c, "warm-pub", "warm-up publisher", null);
        String offer = Offers.offer("wpub" + round, "warmwarmwarmwarmwarmwarm", cert, AUDIO_SSRC, VIDEO_SSRC, RTX_SSRC, 0, 0)
                .replace("a=rtpmap:111 ", "a=extmap:" + EXT_LEVEL + " " + Endpoint.EXT_AUDIO_LEVEL + "\r\na=rtpmap:111 ")
                .replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\na=extmap:" + EXT_MID + " " + Endpoint.EXT_MID + "\r\n");
        publisher.negotiate(Sdp.parse(offer), picker.forOwner("warm-up publisher"));
        DtlsSession.SrtpKeys keys = keys(profile);
        publisher.connectForBenchmark(new UdpPath(loop.udpSender, sinkAddress), keys);
        loop.bindAddress(sinkAddress, publisher);
        loop.pathSelected(publisher, publisher.path());     // with several loops, its socket pinned as a real one's is
        endpoints.add(publisher);
        client = new SrtpSession(mirror(keys));
        for (int i = 0; i < SUBSCRIBERS; i++) {
            String owner = "warm-up subscriber " + i;
            Endpoint sub = new Endpoint(loop, c, "warm-sub" + i, owner, null);
            sub.negotiate(Sdp.parse(Offers.offer("wsub" + i, "warmwarmwarmwarmwarmwarm", cert, 0, 0, 0, 1, 1)), picker.forOwner(owner));
            sub.connectForBenchmark(new UdpPath(loop.udpSender, sinkAddress), keys(PROFILES[(i + round) % PROFILES.length]));
            endpoints.add(sub);
        }
    }

    /**
     * Every millisecond on the loop: reads what reached the sink, then sends the next chunk once all the last
     * one caused has arrived (or 20 ms went by without a datagram: one was lost), or starts the next round.
     */
    private void step() {
        if (done.isDone()) return;
        try {
            while (true) {
                io.clear();
                if (sink.receive(io) == null) break;
                received++;
                lastProgressNs = System.nanoTime();
            }
            boolean pinning = !loop.pinReady(publisher) && System.nanoTime() - lastProgressNs < 1_000_000_000L;
            if (!pinning && (received >= sent || System.nanoTime() - lastProgressNs > 20_000_000L)) {
                if (sentInRound >= inRound()) nextRound();
                if (done.isDone()) return;
                if (loop.pinReady(publisher)) {
                    int n = Math.min(CHUNK, inRound() - sentInRound);
                    for (int i = 0; i < n; i++) publish();
                    sent = received + n * (long) SUBSCRIBERS;
                }
                lastProgressNs = System.nanoTime();
            }
        } catch (Exception e) {
            finish("stopped: " + e);
            return;
        }
        loop.loop.schedule(this::step, 1, TimeUnit.MILLISECONDS);
    }

    /** Packets this round sends: the total split between the profiles. */
    private int inRound() { return packets / PROFILES.length + (round < packets % PROFILES.length ? 1 : 0); }

    /** One packet from the publisher, as its client would send it: audio and VP8 video alternating, a key frame first. */
    private void publish() throws java.io.IOException {
        boolean video = (sentInRound & 1) == 0;
        int len;
        if (video) {
            len = 1112;
            seqV = (seqV + 1) & 0xFFFF;
            if ((sentInRound & 7) == 0) ts += 3000;
            header(96, seqV, ts, VIDEO_SSRC);
            pkt[16] = (byte) (EXT_MID << 4);                      // MID "1", padded
            pkt[17] = '1';
            pkt[18] = pkt[19] = 0;
            pkt[20] = 0x10;                                       // VP8: start of partition 0
            pkt[21] = (byte) (sentInRound == 0 ? 0x00 : 0x01);    // a key frame, then delta frames
        } else {
            len = 112;
            seqA = (seqA + 1) & 0xFFFF;
            header(111, seqA, ts, AUDIO_SSRC);
            pkt[16] = (byte) (EXT_LEVEL << 4);                    // audio level: voice, -(0..63) dBov
            pkt[17] = (byte) (0x80 | (sentInRound >> 4 & 0x3F));
            pkt[18] = (byte) (EXT_MID << 4);                      // MID "0"
            pkt[19] = '0';
        }
        int n = client.protectRtp(pkt, 0, len, pkt.length, video ? VIDEO_SSRC : AUDIO_SSRC);
        io.clear();
        io.put(pkt, 0, n).flip();
        sink.send(io, mediaAddress);
        sentInRound++;
    }

    /** The fixed header and a one-byte header extension block of one word (RFC 8285). */
    private void header(int pt, int seq, long timestamp, int ssrc) {
        pkt[0] = (byte) 0x90;
        pkt[12] = (byte) 0xBE;
        pkt[13] = (byte) 0xDE;
        pkt[14] = 0;
        pkt[15] = 1;
        pkt[1] = (byte) pt;
        RtpPacket.setSequence(pkt, 0, seq);
        RtpPacket.setTimestamp(pkt, 0, timestamp);
        RtpPacket.setSsrc(pkt, 0, ssrc);
    }

    private void closeEndpoints() {
        if (publisher != null) loop.bridge.forgetEverywhere(publisher, Set.of(sinkAddress));
        for (Endpoint e : endpoints) e.close("warm-up done");
        endpoints.clear();
        if (client != null) client.close();
        client = null;
    }

    /** Ends the warm-up (loop or starting thread): its endpoints close, the sink goes, the future completes. */
    private void finish(String failure) {
        if (done.isDone()) return;
        closeEndpoints();
        try {
            if (sink != null) sink.close();
        } catch (java.io.IOException ignored) { /* closing */ }
        BridgeMetrics m = metrics;
        done.complete(new Result((long) (m.audioPktsIn.get() + m.videoPktsIn.get()), (long) (m.audioPktsOut.get() + m.videoPktsOut.get()),
                received, (System.nanoTime() - startedNs) / 1_000_000, failure));
    }

    /**
     * What a warm-up did: packets the publisher's endpoint took in, packets its subscribers sent, datagrams the
     * sink read back, its time, and why it stopped early (null: it ran to the end).
     */
    record Result(long in, long out, long read, long ms, String failure) {
        @Override public String toString() {
            return String.format("forwarding warm-up: %d packets in, %d out, %d read by the sink, in %d ms%s", in, out, read, ms,
                    failure == null ? "" : "; " + failure);
        }
    }

    static DtlsSession.SrtpKeys keys(int profile) {
        int salt = profile == SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM ? 12 : 14;
        byte[] lk = new byte[16], ls = new byte[salt], rk = new byte[16], rs = new byte[salt];
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        r.nextBytes(lk); r.nextBytes(ls); r.nextBytes(rk); r.nextBytes(rs);
        return new DtlsSession.SrtpKeys(profile, lk, ls, rk, rs);
    }

    /** The other side's keys: what the server sends with, the client receives with, and back. */
    static DtlsSession.SrtpKeys mirror(DtlsSession.SrtpKeys k) {
        return new DtlsSession.SrtpKeys(k.profile(), k.remoteKey(), k.remoteSalt(), k.localKey(), k.localSalt());
    }

    /** Each subscriber takes the publisher's audio and video. */
    private record SourcePickerOf(Conference c) {
        Endpoint.SourcePicker forOwner(String self) {
            return (kind, taken, codecs) -> {
                for (MediaSource s : c.sources())
                    if (s.kind == kind && !s.ownerId.equals(self) && !taken.contains(s) && codecs.contains(s.codec.name())) return s;
                return null;
            };
        }
    }
}
