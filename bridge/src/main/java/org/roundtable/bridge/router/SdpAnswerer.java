package org.roundtable.bridge.router;

import static org.roundtable.bridge.router.SdpSections.firstCodecs;
import static org.roundtable.bridge.router.SdpSections.pick;
import static org.roundtable.bridge.router.SdpSections.rejectMedia;
import static org.roundtable.bridge.router.SdpSections.rtxFor;
import static org.roundtable.bridge.router.SdpSections.writeMediaHead;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.bridge.sdp.Sdp;

/**
 * An endpoint's offer/answer (the server only answers): checks an offer against the bridge's rules and
 * limits, turns its publishing sections into {@link MediaSource}s in the conference and its receive-only
 * sections into {@link DownTrack}s of sources a {@link Endpoint.SourcePicker} chooses, and writes the
 * answer. Remembers the video codecs the client can send and receive, for the codec every member can
 * receive. Thread: the media loop.
 */
final class SdpAnswerer {
    private final Endpoint ep;

    /** Video codecs this endpoint's last offer can receive, and send ("VP8", "H264"); null before an offer with video. */
    private Set<String> videoReceivable, videoSendable;
    /** The codec this client asked to publish in ("VP8", "H264"), or null for the bridge's default. */
    private String preferredVideo;
    private int sdpVersion;
    private Set<String> contentMids = Set.of();
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

    SdpAnswerer(Endpoint ep) { this.ep = ep; }

    void preferVideo(String codec) { preferredVideo = codec; }
    boolean canReceiveVideo(String codec) { return videoReceivable == null || videoReceivable.contains(codec); }
    Set<String> videoSendable() { return videoSendable; }

    /** See {@link Endpoint#negotiate(Sdp, Endpoint.SourcePicker, Set, Set)}. */
    String negotiate(Sdp offer, Endpoint.SourcePicker picker, Set<String> contentMids, Set<String> refusedMids) throws Sdp.SdpException {
        this.contentMids = contentMids == null ? Set.of() : contentMids;
        Set<String> refused = refusedMids == null ? Set.of() : refusedMids;
        if (ep.closed) throw new Sdp.SdpException("endpoint closed");
        Sdp.Media first = null;
        for (Sdp.Media m : offer.media) if (m.active() && MediaKind.of(m.kind) != null) { first = m; break; }
        if (first == null) throw new Sdp.SdpException("offer has no audio or video section");
        if (first.iceUfrag == null || first.icePwd == null) throw new Sdp.SdpException("offer lacks ICE credentials");
        if (first.fingerprint == null) throw new Sdp.SdpException("offer lacks a DTLS fingerprint");
        BridgeConfig.Limits lim = ep.host.config().limits();
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
        ep.transport.applyOffer(setup, first.fingerprint, first.iceUfrag, first.icePwd);
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
        ep.conference.negotiated(ep);

        StringBuilder body = new StringBuilder();
        List<String> bundle = new ArrayList<>();
        Set<String> seenMids = new HashSet<>();
        Set<MediaSource> taken = new HashSet<>();
        // keep existing receive assignments where still valid
        for (Sdp.Media m : offer.media) {
            DownTrack dt = m.mid == null ? null : ep.downByMid.get(m.mid);
            if (dt == null) continue;
            if (m.active() && !m.sends() && m.receives() && dt.source != null && ep.conference.hasSource(dt.source) && picker.keep(dt.source)) {
                taken.add(dt.source);
            } else {
                ep.removeDownTrack(dt);
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
                ep.unpublishMid(m.mid);
                writeMediaHead(body, ep, m, kind, firstCodecs(m), "inactive");
            } else if (m.sends()) {
                if (!publish(body, m, kind)) { rejectMedia(body, m); continue; }
            } else if (m.receives()) {
                subscribe(body, m, kind, picker, taken);
            } else {
                ep.unpublishMid(m.mid);
                writeMediaHead(body, ep, m, kind, firstCodecs(m), "inactive");
            }
            bundle.add(m.mid);
        }
        // sources whose m-line disappeared or stopped sending
        for (String mid : new ArrayList<>(ep.published.keySet())) {
            boolean still = false;
            for (Sdp.Media m : offer.media) if (mid.equals(m.mid) && m.active() && m.sends() && !refused.contains(m.mid)) still = true;
            if (!still) ep.unpublishMid(mid);
        }
        if (lostCodec) ep.conference.receiverCapabilitiesChanged(ep);
        StringBuilder sdp = new StringBuilder(2048);
        sdp.append("v=0\r\n")
           .append("o=roundtable ").append(Integer.toUnsignedString(ep.rtcpSsrc)).append(' ').append(++sdpVersion).append(" IN IP4 0.0.0.0\r\n")
           .append("s=-\r\nt=0 0\r\na=ice-lite\r\n");
        if (!bundle.isEmpty()) sdp.append("a=group:BUNDLE ").append(String.join(" ", bundle)).append("\r\n");
        sdp.append("a=msid-semantic: WMS *\r\n");
        sdp.append(body);
        return sdp.toString();
    }

