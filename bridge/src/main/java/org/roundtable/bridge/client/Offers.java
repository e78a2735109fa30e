package org.roundtable.bridge.client;

import org.roundtable.bridge.dtls.DtlsCertificate;

/**
 * SDP offers for headless clients (tests, the load generator): BUNDLE, rtcp-mux, actpass DTLS, Opus and
 * VP8 (with RTX when an RTX SSRC is given), sendonly sections with SSRCs and recvonly ones without.
 * Thread: any; stateless.
 */
public final class Offers {
    private Offers() {}

    /** sendonly audio/video with the given SSRCs (0: none), then recvAudio and recvVideo recvonly sections. */
    public static String offer(String ufrag, String pwd, DtlsCertificate cert, int audioSsrc, int videoSsrc, int videoRtxSsrc,
                               int recvAudio, int recvVideo) {
        StringBuilder s = new StringBuilder("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        StringBuilder mids = new StringBuilder(), body = new StringBuilder();
        int mid = 0;
        if (audioSsrc != 0) { audio(body, ufrag, pwd, cert, mid, "sendonly", audioSsrc); mids.append(' ').append(mid++); }
        if (videoSsrc != 0) { video(body, ufrag, pwd, cert, mid, "sendonly", videoSsrc, videoRtxSsrc); mids.append(' ').append(mid++); }
        for (int i = 0; i < recvAudio; i++) { audio(body, ufrag, pwd, cert, mid, "recvonly", 0); mids.append(' ').append(mid++); }
        for (int i = 0; i < recvVideo; i++) { video(body, ufrag, pwd, cert, mid, "recvonly", 0, 0); mids.append(' ').append(mid++); }
        return s.append("a=group:BUNDLE").append(mids).append("\r\n").append(body).toString();
    }

    private static void common(StringBuilder b, String ufrag, String pwd, DtlsCertificate cert, int mid, String dir) {
        b.append("c=IN IP4 0.0.0.0\r\na=ice-ufrag:").append(ufrag).append("\r\na=ice-pwd:").append(pwd)
         .append("\r\na=fingerprint:").append(cert.fingerprint).append("\r\na=setup:actpass\r\na=mid:").append(mid)
         .append("\r\na=").append(dir).append("\r\na=rtcp-mux\r\n");
    }

    private static void audio(StringBuilder b, String ufrag, String pwd, DtlsCertificate cert, int mid, String dir, int ssrc) {
        b.append("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
        common(b, ufrag, pwd, cert, mid, dir);
        b.append("a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n");
        if (ssrc != 0) b.append("a=ssrc:").append(Integer.toUnsignedString(ssrc)).append(" cname:load\r\n");
    }

    private static void video(StringBuilder b, String ufrag, String pwd, DtlsCertificate cert, int mid, String dir, int ssrc, int rtxSsrc) {
        b.append("m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n");
        common(b, ufrag, pwd, cert, mid, dir);
        b.append("a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 goog-remb\r\n")
         .append("a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n");
        if (ssrc == 0) return;
        if (rtxSsrc != 0) b.append("a=ssrc-group:FID ").append(Integer.toUnsignedString(ssrc)).append(' ').append(Integer.toUnsignedString(rtxSsrc)).append("\r\n");
        b.append("a=ssrc:").append(Integer.toUnsignedString(ssrc)).append(" cname:load\r\n");
        if (rtxSsrc != 0) b.append("a=ssrc:").append(Integer.toUnsignedString(rtxSsrc)).append(" cname:load\r\n");
    }
}
