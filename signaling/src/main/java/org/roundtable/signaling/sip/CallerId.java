package org.roundtable.signaling.sip;

import java.net.InetAddress;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;

/**
 * Who is calling, for the meeting rules' per-caller limits (password attempts). From is whatever the
 * caller typed; what a trusted PBX asserts (P-Asserted-Identity, RFC 3325) is what it authenticated,
 * so from a trusted peer it wins and a caller who changes its From between guesses stays in its bucket.
 * P-Asserted-Identity from anyone else is ignored (anyone can write one). The PBX part is the address
 * the request came from (the packet's), never what its Via claims.
 */
final class CallerId {
    private CallerId() {}

    /** "sip:user@pbx": the asserted user when trusted sent one, else From's user ("anonymous" without one). */
    static String sourceOf(Request req, InetAddress peer, boolean trusted) {
        String pbx = peer == null ? "unknown" : peer.getHostAddress();
        String user = trusted ? assertedUser(req) : null;
        if (user == null) {
            FromHeader from = (FromHeader) req.getHeader(FromHeader.NAME);
            user = from != null && from.getAddress().getURI() instanceof SipURI u && u.getUser() != null ? u.getUser() : "anonymous";
        }
        if (user.length() > 64) user = user.substring(0, 64);
        return "sip:" + user + "@" + pbx;
    }

    /** The user of the first P-Asserted-Identity (sip: or tel:), or null. */
    static String assertedUser(Request req) {
        Header h = req.getHeader("P-Asserted-Identity");
        if (h == null) return null;
        try {
            if (h instanceof javax.sip.header.HeaderAddress ha) {
                URI uri = ha.getAddress().getURI();
                if (uri instanceof SipURI su) return su.getUser();
                if (uri instanceof javax.sip.address.TelURL tel) return tel.getPhoneNumber();
            }
            // unparsed (an extension header): <sip:user@host>, "Name" <tel:+123>
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:sips?:|tel:)([^@;>\\s]{1,64})").matcher(h.toString());
            return m.find() ? m.group(1) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
