package org.roundtable.signaling.sip;

import java.security.SecureRandom;

/**
 * Identifiers we put on the wire: Call-IDs, tags, branches' cousins (cnonce). Random from SecureRandom
 * (a Call-ID and both tags are what an in-dialog request must match, so none may be guessable, as
 * System.nanoTime was). Thread-safe.
 */
final class SipIds {
    private static final SecureRandom RND = new SecureRandom();
    private SipIds() {}

    /** bytes random bytes as lower-case hex. */
    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RND.nextBytes(b);
        StringBuilder sb = new StringBuilder(bytes * 2);
        for (byte x : b) sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        return sb.toString();
    }

    /** A Call-ID (128 random bits) with a readable prefix (out-, reg-, ka-). */
    static String callId(String prefix) { return prefix + hex(16); }

    /** A From or To tag (96 random bits; RFC 3261 asks for at least 32). */
    static String tag() { return hex(12); }
}
