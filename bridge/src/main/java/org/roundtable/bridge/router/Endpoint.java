package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.ice.Stun;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.metrics.Pipeline;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.MediaPath;

/**
 * The server side of one peer connection (a browser tab, a WHIP publisher, a WHEP viewer): its identity,
 * the selected {@link MediaPath} and {@link SrtpSession}, the sources it publishes and the
 * {@link DownTrack}s it receives, and SRTP ingress (unprotect, RTX unwrap, route). Its other jobs are
 * parts named after them: {@link TransportSecurity} (ICE-lite, DTLS, SRTP keys), {@link SdpAnswerer}
 * (offer/answer), {@link RtcpTermination} (RTCP in and out), {@link RtpEgress} (protect and send). It reaches
 * the process through {@link EndpointHost} only. Ingress gate: nothing but STUN and DTLS until DTLS is done.
 * Thread: the bridge's media loop for everything, including {@link #negotiate}; immutable fields anywhere.
 */
public final class Endpoint {
    public interface Listener {
        /** ICE and DTLS are done: media flows. Called on the media loop. */
        default void onConnected(Endpoint e) {}
        /** The endpoint is gone (ICE timeout, DTLS failure, close()). Called on the media loop. */
        default void onClosed(Endpoint e, String reason) {}
        /**
         * The endpoint should send a new offer (the server never offers): e.g. it publishes H.264 and a
         * member who cannot decode it joined, so its next answer switches to VP8. Called on the media loop.
         */
        default void onRenegotiationNeeded(Endpoint e) {}
    }

    /** Chooses which conference source a receive-only m-line carries. */
    public interface SourcePicker {
        /** @return a source of this kind not in taken, or null */
        MediaSource pick(MediaKind kind, Set<MediaSource> taken, Set<String> codecsAccepted);
        /** May this endpoint keep receiving source s? */
        default boolean keep(MediaSource s) { return true; }
    }

    static final SecureRandom RND = new SecureRandom();
    public static final String EXT_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public static final String EXT_MID = "urn:ietf:params:rtp-hdrext:sdes:mid";

    public final String id;
    public final String ownerId;
    public final Conference conference;
    public final String localUfrag, localPwd;
    final EndpointHost host;
    private final BridgeMetrics metrics;
    /** The packet walk's counters of this endpoint's media loop. */
    final Pipeline pipeline;
    final Listener listener;
    public final int rtcpSsrc = RND.nextInt();
    final String cname = "rt-" + Long.toHexString(RND.nextLong());
    public final long createdAtMs;
    final TransportSecurity transport;
    final SdpAnswerer answerer;
    final RtcpTermination rtcp;
    final RtpEgress egress;

    // state shared with the parts (media loop only)
    MediaPath path;
    SrtpSession srtp;
    boolean closed;
    int midExtId = -1;
    boolean audioPaused, videoPaused;
    /** An SRTP or SRTCP packet from the peer authenticated (its DTLS state is then released). */
    boolean keysProven;

    final IntObjectHashMap<MediaSource> inbound = new IntObjectHashMap<>();
    final Map<String, MediaSource> published = new LinkedHashMap<>();
    final IntObjectHashMap<DownTrack> outbound = new IntObjectHashMap<>();
    final Map<String, DownTrack> downByMid = new LinkedHashMap<>();

    /** host: the bridge (which implements {@link EndpointHost}), or a test's fake. */
    public Endpoint(EndpointHost host, Conference conference, String id, String ownerId, Listener listener) {
        this.host = host;
        this.metrics = host.metrics();
        this.pipeline = host.pipeline();
        this.conference = conference;
        this.id = id;
        this.ownerId = ownerId;
        this.listener = listener == null ? new Listener() {} : listener;
        this.localUfrag = randomToken(8);
        this.localPwd = randomToken(24);
        this.createdAtMs = host.nowMs();
        this.transport = new TransportSecurity(this, host);
        this.answerer = new SdpAnswerer(this);
        this.rtcp = new RtcpTermination(this, host);
        this.egress = new RtpEgress(this, host);
    }

