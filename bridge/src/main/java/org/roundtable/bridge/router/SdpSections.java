package org.roundtable.bridge.router;

import java.util.List;
import org.roundtable.bridge.sdp.Sdp;

/**
 * Pieces of an SDP answer, one media section at a time: the section head (transport, ICE-lite
 * credentials, DTLS fingerprint and role, codecs with their feedback, candidates), a rejected section,
 * and choosing a codec (and its RTX) from an offered section. Stateless. Thread: the media loop.
 */
final class SdpSections {
    private SdpSections() {}

    /** The section's first codec alone, or none (an m-line may list no payload type). */
    static List<Sdp.Codec> firstCodecs(Sdp.Media m) {
        return m.codecs.isEmpty() ? List.of() : List.of(m.codecs.get(0));
    }

    static void rejectMedia(StringBuilder b, Sdp.Media m) {
        b.append("m=").append(m.kind).append(" 0 ").append(m.proto).append(' ');
        if (m.codecs.isEmpty()) b.append(m.kind.equals("application") ? "webrtc-datachannel" : "0");
        else b.append(m.codecs.get(0).pt);
        b.append("\r\nc=IN IP4 0.0.0.0\r\n");
        if (m.mid != null) b.append("a=mid:").append(m.mid).append("\r\n");
        b.append("a=inactive\r\n");
    }

    static void writeMediaHead(StringBuilder b, Endpoint ep, Sdp.Media m, MediaKind kind, List<Sdp.Codec> codecs, String direction) {
        b.append("m=").append(kind.sdp()).append(" 9 UDP/TLS/RTP/SAVPF");
        for (Sdp.Codec c : codecs) if (c != null) b.append(' ').append(c.pt);
        b.append("\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n");
        b.append("a=ice-ufrag:").append(ep.localUfrag).append("\r\n");
        b.append("a=ice-pwd:").append(ep.localPwd).append("\r\n");
        b.append("a=fingerprint:").append(ep.host.certificate().fingerprint).append("\r\n");
        b.append("a=setup:").append(ep.transport.dtlsClient() ? "active" : "passive").append("\r\n");
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
        for (String cand : ep.host.candidates()) b.append("a=candidate:").append(cand).append("\r\n");
        b.append("a=end-of-candidates\r\n");
    }

    /** The offered codec of this name we use (H.264: packetization-mode 1, constrained baseline first), or null. */
    static Sdp.Codec pick(Sdp.Media m, String name) {
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

    /** The RTX codec offered for primary, or null. */
    static Sdp.Codec rtxFor(Sdp.Media m, Sdp.Codec primary) {
        if (primary == null) return null;
        for (Sdp.Codec c : m.codecs) if ("RTX".equals(c.name) && c.apt() == primary.pt) return c;
        return null;
    }
}