    private boolean publish(StringBuilder b, Sdp.Media m, MediaKind kind) {
        Sdp.Codec codec;
        if (kind == MediaKind.AUDIO) {
            codec = pick(m, "OPUS");
        } else {
            // the preferred codec if every member can receive it, else one they can (no transcoding here)
            String preferred = preferredVideo != null ? preferredVideo : ep.host.config().preferH264() ? "H264" : "VP8";
            String other = preferred.equals("H264") ? "VP8" : "H264";
            Sdp.Codec first = pick(m, preferred), second = pick(m, other);
            codec = first != null && (second == null || ep.conference.everyoneReceives(preferred, ep)) ? first : second;
        }
        if (codec == null) return false;
        Sdp.Codec rtx = kind == MediaKind.VIDEO ? rtxFor(m, codec) : null;
        int ssrc = 0, rtxSsrc = 0;
        if (!m.fidGroups.isEmpty()) { ssrc = m.fidGroups.get(0)[0]; rtxSsrc = m.fidGroups.get(0)[1]; }
        else if (!m.ssrcs.isEmpty()) ssrc = m.ssrcs.get(0);
        List<Sdp.Codec> codecs = new ArrayList<>();
        codecs.add(codec);
        if (rtx != null) codecs.add(rtx);
        writeMediaHead(b, ep, m, kind, codecs, "recvonly");
        int audioLevel = m.extId(Endpoint.EXT_AUDIO_LEVEL), mid = m.extId(Endpoint.EXT_MID);
        if (audioLevel > 0 && kind == MediaKind.AUDIO) b.append("a=extmap:").append(audioLevel).append(' ').append(Endpoint.EXT_AUDIO_LEVEL).append("\r\n");
        if (mid > 0) { b.append("a=extmap:").append(mid).append(' ').append(Endpoint.EXT_MID).append("\r\n"); ep.midExtId = mid; }

        boolean content = kind == MediaKind.VIDEO && contentMids.contains(m.mid);
        MediaSource existing = ep.published.get(m.mid);
        Keyframes.Codec kc = switch (codec.name) {
            case "OPUS" -> Keyframes.Codec.OPUS;
            case "VP8" -> Keyframes.Codec.VP8;
            default -> Keyframes.Codec.H264;
        };
        if (existing != null && existing.codec == kc && existing.payloadType == codec.pt && existing.content == content
                && (ssrc == 0 || existing.ssrc == ssrc)) {
            return true; // unchanged
        }
        if (existing != null) ep.unpublishMid(m.mid);
        MediaSource s = new MediaSource(ep.ownerId + "-" + (content ? "content" : kind.sdp()) + "-" + m.mid, ep.ownerId, m.mid, kind, kc,
                kind == MediaKind.AUDIO ? 48000 : 90000, codec.pt, rtx == null ? -1 : rtx.pt, ssrc, rtx == null ? 0 : rtxSsrc,
                src -> ep.rtcp.sendPli(src), content, ep.host.config().tuning().nackCachePackets());
        if (kind == MediaKind.AUDIO && audioLevel > 0) s.audioLevelExtId = audioLevel;
        if (!content) s.setPaused(kind == MediaKind.AUDIO ? ep.audioPaused : ep.videoPaused, ep.nowMs());
        ep.published.put(m.mid, s);
        if (ssrc != 0) ep.inbound.put(ssrc, s);
        if (rtxSsrc != 0 && rtx != null) ep.inbound.put(rtxSsrc, s);
        ep.conference.addSource(s);
        return true;
    }

    private void subscribe(StringBuilder b, Sdp.Media m, MediaKind kind, Endpoint.SourcePicker picker, Set<MediaSource> taken) {
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
        if (codecs.isEmpty()) { writeMediaHead(b, ep, m, kind, firstCodecs(m), "inactive"); return; }
        mids.put(m.mid, st);
        DownTrack dt = ep.downByMid.get(m.mid);
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
                    dt = new DownTrack(ep, s, m.mid, ssrc, rtxSsrc, pt, rtxPt, Endpoint.RND.nextInt(0x10000), Endpoint.RND.nextInt() & 0xFFFFFFFFL);
                    ep.downByMid.put(m.mid, dt);
                    ep.outbound.put(ssrc, dt);
                    if (rtxSsrc != 0) ep.outbound.put(rtxSsrc, dt);
                    s.addSubscription(dt);
                    if (s.kind == MediaKind.VIDEO) s.requestKeyframe(ep.nowMs()); // a new receiver needs a key frame now
                }
            }
        }
        if (dt == null) {
            writeMediaHead(b, ep, m, kind, codecs, "inactive");
            return;
        }
        writeMediaHead(b, ep, m, kind, codecs, "sendonly");
        String stream = dt.source.content ? dt.source.ownerId + ".content" : dt.source.ownerId, track = dt.source.id;
        b.append("a=msid:").append(stream).append(' ').append(track).append("\r\n");
        if (dt.rtxSsrc != 0) b.append("a=ssrc-group:FID ").append(Integer.toUnsignedString(dt.ssrc)).append(' ').append(Integer.toUnsignedString(dt.rtxSsrc)).append("\r\n");
        for (int s : dt.rtxSsrc != 0 ? new int[] {dt.ssrc, dt.rtxSsrc} : new int[] {dt.ssrc}) {
            b.append("a=ssrc:").append(Integer.toUnsignedString(s)).append(" cname:").append(ep.cname).append("\r\n");
            b.append("a=ssrc:").append(Integer.toUnsignedString(s)).append(" msid:").append(stream).append(' ').append(track).append("\r\n");
        }
    }

    private int newSsrc() {
        int s;
        do { s = Endpoint.RND.nextInt(); } while (s == 0 || ep.outbound.containsKey(s) || s == ep.rtcpSsrc);
        return s;
    }
}