    static String randomToken(int n) {
        String abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append(abc.charAt(RND.nextInt(abc.length())));
        return sb.toString();
    }

    public BridgeMetrics metrics() { return metrics; }
    /** The media loop (or a test's fake) this endpoint runs on. */
    public EndpointHost host() { return host; }
    public long nowMs() { return host.nowMs(); }
    public boolean mediaReady() { return srtp != null && path != null && !closed; }
    public boolean isClosed() { return closed; }
    public MediaPath path() { return path; }
    public List<DownTrack> downTracks() { return new ArrayList<>(downByMid.values()); }

    /**
     * Host controls and self mute: stop (or resume) forwarding this endpoint's microphone or camera, now
     * and for sources it publishes later. Content (screen share) is not affected. Media loop only.
     */
    public void setPaused(MediaKind kind, boolean paused) {
        if (kind == MediaKind.AUDIO) audioPaused = paused; else videoPaused = paused;
        for (MediaSource s : published.values()) if (s.kind == kind && !s.content) s.setPaused(paused, nowMs());
    }

    /** The video codec this client prefers to publish in ("VP8" or "H264"; null: the bridge's default). Media loop only. */
    public void preferVideo(String codec) { answerer.preferVideo(codec); }

    boolean canReceiveVideo(String codec) { return answerer.canReceiveVideo(codec); }

    /** Whether a camera or share is published in a codec some member cannot receive, while this client could send another. */
    boolean publishesVideoOthersCannotReceive() {
        Set<String> videoSendable = answerer.videoSendable();
        for (MediaSource s : published.values()) {
            if (s.kind != MediaKind.VIDEO) continue;
            String c = s.codec.name();
            if (!conference.everyoneReceives(c, this) && videoSendable != null && videoSendable.size() > 1) return true;
        }
        return false;
    }

    void renegotiationNeeded() { if (!closed) listener.onRenegotiationNeeded(this); }

    /** The source published on a mid, or null. Media loop only. */
    public MediaSource publishedOn(String mid) { return published.get(mid); }

    /** Stops publishing whatever is on these sections (e.g. a share taken over by someone else). Media loop only. */
    public void unpublish(Set<String> mids) { for (String mid : mids) unpublishMid(mid); }

    // ------------------------------------------------------------------ negotiation (SdpAnswerer)

    /**
     * Applies a remote offer and returns the answer. Publishing m-lines (sendonly/sendrecv) become
     * {@link MediaSource}s in the conference; receive-only m-lines get a source chosen by the picker.
     * @throws Sdp.SdpException with a reason for the client if the offer cannot be accepted
     */
    public String negotiate(Sdp offer, SourcePicker picker) throws Sdp.SdpException {
        return negotiate(offer, picker, Set.of());
    }

    /**
     * As {@link #negotiate(Sdp, SourcePicker)}, with the mids of publishing sections that carry content
     * (a shared screen) rather than a camera.
     */
    public String negotiate(Sdp offer, SourcePicker picker, Set<String> contentMids) throws Sdp.SdpException {
        return negotiate(offer, picker, contentMids, Set.of());
    }

    /** ...and sections the caller refuses (answered inactive: e.g. a share that is no longer allowed). */
    public String negotiate(Sdp offer, SourcePicker picker, Set<String> contentMids, Set<String> refusedMids) throws Sdp.SdpException {
        return answerer.negotiate(offer, picker, contentMids, refusedMids);
    }

    void unpublishMid(String mid) {
        MediaSource s = published.remove(mid);
        if (s == null) return;
        if (s.ssrc != 0) inbound.remove(s.ssrc);
        if (s.rtxSsrc != 0) inbound.remove(s.rtxSsrc);
        conference.removeSource(s);
    }

    void removeDownTrack(DownTrack dt) {
        downByMid.remove(dt.mid);
        outbound.remove(dt.ssrc);
        if (dt.rtxSsrc != 0) outbound.remove(dt.rtxSsrc);
        if (dt.source != null) dt.source.removeSubscription(dt);
    }

