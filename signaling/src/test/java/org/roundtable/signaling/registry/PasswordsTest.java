package org.roundtable.signaling.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Meeting passwords: PBKDF2-HMAC-SHA256 at today's count, older hashes still verify, bad rows never match. */
class PasswordsTest {
    @Test void newHashesUseTodaysIterationCountAndVerify() {
        String h = Passwords.hash("tulip42");
        assertEquals("600000", h.split("\\$")[1]);
        assertTrue(Passwords.matches("tulip42", h));
        assertFalse(Passwords.matches("tulip43", h));
        assertFalse(Passwords.matches(null, h));
    }

    @Test void olderHashesStillVerifyAndMalformedOnesNeverMatch() {
        // made by the first release (60,000 iterations) for "river77"
        String old = "pbkdf2$60000$AAAAAAAAAAAAAAAAAAAAAA==$" + java.util.Base64.getEncoder().encodeToString(derive("river77", new byte[16], 60_000));
        assertTrue(Passwords.matches("river77", old));
        for (String bad : new String[] {"", "pbkdf2$x$y$z", "pbkdf2$0$AA==$AA==", "pbkdf2$2000000000$AA==$AA==", "pbkdf2$1000$%%%$AA==", "sha1$1$a$b"})
            assertFalse(Passwords.matches("river77", bad), bad);
    }

    static byte[] derive(String pw, byte[] salt, int n) {
        try {
            return javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new javax.crypto.spec.PBEKeySpec(pw.toCharArray(), salt, n, 256)).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
