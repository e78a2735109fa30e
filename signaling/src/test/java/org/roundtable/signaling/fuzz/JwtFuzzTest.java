package org.roundtable.signaling.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.roundtable.signaling.auth.Identity;
import org.roundtable.signaling.auth.Jwt;

/**
 * Tokens from anyone ({@link Jwt#verify}): any string is an identity or {@link Jwt.InvalidToken}, never
 * another exception. Half the inputs are fuzzed header and claims JSON signed with the configured HS256
 * secret, so the fuzzer reaches the claim checks behind the signature.
 */
class JwtFuzzTest {
    static final String SECRET = "fuzz-secret-0123456789abcdef0123456789";
    static final Jwt JWT;
    static {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(kp.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----";
            JWT = new Jwt(List.of(SECRET), List.of(pem), "roundtable", "meetings", 30,
                    Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    static byte[] hmac(String signed) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void verify(FuzzedDataProvider data) {
        String token;
        if (data.consumeBoolean()) {
            token = data.consumeRemainingAsString();
        } else {
            String header = data.consumeString(200), claims = data.consumeRemainingAsString();
            String unsigned = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            token = unsigned + "." + B64.encodeToString(hmac(unsigned));     // validly signed with the configured secret
        }
        try {
            Identity id = JWT.verify(token);
            if (id.userId() == null || id.userId().isEmpty() || id.userId().length() > 128) throw new AssertionError("bad subject " + id.userId());
            if (id.name() == null || id.name().length() > 64) throw new AssertionError("bad name " + id.name());
        } catch (Jwt.InvalidToken refused) {
            // the documented refusal
        }
    }
}