    /** A source this endpoint received was removed from the conference. */
    void downTrackSourceGone(DownTrack dt) {
        if (downByMid.get(dt.mid) == dt) {
            downByMid.remove(dt.mid);
            outbound.remove(dt.ssrc);
            if (dt.rtxSsrc != 0) outbound.remove(dt.rtxSsrc);
        }
        dt.source = null;
    }

    /**
     * Connects the endpoint to a path with given keys, skipping ICE and DTLS: for microbenchmarks and
     * component tests that measure the media path without sockets, and for the bridge's start-up forwarding
     * warm-up, whose own client holds the other side's keys. Media loop (or a single test thread).
     */
    public void connectForBenchmark(MediaPath p, DtlsSession.SrtpKeys keys) {
        this.path = p;
        this.srtp = new SrtpSession(keys);
    }

    // ------------------------------------------------------------------ ingress

    /**
     * A STUN message from addr via path; answers Binding requests (ICE-lite) and selects the path.
     * @return whether it was a Binding request that authenticated (valid MESSAGE-INTEGRITY with our password,
     *         for our ufrag): only then may the caller bind the transport to this endpoint
     */
    public boolean onStun(byte[] b, int off, int len, Stun.Request req, InetSocketAddress from, MediaPath via) {
        return transport.onStun(b, off, len, req, from, via);
    }

    /** A DTLS record for the handshake (dropped, counted, once it is done). */
    public void onDtls(byte[] b, int off, int len) { transport.onDtls(b, off, len); }

    /**
     * An SRTP or SRTCP packet (already demultiplexed by first byte); buf is released by the caller. The
     * receive walk's first steps ({@link Pipeline}): srtp, validate, rtx, filter; then
     * {@link MediaSource#route}.
     */
    public void onSrtp(ByteBuf buf) {
        if (srtp == null || closed) { metrics.drop(DropReason.NOT_CONNECTED); return; }
        byte[] a = buf.array();
        int off = buf.arrayOffset() + buf.readerIndex();
        int len = buf.readableBytes();
        if (Rtcp.looksLikeRtcp(a, off, len)) { rtcp.onSrtcp(a, off, len); return; }
        Pipeline p = pipeline;
        boolean timed = p.timeReceive();
        long t = timed ? System.nanoTime() : 0;

        // srtp: the SSRC names the source; decrypt and authenticate in place
        p.srtp.in();
        if (len < RtpPacket.FIXED_HEADER || RtpPacket.headerLength(a, off, len) < 0) { p.srtp.drop(); metrics.drop(DropReason.MALFORMED_RTP); return; }
        int ssrc = RtpPacket.ssrc(a, off);
        MediaSource src = inbound.get(ssrc);
        boolean learning = false;
        if (src == null && midExtId > 0) { src = sourceByMid(a, off, len); learning = src != null; }
        if (src == null) { p.srtp.drop(); metrics.drop(DropReason.UNKNOWN_SSRC); return; }
        int n = srtp.unprotectRtp(a, off, len, ssrc);
        if (n < 0) {
            p.srtp.drop();
            metrics.drop(n == -2 ? DropReason.SRTP_REPLAY : DropReason.SRTP_AUTH);
            if (n != -2) metrics.srtpUnprotectFailures.inc();
            return;
        }
        // The SSRC is learned only from a packet that authenticated (the MID it names was in clear text).
        if (learning) { src.ssrc = ssrc; inbound.put(ssrc, src); }
        if (!keysProven) proveKeys();
        if (src.kind == MediaKind.AUDIO) { metrics.audioPktsIn.inc(); metrics.audioBytesIn.inc(len); }
        else { metrics.videoPktsIn.inc(); metrics.videoBytesIn.inc(len); }
        if (timed) t = p.srtp.lap(t);

        // validate: the decrypted header and its length
        p.validate.in();
        if (!RtpPacket.isValid(a, off, n)) { p.validate.drop(); metrics.drop(DropReason.MALFORMED_RTP); return; }
        int hdr = RtpPacket.headerLength(a, off, n);
        if (timed) t = p.validate.lap(t);

        // rtx: RFC 4588 packets become the original again (sequence number, payload type, SSRC)
        p.rtx.in();
        boolean rtx = ssrc == src.rtxSsrc && src.rtxSsrc != 0;
        if (rtx) {
            int plen = RtpPacket.payloadLength(a, off, n);
            if (plen < 2) { p.rtx.drop(); metrics.drop(DropReason.PADDING); return; }
            int osn = RtpPacket.u16(a, off + hdr);
            System.arraycopy(a, off + hdr + 2, a, off + hdr, n - hdr - 2);
            n -= 2;
            RtpPacket.setSequence(a, off, osn);
            RtpPacket.setPayloadType(a, off, src.payloadType);
            RtpPacket.setSsrc(a, off, src.ssrc);
        }
        if (timed) t = p.rtx.lap(t);

        // filter: padding-only packets (bandwidth probes) and payload types the source does not carry
        p.filter.in();
        if (!rtx && RtpPacket.payloadLength(a, off, n) <= 0) { p.filter.drop(); metrics.drop(DropReason.PADDING); return; }
        if (RtpPacket.payloadType(a, off) != src.payloadType) { p.filter.drop(); metrics.drop(DropReason.UNKNOWN_SSRC); return; }
        if (timed) t = p.filter.lap(t);

        src.route(buf, off, n, hdr, nowMs(), rtx, p, timed ? t : 0, host.fanout());
    }

