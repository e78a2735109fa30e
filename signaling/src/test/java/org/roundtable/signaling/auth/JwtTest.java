package org.roundtable.signaling.auth;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class JwtTest {
    static final Clock NOW = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
    static final String SECRET = "s3cret-for-tests";
    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    static String claims(long exp) {
        return "{\"sub\":\"u1\",\"name\":\"Una\",\"exp\":" + exp + ",\"permissions\":[\"record\",\"dial_out\"]}";
    }

    Jwt jwt() { return new Jwt(List.of(SECRET), List.of(), "", "", 30, NOW); }

    @Test void hs256() throws Exception {
        Identity id = jwt().verify(Jwt.signHs256(SECRET, claims(1_800_000_100L)));
        assertEquals("u1", id.userId());
        assertEquals("Una", id.name());
        assertTrue(id.can("record") && id.can("dial_out") && !id.can("stream"));
    }

    @Test void refusesBadTokens() {
        Jwt j = jwt();
        assertThrows(Jwt.InvalidToken.class, () -> j.verify(Jwt.signHs256("other-secret", claims(1_800_000_100L))), "wrong key");
        assertThrows(Jwt.InvalidToken.class, () -> j.verify(Jwt.signHs256(SECRET, claims(1_799_999_900L))), "expired");
        assertDoesNotThrow(() -> j.verify(Jwt.signHs256(SECRET, claims(1_799_999_990L))), "within the clock skew");
        assertThrows(Jwt.InvalidToken.class, () -> j.verify(Jwt.signHs256(SECRET, "{\"sub\":\"u1\"}")), "no expiry");
        assertThrows(Jwt.InvalidToken.class, () -> j.verify(Jwt.signHs256(SECRET, "{\"exp\":1800000100}")), "no subject");
        String none = B64.encodeToString("{\"alg\":\"none\"}".getBytes()) + "." + B64.encodeToString(claims(1_800_000_100L).getBytes()) + ".";
        assertThrows(Jwt.InvalidToken.class, () -> j.verify(none), "alg none");
        String good = Jwt.signHs256(SECRET, claims(1_800_000_100L));
        String[] p = good.split("\\.");
        String tampered = p[0] + "." + B64.encodeToString("{\"sub\":\"admin\",\"exp\":1800000100}".getBytes()) + "." + p[2];
        assertThrows(Jwt.InvalidToken.class, () -> j.verify(tampered), "changed claims");
        for (String junk : new String[] {"", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.e30"})
            assertThrows(Jwt.InvalidToken.class, () -> j.verify(junk), junk);
        assertThrows(Jwt.InvalidToken.class, () -> new Jwt(List.of(SECRET), List.of(), "https://accounts", "", 30, NOW).verify(good), "issuer required");
        assertThrows(Jwt.InvalidToken.class, () -> new Jwt(List.of(SECRET), List.of(), "", "roundtable", 30, NOW).verify(good), "audience required");
    }

    @Test void es256AndNoAlgorithmConfusion() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(kp.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----";
        // both kinds of key configured, as a server that accepts both would be: the HS256 path is live
        Jwt j = new Jwt(List.of(SECRET), List.of(pem), "", "", 30, NOW);
        assertEquals("u1", j.verify(Jwt.signHs256(SECRET, claims(1_800_000_100L))).userId(), "HS256 with the real secret passes");
        String h = B64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes());
        String c = B64.encodeToString(claims(1_800_000_100L).getBytes());
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(kp.getPrivate());
        s.update((h + "." + c).getBytes(StandardCharsets.US_ASCII));
        String token = h + "." + c + "." + B64.encodeToString(s.sign());
        assertEquals("u1", j.verify(token).userId());
        // an HS256 token "signed" with the public key as a secret must not pass
        for (String asSecret : List.of(pem, pem.replace("\n", ""), Base64.getEncoder().encodeToString(kp.getPublic().getEncoded()))) {
            String confused = Jwt.signHs256(asSecret, claims(1_800_000_100L));
            assertThrows(Jwt.InvalidToken.class, () -> j.verify(confused), "HS256 signed with the public key");
        }
    }
}
