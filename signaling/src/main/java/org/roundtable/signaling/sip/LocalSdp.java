package org.roundtable.signaling.sip;

/**
 * Our SDP for one SIP call's negotiated codec (answers, and re-INVITE answers): the version grows with
 * each new answer. Thread: JAIN-SIP's listener threads, serialised by {@link #next}.
 */
final class LocalSdp {
    private final long session = System.nanoTime() & 0xFFFFFFFL;
    final int port, pt, eventPt;
    final String address, proto, rtpmap, crypto;
    private long version = 1;

    /** crypto: our a=crypto line (with CRLF), or "". */
    LocalSdp(String address, int port, String proto, int pt, String rtpmap, int eventPt, String crypto) {
        this.address = address; this.port = port; this.proto = proto; this.pt = pt; this.rtpmap = rtpmap; this.eventPt = eventPt; this.crypto = crypto;
    }

    /** The SDP at the current version. */
    synchronized String text(String direction) {
        return "v=0\r\no=roundtable " + session + " " + version + " IN IP4 " + address + "\r\ns=Roundtable\r\n"
                + "c=IN IP4 " + address + "\r\nt=0 0\r\nm=audio " + port + " " + proto + " " + pt + (eventPt >= 0 ? " " + eventPt : "")
                + "\r\na=rtpmap:" + pt + " " + rtpmap + "\r\n"
                + (eventPt >= 0 ? "a=rtpmap:" + eventPt + " telephone-event/8000\r\na=fmtp:" + eventPt + " 0-15\r\n" : "")
                + crypto + "a=ptime:20\r\na=" + direction + "\r\n";
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