    /** The peer holds the keys: the handshake's state can go. Media loop, once. */
    void proveKeys() {
        keysProven = true;
        transport.keysProven();
    }

    /**
     * An SSRC not in the offer: the source its RTP MID header extension (RFC 8843) names, if that source
     * has no SSRC yet. Nothing is recorded here: the caller learns the SSRC once the packet authenticates.
     */
    private MediaSource sourceByMid(byte[] a, int off, int len) {
        int p = RtpPacket.findOneByteExtension(a, off, len, midExtId);
        if (p < 0 || inbound.size() > 64) return null;
        int l = (a[p - 1] & 0x0F) + 1;
        for (MediaSource s : published.values()) {     // a few entries; compares bytes, allocates nothing
            if (s.ssrc != 0 || s.mid.length() != l) continue;
            boolean same = true;
            for (int i = 0; i < l && same; i++) same = s.mid.charAt(i) == (a[p + i] & 0xFF);
            if (same) return s;
        }
        return null;
    }

    /** Whether this endpoint still holds DTLS state (it is dropped once the peer proves its keys). Media loop only. */
    public boolean dtlsHeld() { return transport.dtlsHeld(); }

    /** Receive state created by authenticated packets only (for tests that play the attacker). Media loop only. */
    public int inboundSsrcCount() { return inbound.size(); }
    public SrtpSession srtpSession() { return srtp; }
    /** Periodic RTCP: RR (+REMB) for what we receive, SR for what we send. Called on the media loop. */
    public void sendReports(long now) { rtcp.sendReports(now); }

    /** Consent and set-up timeouts. Returns the reason to close, or null. */
    public String checkTimeouts(long now) {
        if (closed) return null;
        long timeout = host.config().iceTimeoutMs();
        if (srtp == null && now - createdAtMs > timeout + host.config().dtlsTimeoutMs()) return "ICE/DTLS did not complete";
        long lastStunAtMs = transport.lastStunAtMs();
        if (lastStunAtMs != 0 && now - lastStunAtMs > timeout) return "ICE consent expired";
        return null;
    }

    /** Closes the endpoint: its sources leave the conference, its down-tracks unsubscribe. Media loop only. */
    public void close(String reason) {
        if (closed) return;
        closed = true;
        conference.closed(this);
        for (String mid : new ArrayList<>(published.keySet())) unpublishMid(mid);
        for (DownTrack dt : new ArrayList<>(downByMid.values())) removeDownTrack(dt);
        transport.close();
        if (srtp != null) srtp.close();
        srtp = null;
        host.forget(this, transport.addresses());
        listener.onClosed(this, reason);
    }

    @Override public String toString() { return "endpoint " + id + " of " + ownerId; }
}