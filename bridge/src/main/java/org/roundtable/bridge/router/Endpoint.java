package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.ice.Stun;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.MediaPath;

/**
 * The server side of one peer connection (a browser tab, a WHIP publisher, a WHEP viewer): ICE-lite
 * credentials, the selected {@link MediaPath}, DTLS, SRTP, the sources it publishes and the
 * {@link DownTrack}s it receives. Ingress gate: nothing but STUN and DTLS until DTLS is done.
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

    private static final SecureRandom RND = new SecureRandom();
    public static final String EXT_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public static final String EXT_MID = "urn:ietf:params:rtp-hdrext:sdes:mid";

    public final String id;
    public final String ownerId;
    public final Conference conference;
    public final String localUfrag, localPwd;
    private final Bridge bridge;
    private final Listener listener;
    public final int rtcpSsrc = RND.nextInt();
    private final String cname = "rt-" + Long.toHexString(RND.nextLong());
    public final long createdAtMs;

    private String remoteUfrag, remotePwd, remoteFingerprint;
    private boolean dtlsClient;
    private MediaPath path;
    private final Set<InetSocketAddress> addresses = new HashSet<>();
    private DtlsSession dtls;
    /** This endpoint holds one of the bridge's places for pending handshakes. */
    private boolean dtlsPending;
    private long dtlsStartNs;
    private SrtpSession srtp;
    private boolean closed;
    private long lastStunAtMs, connectedAtMs;
    private int midExtId = -1;
    /** Video codecs this endpoint's last offer can receive, and send ("VP8", "H264"); null before an offer with video. */
    private Set<String> videoReceivable, videoSendable;
    /** The codec this client asked to publish in ("VP8", "H264"), or null for the bridge's default. */
    private String preferredVideo;
    private int sdpVersion;
    private Set<String> contentMids = Set.of();
    private boolean audioPaused, videoPaused;
    /** NACK budget: re-sends served in the current one-second window. */
    private long nackWindowStartMs = Long.MIN_VALUE / 2;
    private int nacksInWindow;

    private final IntObjectHashMap<MediaSource> inbound = new IntObjectHashMap<>();
    private final Map<String, MediaSource> published = new LinkedHashMap<>();
    private final IntObjectHashMap<DownTrack> outbound = new IntObjectHashMap<>();
    private final Map<String, DownTrack> downByMid = new LinkedHashMap<>();
    private final Map<String, MidState> mids = new LinkedHashMap<>();

    /** What the receiving endpoint offered for one recv m-line: its payload types per codec. */
    private static final class MidState {
        MediaKind kind;
        int opusPt = -1, pcmuPt = -1, pcmaPt = -1, g722Pt = -1, vp8Pt = -1, vp8Rtx = -1, h264Pt = -1, h264Rtx = -1;
        Set<String> codecs() {
            Set<String> s = new HashSet<>();
            if (opusPt >= 0) s.add("OPUS");
            if (pcmuPt >= 0) s.add("PCMU");
            if (pcmaPt >= 0) s.add("PCMA");
            if (g722Pt >= 0) s.add("G722");
            if (vp8Pt >= 0) s.add("VP8");
            if (h264Pt >= 0) s.add("H264");
            return s;
        }
    }

    public Endpoint(Bridge bridge, Conference conference, String id, String ownerId, Listener listener) {
        this.bridge = bridge;
        this.conference = conference;
        this.id = id;
        this.ownerId = ownerId;
        this.listener = listener == null ? new Listener() {} : listener;
        this.localUfrag = randomToken(8);
        this.localPwd = randomToken(24);
        this.createdAtMs = bridge.nowMs();
    }

    static String randomToken(int n) {
        String abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) sb.append(abc.charAt(RND.nextInt(abc.length())));
        return sb.toString();
    }

    public BridgeMetrics metrics() { return bridge.metrics; }
    public long nowMs() { return bridge.nowMs(); }
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
    public void preferVideo(String codec) { preferredVideo = codec; }

    boolean canReceiveVideo(String codec) { return videoReceivable == null || videoReceivable.contains(codec); }

    /** Whether a camera or share is published in a codec some member cannot receive, while this client could send another. */
    boolean publishesVideoOthersCannotReceive() {
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

    // ------------------------------------------------------------------ negotiation

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
        this.contentMids = contentMids == null ? Set.of() : contentMids;
        Set<String> refused = refusedMids == null ? Set.of() : refusedMids;
        if (closed) throw new Sdp.SdpException("endpoint closed");
        Sdp.Media first = null;
        for (Sdp.Media m : offer.media) if (m.active() && MediaKind.of(m.kind) != null) { first = m; break; }
        if (first == null) throw new Sdp.SdpException("offer has no audio or video section");
        if (first.iceUfrag == null || first.icePwd == null) throw new Sdp.SdpException("offer lacks ICE credentials");
        if (first.fingerprint == null) throw new Sdp.SdpException("offer lacks a DTLS fingerprint");
        BridgeConfig.Limits lim = bridge.config().limits();
        if (offer.media.size() > lim.maxMediaSections())
            throw new Sdp.SdpException("offer has " + offer.media.size() + " media sections; at most " + lim.maxMediaSections() + " are allowed");
        int sending = 0;
        for (Sdp.Media m : offer.media) if (m.active() && MediaKind.of(m.kind) != null && m.sends() && (m.mid == null || !refused.contains(m.mid))) sending++;
        if (sending > lim.maxPublishedTracks())
            throw new Sdp.SdpException("offer publishes " + sending + " tracks; at most " + lim.maxPublishedTracks() + " per connection");
        int active = 0;
        for (Sdp.Media m : offer.media) {
            if (!m.active() || MediaKind.of(m.kind) == null) continue;
            active++;
            if (!m.rtcpMux) throw new Sdp.SdpException("rtcp-mux is required (m-line " + m.mid + ")");
            if (m.mid == null) throw new Sdp.SdpException("every m-line needs a mid");
        }
        if (active > 1 && offer.bundleMids.isEmpty()) throw new Sdp.SdpException("BUNDLE is required");
        String setup = first.setup == null ? "actpass" : first.setup;
        boolean newDtlsClient = setup.equals("passive");
        if (dtls == null) {
            dtlsClient = newDtlsClient;
            remoteFingerprint = first.fingerprint;
        } else if (!first.fingerprint.equalsIgnoreCase(remoteFingerprint)) {
            throw new Sdp.SdpException("DTLS fingerprint changed during the session");
        }
        remoteUfrag = first.iceUfrag;
        remotePwd = first.icePwd;
        Set<String> canReceive = null, canSend = null;
        for (Sdp.Media m : offer.media) {
            if (!m.active() || MediaKind.of(m.kind) != MediaKind.VIDEO) continue;
            Set<String> codecs = new HashSet<>();
            if (pick(m, "VP8") != null) codecs.add("VP8");
            if (pick(m, "H264") != null) codecs.add("H264");
            if (m.receives()) { if (canReceive == null) canReceive = new HashSet<>(); canReceive.addAll(codecs); }
            if (canSend == null) canSend = new HashSet<>();
            canSend.addAll(codecs);       // a browser offers the same codecs in every video section
        }
        boolean lostCodec = canReceive != null && (videoReceivable == null || !canReceive.containsAll(videoReceivable));
        if (canReceive != null) videoReceivable = canReceive;
        if (canSend != null) videoSendable = canSend;
        conference.negotiated(this);

        StringBuilder body = new StringBuilder();
        List<String> bundle = new ArrayList<>();
        Set<String> seenMids = new HashSet<>();
        Set<MediaSource> taken = new HashSet<>();
        // keep existing receive assignments where still valid
        for (Sdp.Media m : offer.media) {
            DownTrack dt = m.mid == null ? null : downByMid.get(m.mid);
            if (dt == null) continue;
            if (m.active() && !m.sends() && m.receives() && dt.source != null && conference.hasSource(dt.source) && picker.keep(dt.source)) {
                taken.add(dt.source);
            } else {
                removeDownTrack(dt);
            }
        }
        for (Sdp.Media m : offer.media) {
            MediaKind kind = MediaKind.of(m.kind);
            if (m.mid != null && !seenMids.add(m.mid)) throw new Sdp.SdpException("duplicate mid " + m.mid);
            if (!m.active() || kind == null) {
                rejectMedia(body, m);
                continue;
            }
            if (refused.contains(m.mid)) {
                unpublishMid(m.mid);
                writeMediaHead(body, m, kind, firstCodecs(m), "inactive");
            } else if (m.sends()) {
                if (!publish(body, m, kind)) { rejectMedia(body, m); continue; }
            } else if (m.receives()) {
                subscribe(body, m, kind, picker, taken);
            } else {
                unpublishMid(m.mid);
                writeMediaHead(body, m, kind, firstCodecs(m), "inactive");
            }
            bundle.add(m.mid);
        }
        // sources whose m-line disappeared or stopped sending
        for (String mid : new ArrayList<>(published.keySet())) {
            boolean still = false;
            for (Sdp.Media m : offer.media) if (mid.equals(m.mid) && m.active() && m.sends() && !refused.contains(m.mid)) still = true;
            if (!still) unpublishMid(mid);
        }
        if (lostCodec) conference.receiverCapabilitiesChanged(this);
        StringBuilder sdp = new StringBuilder(2048);
        sdp.append("v=0\r\n")
           .append("o=roundtable ").append(Integer.toUnsignedString(rtcpSsrc)).append(' ').append(++sdpVersion).append(" IN IP4 0.0.0.0\r\n")
           .append("s=-\r\nt=0 0\r\na=ice-lite\r\n");
        if (!bundle.isEmpty()) sdp.append("a=group:BUNDLE ").append(String.join(" ", bundle)).append("\r\n");
        sdp.append("a=msid-semantic: WMS *\r\n");
        sdp.append(body);
        return sdp.toString();
    }

    private static Sdp.Codec firstCodec(Sdp.Media m) {
        return m.codecs.isEmpty() ? null : m.codecs.get(0);
    }

    /** The section's first codec alone, or none (an m-line may list no payload type). */
    private static List<Sdp.Codec> firstCodecs(Sdp.Media m) {
        return m.codecs.isEmpty() ? List.of() : List.of(m.codecs.get(0));
    }

    private void rejectMedia(StringBuilder b, Sdp.Media m) {
        b.append("m=").append(m.kind).append(" 0 ").append(m.proto).append(' ');
        if (m.codecs.isEmpty()) b.append(m.kind.equals("application") ? "webrtc-datachannel" : "0");
        else b.append(m.codecs.get(0).pt);
        b.append("\r\nc=IN IP4 0.0.0.0\r\n");
        if (m.mid != null) b.append("a=mid:").append(m.mid).append("\r\n");
        b.append("a=inactive\r\n");
    }

    private void writeMediaHead(StringBuilder b, Sdp.Media m, MediaKind kind, List<Sdp.Codec> codecs, String direction) {
        b.append("m=").append(kind.sdp()).append(" 9 UDP/TLS/RTP/SAVPF");
        for (Sdp.Codec c : codecs) if (c != null) b.append(' ').append(c.pt);
        b.append("\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n");
        b.append("a=ice-ufrag:").append(localUfrag).append("\r\n");
        b.append("a=ice-pwd:").append(localPwd).append("\r\n");
        b.append("a=fingerprint:").append(bridge.certificate().fingerprint).append("\r\n");
        b.append("a=setup:").append(dtlsClient ? "active" : "passive").append("\r\n");
        b.append("a=mid:").append(m.mid).append("\r\n");
        b.append('a').append('=').append(direction).append("\r\n");
        b.append("a=rtcp-mux\r\n");
        for (Sdp.Codec c : codecs) {
            if (c == null || c.name == null) continue;      // no rtpmap in the offer (an inactive section's first PT)
            b.append("a=rtpmap:").append(c.pt).append(' ').append(c.name.equals("OPUS") ? "opus" : c.name)
             .append('/').append(c.clockRate);
            if (c.channels > 1) b.append('/').append(c.channels);
            b.append("\r\n");
            if (!c.fmtp.isEmpty()) b.append("a=fmtp:").append(c.pt).append(' ').append(c.fmtp).append("\r\n");
            if (c.name.equals("VP8") || c.name.equals("H264")) {
                b.append("a=rtcp-fb:").append(c.pt).append(" nack\r\n");
                b.append("a=rtcp-fb:").append(c.pt).append(" nack pli\r\n");
                b.append("a=rtcp-fb:").append(c.pt).append(" ccm fir\r\n");
                if (direction.equals("recvonly") && c.feedback.contains("goog-remb")) b.append("a=rtcp-fb:").append(c.pt).append(" goog-remb\r\n");
            }
        }
        for (String cand : bridge.candidates()) b.append("a=candidate:").append(cand).append("\r\n");
        b.append("a=end-of-candidates\r\n");
    }

    private static Sdp.Codec pick(Sdp.Media m, String name) {
        Sdp.Codec best = null;
        for (Sdp.Codec c : m.codecs) {
            if (!name.equals(c.name)) continue;
            if (name.equals("H264")) {
                String pm = c.param("packetization-mode");
                if (!"1".equals(pm)) continue;
                String pl = c.param("profile-level-id");
                if (best == null || (pl != null && pl.toLowerCase().startsWith("42e0"))) best = c;
            } else if (best == null) {
                best = c;
            }
        }
        return best;
    }

    private static Sdp.Codec rtxFor(Sdp.Media m, Sdp.Codec primary) {
        if (primary == null) return null;
        for (Sdp.Codec c : m.codecs) if ("RTX".equals(c.name) && c.apt() == primary.pt) return c;
        return null;
    }

    private boolean publish(StringBuilder b, Sdp.Media m, MediaKind kind) {
        Sdp.Codec codec;
        if (kind == MediaKind.AUDIO) {
            codec = pick(m, "OPUS");
        } else {
            // the preferred codec if every member can receive it, else one they can (no transcoding here)
            String preferred = preferredVideo != null ? preferredVideo : bridge.config().preferH264() ? "H264" : "VP8";
            String other = preferred.equals("H264") ? "VP8" : "H264";
            Sdp.Codec first = pick(m, preferred), second = pick(m, other);
            codec = first != null && (second == null || conference.everyoneReceives(preferred, this)) ? first : second;
        }
        if (codec == null) return false;
        Sdp.Codec rtx = kind == MediaKind.VIDEO ? rtxFor(m, codec) : null;
        int ssrc = 0, rtxSsrc = 0;
        if (!m.fidGroups.isEmpty()) { ssrc = m.fidGroups.get(0)[0]; rtxSsrc = m.fidGroups.get(0)[1]; }
        else if (!m.ssrcs.isEmpty()) ssrc = m.ssrcs.get(0);
        List<Sdp.Codec> codecs = new ArrayList<>();
        codecs.add(codec);
        if (rtx != null) codecs.add(rtx);
        writeMediaHead(b, m, kind, codecs, "recvonly");
        int audioLevel = m.extId(EXT_AUDIO_LEVEL), mid = m.extId(EXT_MID);
        if (audioLevel > 0 && kind == MediaKind.AUDIO) b.append("a=extmap:").append(audioLevel).append(' ').append(EXT_AUDIO_LEVEL).append("\r\n");
        if (mid > 0) { b.append("a=extmap:").append(mid).append(' ').append(EXT_MID).append("\r\n"); midExtId = mid; }

        boolean content = kind == MediaKind.VIDEO && contentMids.contains(m.mid);
        MediaSource existing = published.get(m.mid);
        org.roundtable.bridge.rtp.Keyframes.Codec kc = switch (codec.name) {
            case "OPUS" -> org.roundtable.bridge.rtp.Keyframes.Codec.OPUS;
            case "VP8" -> org.roundtable.bridge.rtp.Keyframes.Codec.VP8;
            default -> org.roundtable.bridge.rtp.Keyframes.Codec.H264;
        };
        if (existing != null && existing.codec == kc && existing.payloadType == codec.pt && existing.content == content
                && (ssrc == 0 || existing.ssrc == ssrc)) {
            return true; // unchanged
        }
        if (existing != null) unpublishMid(m.mid);
        MediaSource s = new MediaSource(ownerId + "-" + (content ? "content" : kind.sdp()) + "-" + m.mid, ownerId, m.mid, kind, kc,
                kind == MediaKind.AUDIO ? 48000 : 90000, codec.pt, rtx == null ? -1 : rtx.pt, ssrc, rtx == null ? 0 : rtxSsrc,
                src -> sendPli(src), content);
        if (kind == MediaKind.AUDIO && audioLevel > 0) s.audioLevelExtId = audioLevel;
        if (!content) s.setPaused(kind == MediaKind.AUDIO ? audioPaused : videoPaused, nowMs());
        published.put(m.mid, s);
        if (ssrc != 0) inbound.put(ssrc, s);
        if (rtxSsrc != 0 && rtx != null) inbound.put(rtxSsrc, s);
        conference.addSource(s);
        return true;
    }

    private void unpublishMid(String mid) {
        MediaSource s = published.remove(mid);
        if (s == null) return;
        if (s.ssrc != 0) inbound.remove(s.ssrc);
        if (s.rtxSsrc != 0) inbound.remove(s.rtxSsrc);
        conference.removeSource(s);
    }

    private void subscribe(StringBuilder b, Sdp.Media m, MediaKind kind, SourcePicker picker, Set<MediaSource> taken) {
        MidState st = new MidState();
        st.kind = kind;
        Sdp.Codec opus = pick(m, "OPUS"), vp8 = pick(m, "VP8"), h264 = pick(m, "H264");
        Sdp.Codec pcmu = pick(m, "PCMU"), pcma = pick(m, "PCMA"), g722 = pick(m, "G722");
        Sdp.Codec vp8Rtx = rtxFor(m, vp8), h264Rtx = rtxFor(m, h264);
        List<Sdp.Codec> codecs = new ArrayList<>();
        if (kind == MediaKind.AUDIO) {
            // Opus from browsers; G.711 from phone legs, forwarded as it is (browsers decode it)
            if (opus != null) { st.opusPt = opus.pt; codecs.add(opus); }
            if (pcmu != null) { st.pcmuPt = pcmu.pt; codecs.add(pcmu); }
            if (pcma != null) { st.pcmaPt = pcma.pt; codecs.add(pcma); }
            if (g722 != null) { st.g722Pt = g722.pt; codecs.add(g722); }
        } else {
            if (vp8 != null) { st.vp8Pt = vp8.pt; codecs.add(vp8); }
            if (vp8Rtx != null) { st.vp8Rtx = vp8Rtx.pt; codecs.add(vp8Rtx); }
            if (h264 != null) { st.h264Pt = h264.pt; codecs.add(h264); }
            if (h264Rtx != null) { st.h264Rtx = h264Rtx.pt; codecs.add(h264Rtx); }
        }
        if (codecs.isEmpty()) { writeMediaHead(b, m, kind, firstCodecs(m), "inactive"); return; }
        mids.put(m.mid, st);
        DownTrack dt = downByMid.get(m.mid);
        if (dt == null) {
            MediaSource s = picker.pick(kind, taken, st.codecs());
            if (s != null) {
                taken.add(s);
                int pt, rtxPt;
                switch (s.codec) {
                    case OPUS: pt = st.opusPt; rtxPt = -1; break;
                    case PCMU: pt = st.pcmuPt; rtxPt = -1; break;
                    case PCMA: pt = st.pcmaPt; rtxPt = -1; break;
                    case G722: pt = st.g722Pt; rtxPt = -1; break;
                    case VP8: pt = st.vp8Pt; rtxPt = st.vp8Rtx; break;
                    default: pt = st.h264Pt; rtxPt = st.h264Rtx; break;
                }
                if (pt >= 0) {
                    int ssrc = newSsrc(), rtxSsrc = rtxPt >= 0 ? newSsrc() : 0;
                    dt = new DownTrack(this, s, m.mid, ssrc, rtxSsrc, pt, rtxPt, RND.nextInt(0x10000), RND.nextInt() & 0xFFFFFFFFL);
                    downByMid.put(m.mid, dt);
                    outbound.put(ssrc, dt);
                    if (rtxSsrc != 0) outbound.put(rtxSsrc, dt);
                    s.addSubscription(dt);
                    if (s.kind == MediaKind.VIDEO) s.requestKeyframe(nowMs()); // a new receiver needs a key frame now
                }
            }
        }
        if (dt == null) {
            writeMediaHead(b, m, kind, codecs, "inactive");
            return;
        }
        writeMediaHead(b, m, kind, codecs, "sendonly");
        String stream = dt.source.content ? dt.source.ownerId + ".content" : dt.source.ownerId, track = dt.source.id;
        b.append("a=msid:").append(stream).append(' ').append(track).append("\r\n");
        if (dt.rtxSsrc != 0) b.append("a=ssrc-group:FID ").append(Integer.toUnsignedString(dt.ssrc)).append(' ').append(Integer.toUnsignedString(dt.rtxSsrc)).append("\r\n");
        for (int s : dt.rtxSsrc != 0 ? new int[] {dt.ssrc, dt.rtxSsrc} : new int[] {dt.ssrc}) {
            b.append("a=ssrc:").append(Integer.toUnsignedString(s)).append(" cname:").append(cname).append("\r\n");
            b.append("a=ssrc:").append(Integer.toUnsignedString(s)).append(" msid:").append(stream).append(' ').append(track).append("\r\n");
        }
    }

    private int newSsrc() {
        int s;
        do { s = RND.nextInt(); } while (s == 0 || outbound.containsKey(s) || s == rtcpSsrc);
        return s;
    }

    private void removeDownTrack(DownTrack dt) {
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
     * component tests that measure the media path without sockets. Media loop (or a single test thread).
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
        if (closed) return false;
        if (req.type != Stun.BINDING_REQUEST) return false; // indications (keepalives) and responses need nothing
        if (!Stun.checkFingerprint(b, off, req) || !Stun.checkIntegrity(b, off, req, localPwd)) {
            bridge.metrics.drop(DropReason.STUN_BAD_INTEGRITY);
            via.write(bridge.alloc().heapBuffer(64).writeBytes(Stun.bindingError(req.transactionId, 401, "Unauthorized")));
            return false;
        }
        if (req.username == null || remoteUfrag == null || !req.username.equals(localUfrag + ":" + remoteUfrag)) {
            // Checks can race the answer; accept any remote ufrag before we know it.
            if (req.username == null || !req.username.startsWith(localUfrag + ":")) {
                bridge.metrics.drop(DropReason.STUN_UNKNOWN_USER);
                return false;
            }
        }
        via.write(bridge.alloc().heapBuffer(96).writeBytes(Stun.bindingSuccess(req.transactionId, from, localPwd)));
        lastStunAtMs = nowMs();
        if (path == null || req.useCandidate) {
            boolean first = path == null;
            if (path == null || !path.describe().equals(via.describe())) {
                path = via;
                if (from != null && addresses.add(from)) bridge.bindAddress(from, this);
            }
            if (first) {
                bridge.metrics.iceSeconds.observe((nowMs() - createdAtMs) / 1000.0);
                startDtls();
            }
        }
        return true;
    }

    private void startDtls() {
        if (dtls != null) return;
        if (!bridge.reserveDtls()) { close("too many DTLS handshakes in progress"); return; }
        dtlsPending = true;
        dtlsStartNs = System.nanoTime();
        dtls = new DtlsSession(bridge.certificate(), dtlsClient, remoteFingerprint,
                (buf, o, l) -> bridge.execute(() -> {
                    if (path != null && !closed) {
                        path.write(bridge.alloc().heapBuffer(l).writeBytes(buf, o, l));
                        bridge.flush();
                    }
                }),
                keys -> bridge.execute(() -> onDtlsDone(keys)),
                err -> bridge.execute(() -> {
                    bridge.metrics.dtlsFailures.inc();
                    endDtls();
                    close("DTLS failed: " + err.getMessage());
                }),
                bridge.config().dtlsTimeoutMs());
        bridge.startDtls(dtls);
    }

    private void endDtls() {
        if (dtlsPending) { dtlsPending = false; bridge.dtlsEnded(); }
    }

    private void onDtlsDone(DtlsSession.SrtpKeys keys) {
        endDtls();
        if (closed) return;
        srtp = new SrtpSession(keys);
        connectedAtMs = nowMs();
        bridge.metrics.dtlsSeconds.observe((System.nanoTime() - dtlsStartNs) / 1e9);
        for (DownTrack dt : downByMid.values()) if (dt.source != null) dt.source.requestKeyframe(nowMs());
        listener.onConnected(this);
    }

    public void onDtls(byte[] b, int off, int len) {
        // After the handshake we need nothing more from DTLS (keys are exported; peers close with ICE/signalling).
        if (dtls == null || closed || srtp != null) { bridge.metrics.drop(DropReason.DTLS_UNEXPECTED); return; }
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        if (!dtls.offer(copy)) bridge.metrics.drop(DropReason.DTLS_QUEUE_FULL);
    }

    /** An SRTP or SRTCP packet (already demultiplexed by first byte); buf is released by the caller. */
    public void onSrtp(ByteBuf buf) {
        if (srtp == null || closed) { bridge.metrics.drop(DropReason.NOT_CONNECTED); return; }
        byte[] a = buf.array();
        int off = buf.arrayOffset() + buf.readerIndex();
        int len = buf.readableBytes();
        if (Rtcp.looksLikeRtcp(a, off, len)) { onSrtcp(a, off, len); return; }
        if (len < RtpPacket.FIXED_HEADER || RtpPacket.headerLength(a, off, len) < 0) { bridge.metrics.drop(DropReason.MALFORMED_RTP); return; }
        int ssrc = RtpPacket.ssrc(a, off);
        MediaSource src = inbound.get(ssrc);
        boolean learning = false;
        if (src == null && midExtId > 0) { src = sourceByMid(a, off, len); learning = src != null; }
        if (src == null) { bridge.metrics.drop(DropReason.UNKNOWN_SSRC); return; }
        int n = srtp.unprotectRtp(a, off, len, ssrc);
        if (n < 0) {
            bridge.metrics.drop(n == -2 ? DropReason.SRTP_REPLAY : DropReason.SRTP_AUTH);
            if (n != -2) bridge.metrics.srtpUnprotectFailures.inc();
            return;
        }
        // The SSRC is learned only from a packet that authenticated (the MID it names was in clear text).
        if (learning) { src.ssrc = ssrc; inbound.put(ssrc, src); }
        if (src.kind == MediaKind.AUDIO) { bridge.metrics.audioPktsIn.inc(); bridge.metrics.audioBytesIn.inc(len); }
        else { bridge.metrics.videoPktsIn.inc(); bridge.metrics.videoBytesIn.inc(len); }
        if (!RtpPacket.isValid(a, off, n)) { bridge.metrics.drop(DropReason.MALFORMED_RTP); return; }
        int hdr = RtpPacket.headerLength(a, off, n);
        boolean rtx = ssrc == src.rtxSsrc && src.rtxSsrc != 0;
        if (rtx) {
            int plen = RtpPacket.payloadLength(a, off, n);
            if (plen < 2) { bridge.metrics.drop(DropReason.PADDING); return; }
            // RFC 4588: restore the original sequence number, payload type and SSRC; drop the OSN field.
            int osn = RtpPacket.u16(a, off + hdr);
            System.arraycopy(a, off + hdr + 2, a, off + hdr, n - hdr - 2);
            n -= 2;
            RtpPacket.setSequence(a, off, osn);
            RtpPacket.setPayloadType(a, off, src.payloadType);
            RtpPacket.setSsrc(a, off, src.ssrc);
        } else if (RtpPacket.payloadLength(a, off, n) <= 0) {
            bridge.metrics.drop(DropReason.PADDING);
            return;
        }
        if (RtpPacket.payloadType(a, off) != src.payloadType) { bridge.metrics.drop(DropReason.UNKNOWN_SSRC); return; }
        src.route(buf, off, n, hdr, nowMs(), rtx);
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

    /** Receive state created by authenticated packets only (for tests that play the attacker). Media loop only. */
    public int inboundSsrcCount() { return inbound.size(); }
    public SrtpSession srtpSession() { return srtp; }

    private void onSrtcp(byte[] a, int off, int len) {
        if (len < 8 + 4) { bridge.metrics.drop(DropReason.MALFORMED_RTCP); return; }
        int sender = RtpPacket.i32(a, off + 4);
        int n = srtp.unprotectRtcp(a, off, len, sender);
        if (n < 0) { bridge.metrics.drop(DropReason.SRTP_AUTH); bridge.metrics.srtpUnprotectFailures.inc(); return; }
        bridge.metrics.rtcpPktsIn.inc();
        bridge.metrics.rtcpBytesIn.inc(len);
        if (!Rtcp.isValidCompound(a, off, n)) { bridge.metrics.drop(DropReason.MALFORMED_RTCP); return; }
        long now = nowMs();
        for (int p = off, end = off + n; p < end; p += Rtcp.length(a, p)) {
            int type = Rtcp.packetType(a, p), l = Rtcp.length(a, p);
            if (type == Rtcp.SR && l >= 28) {
                MediaSource s = inbound.get(Rtcp.senderSsrc(a, p));
                if (s != null) {
                    s.lastSrNtpMiddle = ((RtpPacket.u32(a, p + 8) & 0xFFFF) << 16) | (RtpPacket.u32(a, p + 12) >>> 16);
                    s.lastSrAtMs = now;
                    s.senderClock.update(RtpPacket.u32(a, p + 8), RtpPacket.u32(a, p + 12), RtpPacket.u32(a, p + 16));
                }
            } else if (type == Rtcp.PSFB && l >= 12) {
                int fmt = Rtcp.fmt(a, p);
                int media = fmt == Rtcp.FMT_FIR && l >= 20 ? RtpPacket.i32(a, p + 12) : Rtcp.mediaSsrc(a, p);
                if (fmt == Rtcp.FMT_PLI || fmt == Rtcp.FMT_FIR) {
                    DownTrack dt = outbound.get(media);
                    if (dt != null && dt.source != null) dt.source.requestKeyframe(now);
                }
            } else if (type == Rtcp.RTPFB && Rtcp.fmt(a, p) == Rtcp.FMT_NACK && l >= 16) {
                DownTrack dt = outbound.get(Rtcp.mediaSsrc(a, p));
                if (dt == null) continue;
                for (int q = p + 12; q + 4 <= p + l; q += 4) {
                    int pid = RtpPacket.u16(a, q), blp = RtpPacket.u16(a, q + 2);
                    nack(dt, pid, now);
                    for (int i = 0; i < 16; i++) if ((blp & (1 << i)) != 0) nack(dt, (pid + i + 1) & 0xFFFF, now);
                }
            }
            if ((type == Rtcp.RR || type == Rtcp.SR) && l >= 8) roundTrips(a, p);
        }
    }

    /** Serves one NACKed sequence number within this receiver's per-second budget. */
    private void nack(DownTrack dt, int outSeq, long now) {
        if (now - nackWindowStartMs >= 1000) { nackWindowStartMs = now; nacksInWindow = 0; }
        if (nacksInWindow >= bridge.config().limits().nacksPerSecond()) { bridge.metrics.drop(DropReason.NACK_OVER_BUDGET); return; }
        int r = dt.retransmit(outSeq, now);
        if (r == DownTrack.RESENT) nacksInWindow++;
        else if (r == DownTrack.RECENTLY_RESENT) bridge.metrics.drop(DropReason.NACK_RECENTLY_SENT);
    }

    /** Round trips to this receiver from the report blocks (about our SRs) of its SR or RR at p (RFC 3550 6.4.1). */
    private void roundTrips(byte[] a, int p) {
        long nowMiddle = -1;
        for (int i = 0, q; (q = Rtcp.reportBlock(a, p, i)) >= 0; i++) {
            long lsr = Rtcp.blockLsr(a, q);
            if (lsr == 0) continue;
            DownTrack dt = outbound.get(Rtcp.blockSsrc(a, q));
            if (dt == null || dt.ssrc != Rtcp.blockSsrc(a, q)) continue;
            if (nowMiddle < 0) nowMiddle = Rtcp.ntpMiddle(Rtcp.ntpFromMillis(System.currentTimeMillis()));
            long rtt = (nowMiddle - lsr - Rtcp.blockDlsr(a, q)) & 0xFFFFFFFFL;   // 1/65536 s
            if (rtt < 0x80000000L) dt.rttMs = Math.max(1, rtt * 1000 / 65536);
        }
    }

    // ------------------------------------------------------------------ egress

    /**
     * Writes one RTP packet for a down-track: our header (no extensions) and the source's payload are
     * built and SRTP-protected in the loop's scratch array (no allocation), then copied once into a
     * pooled direct buffer that the socket sends from (Netty would otherwise copy a heap buffer itself).
     */
    void sendRtp(DownTrack dt, byte[] a, int off, int len, int hdr, int seq, long ts, boolean retransmission) {
        int payload = len - hdr;
        boolean asRtx = retransmission && dt.rtxPayloadType >= 0;
        int outLen = RtpPacket.FIXED_HEADER + (asRtx ? 2 : 0) + payload;
        byte[] o = bridge.scratch();
        if (outLen + SrtpSession.MAX_TRAILER > o.length) { bridge.metrics.drop(DropReason.MALFORMED_RTP); return; }
        o[0] = (byte) (0x80 | (a[off] & 0x20));
        o[1] = (byte) ((a[off + 1] & 0x80) | (asRtx ? dt.rtxPayloadType : dt.payloadType));
        int ssrc;
        if (asRtx) {
            dt.rtxSeq = (dt.rtxSeq + 1) & 0xFFFF;
            RtpPacket.setSequence(o, 0, dt.rtxSeq);
            RtpPacket.putU16(o, 12, seq);
            ssrc = dt.rtxSsrc;
        } else {
            RtpPacket.setSequence(o, 0, seq);
            ssrc = dt.ssrc;
        }
        RtpPacket.setTimestamp(o, 0, ts);
        RtpPacket.setSsrc(o, 0, ssrc);
        System.arraycopy(a, off + hdr, o, outLen - payload, payload);
        int n = srtp.protectRtp(o, 0, outLen, o.length, ssrc);
        if (n < 0) { bridge.metrics.srtpProtectFailures.inc(); return; }
        ByteBuf out = bridge.alloc().directBuffer(n);
        out.writeBytes(o, 0, n);
        if (!retransmission) { dt.packetsSent++; dt.octetsSent += payload; }
        else bridge.metrics.retransmissions.inc();
        if (dt.kind == MediaKind.AUDIO) { bridge.metrics.audioPktsOut.inc(); bridge.metrics.audioBytesOut.inc(n); }
        else { bridge.metrics.videoPktsOut.inc(); bridge.metrics.videoBytesOut.inc(n); }
        path.write(out);
    }

    private void sendRtcp(byte[] b, int len) {
        if (!mediaReady()) return;
        ByteBuf out = bridge.alloc().heapBuffer(len + SrtpSession.MAX_TRAILER);
        out.writeBytes(b, 0, len);
        int n = srtp.protectRtcp(out.array(), out.arrayOffset(), len, out.capacity(), rtcpSsrc);
        if (n < 0) { out.release(); bridge.metrics.srtpProtectFailures.inc(); return; }
        out.writerIndex(n);
        bridge.metrics.rtcpPktsOut.inc();
        bridge.metrics.rtcpBytesOut.inc(n);
        path.write(out);
    }

    private void sendPli(MediaSource s) {
        if (!mediaReady() || s.ssrc == 0) return;
        byte[] b = new byte[12];
        Rtcp.writePli(b, 0, rtcpSsrc, s.ssrc);
        sendRtcp(b, 12);
        bridge.metrics.keyframeRequests.inc();
    }

    /** Periodic RTCP: RR (+REMB) for what we receive, SR for what we send. Called on the media loop. */
    /**
     * Whether every track the member publishes has a sender clock: only then are SRs for its tracks built
     * from that clock (a receiver compares the NTP times of a member's tracks, which must be one clock).
     */
    private boolean senderClocksKnown(String ownerId) {
        boolean any = false;
        for (MediaSource s : conference.sources()) {
            if (!s.ownerId.equals(ownerId) || s.content) continue;
            if (!s.senderClock.known()) return false;
            any = true;
        }
        return any;
    }

    public void sendReports(long now) {
        if (!mediaReady()) return;
        byte[] b = new byte[1200];
        int p = 0;
        List<MediaSource> srcs = new ArrayList<>();
        for (MediaSource s : published.values()) if (s.ssrc != 0 && s.receivedPackets() > 0) srcs.add(s);
        int blocks = Math.min(srcs.size(), 31);
        p += Rtcp.writeRrHeader(b, p, rtcpSsrc, blocks);
        for (int i = 0; i < blocks; i++) p += srcs.get(i).writeReportBlock(b, p, now);
        int[] video = new int[4];
        int nv = 0;
        for (MediaSource s : srcs) if (s.kind == MediaKind.VIDEO && nv < 4) video[nv++] = s.ssrc;
        if (nv > 0) p += Rtcp.writeRemb(b, p, rtcpSsrc, bridge.config().rembBps(), video, nv);
        sendRtcp(b, p);
        for (DownTrack dt : downByMid.values()) {
            if (dt.packetsSent == 0) continue;
            long ts, ntp;
            MediaSource src = dt.source;
            if (src != null && dt.rewriter.started() && senderClocksKnown(src.ownerId)) {
                // lip sync: the publisher's own RTP-to-wall-clock mapping, moved to the rewritten time stamps
                // (as Jitsi Videobridge does), so a receiver lines up this member's audio and video as they were captured
                ts = dt.lastOutTs();
                ntp = Rtcp.ntpFromNtpMillis(src.senderClock.captureMs(dt.rewriter.toSourceTs(ts)));
            } else {
                ts = dt.lastOutTs() + (now - dt.lastOutAtMs()) * dt.clockRate() / 1000;
                ntp = Rtcp.ntpFromMillis(System.currentTimeMillis());
            }
            int l = Rtcp.writeSr(b, 0, dt.ssrc, ntp, ts, dt.packetsSent, dt.octetsSent);
            sendRtcp(b, l);
        }
    }

    /** Consent and set-up timeouts. Returns the reason to close, or null. */
    public String checkTimeouts(long now) {
        if (closed) return null;
        long timeout = bridge.config().iceTimeoutMs();
        if (srtp == null && now - createdAtMs > timeout + bridge.config().dtlsTimeoutMs()) return "ICE/DTLS did not complete";
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
        if (dtls != null) dtls.close();
        endDtls();
        if (srtp != null) srtp.close();
        srtp = null;
        bridge.forget(this, addresses);
        listener.onClosed(this, reason);
    }

    @Override public String toString() { return "endpoint " + id + " of " + ownerId; }
}
