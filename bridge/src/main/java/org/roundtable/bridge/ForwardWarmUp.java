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
import org.roundtable.bridge.rtp.Rtcp;
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
    /** Each subscriber's own client socket (its fan-out, its RTCP and STUN), and what it knows of its streams. */
    private final DatagramChannel[] subSinks = new DatagramChannel[SUBSCRIBERS];
    private final InetSocketAddress[] subAddress = new InetSocketAddress[SUBSCRIBERS];
    private final SrtpSession[] subClients = new SrtpSession[SUBSCRIBERS];
    private final int[] subVideoSsrc = new int[SUBSCRIBERS], subLastSeq = new int[SUBSCRIBERS];
    /** The server's ICE credentials of each endpoint (from its answer): [0] the publisher's, then the subscribers'. */
    private final String[] iceUfrag = new String[SUBSCRIBERS + 1], icePwd = new String[SUBSCRIBERS + 1];
    private final byte[] rtcp = new byte[256 + SrtpSession.MAX_TRAILER], stunTx = new byte[12];
    private int chunks;
    private final ByteBuffer io = ByteBuffer.allocateDirect(2048);
    /** Datagrams the sink has read, and what it will have read once the last chunk's fan-out arrived (loop only). */
    private long received, sent;
    private long lastProgressNs, roundStartedNs;
    /** The warm-up gives up after this long, whatever is left (Bridge.start waits 20 s for it). */
    private static final long MAX_NS = 15_000_000_000L;
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
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subSinks[i] = DatagramChannel.open();
            subSinks[i].setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            subSinks[i].bind(new InetSocketAddress(ip, 0));
            subSinks[i].configureBlocking(false);
            subAddress[i] = (InetSocketAddress) subSinks[i].getLocalAddress();
        }
    }

    /** A fresh meeting for the next profile: the publisher's keys in that profile, subscribers' alternating. */
    private void nextRound() {
        try {
            closeEndpoints();
            if (round == -1 && loop.udpSender != null) loop.udpSender.countInto(metrics);   // its sends and their drops are not the server's
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
            lastProgressNs = roundStartedNs = System.nanoTime();
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
        credentials(0, publisher.negotiate(Sdp.parse(offer), picker.forOwner("warm-up publisher")));
        DtlsSession.SrtpKeys keys = keys(profile);
        publisher.connectForBenchmark(new UdpPath(loop.udpSender, sinkAddress), keys);
        loop.bindAddress(sinkAddress, publisher);
        loop.bridge.bindUfrag(publisher);
        loop.pathSelected(publisher, publisher.path());     // with several loops, its socket pinned as a real one's is
        endpoints.add(publisher);
        client = new SrtpSession(mirror(keys));
        for (int i = 0; i < SUBSCRIBERS; i++) {
            String owner = "warm-up subscriber " + i;
            Endpoint sub = new Endpoint(loop, c, "warm-sub" + i, owner, null);
            credentials(i + 1, sub.negotiate(Sdp.parse(Offers.offer("wsub" + i, "warmwarmwarmwarmwarmwarm", cert, 0, 0, 0, 1, 1)), picker.forOwner(owner)));
            DtlsSession.SrtpKeys k = keys(PROFILES[(i + round) % PROFILES.length]);
            sub.connectForBenchmark(new UdpPath(loop.udpSender, subAddress[i]), k);
            loop.bindAddress(subAddress[i], sub);
            loop.bridge.bindUfrag(sub);
            loop.pathSelected(sub, sub.path());
            endpoints.add(sub);
            subClients[i] = new SrtpSession(mirror(k));
            subVideoSsrc[i] = 0;
        }
    }

    /** The server's ICE ufrag and password in an answer (session or first media level). */
    private void credentials(int i, String answer) throws Sdp.SdpException {
        Sdp a = Sdp.parse(answer);
        Sdp.Media m = a.media.get(0);
        iceUfrag[i] = m.iceUfrag != null ? m.iceUfrag : a.iceUfrag;
        icePwd[i] = m.icePwd != null ? m.icePwd : a.icePwd;
    }

    /** Whether every endpoint's packets come to this loop's socket (its pinned socket, with several loops). */
    private boolean pinned() {
        for (Endpoint e : endpoints) if (!loop.pinReady(e)) return false;
        return true;
    }

    /**
     * Every millisecond on the loop: reads what reached the sink, then sends the next chunk once all the last
     * one caused has arrived (or 20 ms went by without a datagram: one was lost), or starts the next round.
     */
    private void step() {
        if (done.isDone()) return;
        try {
            drain(sink, -1);
            for (int i = 0; i < SUBSCRIBERS; i++) drain(subSinks[i], i);
            long now = System.nanoTime();
            if (now - startedNs > MAX_NS) { finish("stopped after " + MAX_NS / 1_000_000_000L + " s"); return; }
            // with several loops, wait (up to a second into the round) for the endpoints' pinned sockets; a
            // socket that could not be pinned leaves its packets to the hand-over between loops
            boolean pinning = !pinned() && now - roundStartedNs < 1_000_000_000L;
            if (!pinning && (received >= sent || now - lastProgressNs > 20_000_000L)) {
                if (sentInRound >= inRound()) {
                    nextRound();                  // its endpoints' sockets are waited for from the next step
                    if (done.isDone()) return;
                } else {
                    int n = Math.min(CHUNK, inRound() - sentInRound);
                    for (int i = 0; i < n; i++) publish();
                    sent = received + n * (long) SUBSCRIBERS;
                    feedback();
                }
                lastProgressNs = System.nanoTime();
            }
        } catch (Exception e) {
            finish("stopped: " + e);
            return;
        }
        loop.loop.schedule(this::step, 1, TimeUnit.MILLISECONDS);
    }

    /** Reads what reached one client socket; a subscriber's (sub >= 0) notes its video stream's SSRC and last sequence number. */
    private void drain(DatagramChannel ch, int sub) throws java.io.IOException {
        while (true) {
            io.clear();
            if (ch.receive(io) == null) return;
            received++;
            lastProgressNs = System.nanoTime();
            int n = io.position();
            // RTP (not RTCP, whose second byte is a packet type 192..223) of video size: the header is in the clear
            if (sub >= 0 && n > 500 && (io.get(0) & 0xC0) == 0x80 && ((io.get(1) & 0xFF) < 192 || (io.get(1) & 0xFF) > 223)) {
                subVideoSsrc[sub] = io.getInt(8);
                subLastSeq[sub] = io.getShort(2) & 0xFFFF;
            }
        }
    }

    /**
     * After each chunk, one of what real clients send besides media, in turn, so the receive path's branches
     * for them are compiled too: the publisher's sender report, a subscriber's receiver report with a NACK of
     * a packet it got (answered from the retransmission cache, as RTX), a subscriber's PLI, and ICE consent
     * checks to the publisher and to a subscriber.
     */
    private void feedback() throws java.io.IOException {
        int k = chunks++ % 8, sub = (chunks / 8) % SUBSCRIBERS;
        if (k == 0) {
            int n = Rtcp.writeSr(rtcp, 0, VIDEO_SSRC, Rtcp.ntpFromMillis(System.currentTimeMillis()), ts, sentInRound, sentInRound * 1000L);
            sendRtcp(client, sink, n, VIDEO_SSRC);
        } else if (k <= SUBSCRIBERS) {
            int i = k - 1;
            if (subVideoSsrc[i] == 0) return;
            int self = 0x0B0B0B00 + i;
            int p = Rtcp.writeRrHeader(rtcp, 0, self, 1);
            p += Rtcp.writeReportBlock(rtcp, p, subVideoSsrc[i], 0, 0, subLastSeq[i], 10, 0, 0);
            rtcp[p] = (byte) (0x80 | Rtcp.FMT_NACK);                 // generic NACK of the last video packet it got
            rtcp[p + 1] = (byte) Rtcp.RTPFB;
            rtcp[p + 2] = 0;
            rtcp[p + 3] = 3;
            RtpPacket.putI32(rtcp, p + 4, self);
            RtpPacket.putI32(rtcp, p + 8, subVideoSsrc[i]);
            RtpPacket.putU16(rtcp, p + 12, subLastSeq[i]);
            RtpPacket.putU16(rtcp, p + 14, 0);
            sendRtcp(subClients[i], subSinks[i], p + 16, self);
        } else if (k == 5) {
            if (subVideoSsrc[sub] == 0) return;
            int n = Rtcp.writePli(rtcp, 0, 0x0B0B0B00 + sub, subVideoSsrc[sub]);
            sendRtcp(subClients[sub], subSinks[sub], n, 0x0B0B0B00 + sub);
        } else if (k == 6) {
            stun(sink, 0, "wpub" + round);
        } else if (k == 7) {
            stun(subSinks[sub], sub + 1, "wsub" + sub);
        }
    }

    private void sendRtcp(SrtpSession from, DatagramChannel ch, int len, int senderSsrc) throws java.io.IOException {
        int n = from.protectRtcp(rtcp, 0, len, rtcp.length, senderSsrc);
        if (n <= 0) return;
        io.clear();
        io.put(rtcp, 0, n).flip();
        ch.send(io, mediaAddress);
    }

    /** An ICE consent check (a binding request without USE-CANDIDATE) to endpoint i from its client's socket. */
    private void stun(DatagramChannel ch, int i, String clientUfrag) throws java.io.IOException {
        if (iceUfrag[i] == null) return;
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(stunTx);
        io.clear();
        io.put(org.roundtable.bridge.ice.Stun.bindingRequest(stunTx, iceUfrag[i] + ":" + clientUfrag, icePwd[i], false)).flip();
        ch.send(io, mediaAddress);
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
            // a frame is 4 packets, the marker bit on its last; every other frame comes without header
            // extensions, as from a sender that negotiated none (a WHIP encoder, a gateway): real traffic
            // takes both branches, and code compiled on one alone is thrown away at the first of the other
            boolean plain = (sentInRound >> 3 & 1) == 1;
            header(96, seqV, ts, VIDEO_SSRC);
            if ((sentInRound & 7) == 6) pkt[1] |= (byte) 0x80;
            int p = 16;
            if (plain) {
                pkt[0] = (byte) 0x80;
                p = 12;
            } else {
                pkt[16] = (byte) (EXT_MID << 4);                  // MID "1", padded
                pkt[17] = '1';
                pkt[18] = pkt[19] = 0;
                p = 20;
            }
            // VP8 descriptor: S on a frame's first packet only; the frames with extensions also carry a
            // 15-bit PictureID (X, I), as browsers send it; then the payload header: a key frame first
            boolean first = (sentInRound & 7) == 0;
            if (plain) {
                pkt[p++] = (byte) (first ? 0x10 : 0x00);
            } else {
                int picture = sentInRound >> 3 & 0x7FFF;
                pkt[p++] = (byte) (first ? 0x90 : 0x80);
                pkt[p++] = (byte) 0x80;
                pkt[p++] = (byte) (0x80 | picture >> 8);
                pkt[p++] = (byte) picture;
            }
            pkt[p] = (byte) (sentInRound == 0 ? 0x00 : 0x01);
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
        for (int i = 0; i < endpoints.size(); i++)
            loop.bridge.forgetEverywhere(endpoints.get(i), Set.of(i == 0 ? sinkAddress : subAddress[i - 1]));
        for (Endpoint e : endpoints) e.close("warm-up done");
        endpoints.clear();
        if (client != null) client.close();
        client = null;
        for (int i = 0; i < SUBSCRIBERS; i++) {
            if (subClients[i] != null) subClients[i].close();
            subClients[i] = null;
        }
    }

    /** Ends the warm-up (loop or starting thread): its endpoints close, the sink goes, the future completes. */
    private void finish(String failure) {
        if (done.isDone()) return;
        closeEndpoints();
        if (loop.udpSender != null) loop.udpSender.countInto(null);
        try {
            if (sink != null) sink.close();
            for (DatagramChannel c : subSinks) if (c != null) c.close();
        } catch (java.io.IOException ignored) { /* closing */ }
        BridgeMetrics m = metrics;
        long rtx = (long) m.retransmissions.get();
        done.complete(new Result((long) (m.audioPktsIn.get() + m.videoPktsIn.get()), (long) (m.audioPktsOut.get() + m.videoPktsOut.get()) - rtx,
                rtx, (long) m.rtcpPktsIn.get(), received, (System.nanoTime() - startedNs) / 1_000_000, failure));
    }

    /**
     * What a warm-up did: media packets the publisher's endpoint took in, packets forwarded to its subscribers
     * (retransmissions apart), NACKed packets re-sent, RTCP packets taken in, datagrams the clients' sockets
     * read back, its time, and why it stopped early (null: it ran to the end).
     */
    record Result(long in, long out, long retransmitted, long rtcpIn, long read, long ms, String failure) {
        @Override public String toString() {
            return String.format("forwarding warm-up: %d packets in, %d out, %d re-sent, %d RTCP in, %d read by the clients, in %d ms%s",
                    in, out, retransmitted, rtcpIn, read, ms, failure == null ? "" : "; " + failure);
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
