package org.roundtable.signaling.registry;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** Meeting passwords are stored as salted PBKDF2-HMAC-SHA256 hashes: {@code pbkdf2$iterations$salt$hash}. */
public final class Passwords {
    private static final SecureRandom RND = new SecureRandom();
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; stored hashes keep their own count, so older ones still verify. */
    static final int ITERATIONS = 600_000;
    /** A stored count beyond this is refused rather than run (a tampered row must not cost minutes of CPU). */
    private static final int MAX_ITERATIONS = 10_000_000;

    private Passwords() {}

    public static String hash(String password) {
        byte[] salt = new byte[16];
        RND.nextBytes(salt);
        return "pbkdf2$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(derive(password, salt, ITERATIONS));
    }

    public static boolean matches(String password, String stored) {
        if (password == null || stored == null) return false;
        String[] p = stored.split("\\$");
        if (p.length != 4 || !p[0].equals("pbkdf2")) return false;
        try {
            int iterations = Integer.parseInt(p[1]);
            if (iterations < 1 || iterations > MAX_ITERATIONS) return false;
            byte[] expected = Base64.getDecoder().decode(p[3]);
            return MessageDigest.isEqual(expected, derive(password, Base64.getDecoder().decode(p[2]), iterations));
        } catch (IllegalArgumentException e) {
            return false;   // a malformed stored hash never matches
        }
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
