package org.roundtable.signaling.sip;

import java.net.InetAddress;

/**
 * Whom a phone leg hears (roundtable.sip.rtp-latch): the address in the SDP, or, when it cannot be the
 * phone's (0.0.0.0; a private address while the SIP came from another address, so a NAT is between
 * us), the first packet after the answer (comedia).
 */
final class MediaLatch {
    private MediaLatch() {}

    /** Whether to latch to the first packet rather than to sdpAddress. */
    static boolean comedia(String mode, String sdpAddress, InetAddress signallingPeer) {
        if (mode.equals("first-packet")) return true;
        InetAddress a;
        try {
            a = InetAddress.getByName(sdpAddress);   // SDP gives a literal address (Sdp checks c=)
        } catch (Exception e) {
            return true;
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) return true;
        if (mode.equals("sdp")) return false;
        // a private address, while the SIP came from a public (or loopback) one: the phone is behind a NAT
        return isPrivate(a) && signallingPeer != null && !isPrivate(signallingPeer);
    }

    /** RFC 1918, link-local, and carrier-grade NAT (100.64/10) addresses. */
    static boolean isPrivate(InetAddress a) {
        if (a.isSiteLocalAddress() || a.isLinkLocalAddress()) return true;
        byte[] b = a.getAddress();
        return b.length == 4 && (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64;
    }
}
