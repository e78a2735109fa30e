package org.roundtable.signaling.sip;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.sdp.Sdp;

/**
 * SDES (RFC 4568) for the SIP legs: AES_CM_128_HMAC_SHA1_80 or _32 master keys in a=crypto lines,
 * turned into the bridge's SRTP keys. We offer _80; we answer with the suite of the caller's first
 * usable line. Stateless; thread-safe.
 */
final class Sdes {
    static final String SUITE = "AES_CM_128_HMAC_SHA1_80", SUITE_32 = "AES_CM_128_HMAC_SHA1_32";
    private static final SecureRandom RND = new SecureRandom();

    private Sdes() {}

    /** The peer's first usable a=crypto: its tag, suite (as we spell it) and 30-byte key||salt. */
    record Remote(String tag, String suite, byte[] key) {}

    /** A new master key and salt (30 bytes). */
    static byte[] newKey() { byte[] k = new byte[30]; RND.nextBytes(k); return k; }

    /** The first a=crypto with a suite we support and an inline 30-byte key; null if none. */
    static Remote remote(Sdp.Media m) {
        for (String c : m.crypto) {
            String[] p = c.split("\\s+");
            if (p.length < 3 || !p[2].startsWith("inline:")) continue;
            String suite = p[1].equalsIgnoreCase(SUITE) ? SUITE : p[1].equalsIgnoreCase(SUITE_32) ? SUITE_32 : null;
            if (suite == null) continue;
            try {
                byte[] k = Base64.getDecoder().decode(p[2].substring(7).split("\\|")[0]);
                if (k.length == 30) return new Remote(p[0], suite, k);
            } catch (IllegalArgumentException ignored) { /* not base64: try the next */ }
        }
        return null;
    }

    /** Our key encrypts what we send; theirs decrypts what we receive; both under the suite. */
    static DtlsSession.SrtpKeys keys(String suite, byte[] local, byte[] remote) {
        return new DtlsSession.SrtpKeys(suite.equals(SUITE_32) ? SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32
                : SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80,
                Arrays.copyOfRange(local, 0, 16), Arrays.copyOfRange(local, 16, 30),
                Arrays.copyOfRange(remote, 0, 16), Arrays.copyOfRange(remote, 16, 30));
    }

    /** "a=crypto:&lt;tag&gt; &lt;suite&gt; inline:&lt;key&gt;" with CRLF. */
    static String line(String tag, String suite, byte[] key) {
        return "a=crypto:" + tag + " " + suite + " inline:" + Base64.getEncoder().encodeToString(key) + "\r\n";
    }
}
