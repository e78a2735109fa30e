package org.roundtable.bridge.fuzz;

import io.netty.buffer.ByteBuf;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Set;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.bridge.transport.MediaPath;

/**
 * A bridge that is never started (no sockets): endpoints negotiate and, connected with fixed SRTP keys,
 * take packets on the calling thread, which stands in for the media loop.
 */
final class Harness {
    static final SrtpKeys KEYS = new SrtpKeys(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, new byte[16], new byte[12], new byte[16], new byte[12]);
    static final MediaPath SINK = new MediaPath() {
        @Override public void write(ByteBuf b) { b.release(); }
        @Override public boolean isOpen() { return true; }
        @Override public String describe() { return "sink"; }
    };
    static final String EXT_MID = "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
    /** Video with RTX (SSRCs 42 and 43, FID), audio whose SSRC is learned from the MID extension. */
    static final String PUB = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\na=fingerprint:sha-256 00\r\n"
            + "a=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\n"
            + "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n" + EXT_MID + "a=ssrc-group:FID 42 43\r\na=ssrc:42 cname:x\r\na=ssrc:43 cname:x\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n"
            + "a=rtpmap:111 opus/48000/2\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" + EXT_MID;
    static final String SUB = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\na=fingerprint:sha-256 00\r\n"
            + "a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\n"
            + "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";

    final Bridge bridge = new Bridge(new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 1_000_000, false, 30_000, 10_000, 1),
            new BridgeMetrics(new PrometheusRegistry()));

    /** Picks any source of the kind not taken and not the endpoint's own. */
    static Endpoint.SourcePicker picker(Conference c, String self) {
        return new Endpoint.SourcePicker() {
            @Override public MediaSource pick(MediaKind kind, Set<MediaSource> taken, Set<String> codecs) {
                for (MediaSource s : c.sources()) if (s.kind == kind && !taken.contains(s) && !s.ownerId.equals(self)) return s;
                return null;
            }
        };
    }
}
