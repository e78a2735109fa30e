package org.roundtable.signaling.sip;

/**
 * Our SDP for one SIP call's negotiated codec (answers, and re-INVITE answers): the codec and
 * telephone-event with the payload types, rtpmap and fmtp the offer gave them (RFC 3264 section 6.1),
 * where our RTCP is (a=rtcp-mux, or a=rtcp with its port), SDES crypto; the version grows with each new
 * answer. Thread: JAIN-SIP's listener threads, serialised by {@link #next}.
 */
final class LocalSdp {
    /** One payload format: its number, rtpmap value ("opus/48000/2") and fmtp ("" for none). */
    record Format(int pt, String rtpmap, String fmtp) {}

    private final long session = Long.parseLong(SipIds.hex(3), 16);
    final int port, pt, eventPt;
    final String address, proto, crypto, rtcp;
    final Format codec, event;
    private long version = 1;

    /** event: null for none; rtcp: our RTCP lines (with CRLF) or ""; crypto: our a=crypto line (with CRLF), or "". */
    LocalSdp(String address, int port, String proto, Format codec, Format event, String rtcp, String crypto) {
        this.address = address; this.port = port; this.proto = proto; this.codec = codec; this.event = event;
        this.rtcp = rtcp; this.crypto = crypto;
        this.pt = codec.pt();
        this.eventPt = event == null ? -1 : event.pt();
    }

    /** Our RTCP lines: a=rtcp-mux when multiplexed, else a=rtcp with our RTCP port (RFC 3605). */
    static String rtcpLines(boolean mux, int rtcpPort) {
        return mux ? "a=rtcp-mux\r\n" : rtcpPort > 0 ? "a=rtcp:" + rtcpPort + "\r\n" : "";
    }

    private static String lines(Format f) {
        return "a=rtpmap:" + f.pt() + " " + f.rtpmap() + "\r\n" + (f.fmtp().isEmpty() ? "" : "a=fmtp:" + f.pt() + " " + f.fmtp() + "\r\n");
    }

    /** The SDP at the current version. */
    synchronized String text(String direction) {
        return "v=0\r\no=roundtable " + session + " " + version + " IN IP4 " + address + "\r\ns=Roundtable\r\n"
                + "c=IN IP4 " + address + "\r\nt=0 0\r\nm=audio " + port + " " + proto + " " + pt + (event != null ? " " + eventPt : "") + "\r\n"
                + lines(codec) + (event != null ? lines(event) : "")
                + rtcp + crypto + "a=ptime:20\r\na=" + direction + "\r\n";
    }

    /** The next version (a new answer in the same session). */
    synchronized String next(String direction) {
        version++;
        return text(direction);
    }

    /** The direction that answers an offered one. */
    static String answerDirection(String offered) {
        return switch (offered) { case "sendonly" -> "recvonly"; case "recvonly" -> "sendonly"; case "inactive" -> "inactive"; default -> "sendrecv"; };
    }
}
