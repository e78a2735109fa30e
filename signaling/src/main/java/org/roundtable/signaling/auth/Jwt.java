package org.roundtable.signaling.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the enterprise account system's JSON Web Tokens (RFC 7519): HS256 with shared secrets or
 * ES256 with public keys. The key type decides the algorithm (no "none", no HS/ES confusion); exp is
 * required; nbf, iss and aud are checked when present or configured. Claims read: sub (user id), name,
 * and permissions (array, or "perms"). Thread-safe.
 */
public final class Jwt {
    public static final class InvalidToken extends Exception {
        public InvalidToken(String m) { super(m); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<byte[]> hsSecrets = new ArrayList<>();
    private final List<PublicKey> esKeys = new ArrayList<>();
    private final String issuer, audience;
    private final long skewSeconds;
    private final java.time.Clock clock;

    public Jwt(List<String> hs256Secrets, List<String> es256PublicKeysPem, String issuer, String audience, long skewSeconds, java.time.Clock clock) {
        for (String s : hs256Secrets) if (!s.isEmpty()) hsSecrets.add(s.getBytes(StandardCharsets.UTF_8));
        for (String pem : es256PublicKeysPem) esKeys.add(parsePublicKey(pem));
        this.issuer = issuer == null || issuer.isEmpty() ? null : issuer;
        this.audience = audience == null || audience.isEmpty() ? null : audience;
        this.skewSeconds = skewSeconds;
        this.clock = clock;
    }

    public boolean configured() { return !hsSecrets.isEmpty() || !esKeys.isEmpty(); }

    static PublicKey parsePublicKey(String pem) {
        try {
            String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
        } catch (Exception e) {
            throw new IllegalArgumentException("bad ES256 public key (expected PEM SubjectPublicKeyInfo): " + e.getMessage());
        }
    }

    public Identity verify(String token) throws InvalidToken {
        if (token == null || token.length() > 8192) throw new InvalidToken("missing or oversized token");
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) throw new InvalidToken("malformed token");
        JsonNode header, claims;
        byte[] sig;
        try {
            header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            sig = Base64.getUrlDecoder().decode(parts[2]);
        } catch (Exception e) {
            throw new InvalidToken("malformed token");
        }
        if (header == null || claims == null || !claims.isObject()) throw new InvalidToken("malformed token");
        String alg = header.path("alg").asText("");
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        boolean ok;
        try {
            ok = switch (alg) {
                case "HS256" -> verifyHs(signed, sig);
                case "ES256" -> verifyEs(signed, sig);
                default -> throw new InvalidToken("unsupported algorithm");
            };
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) throw new InvalidToken("bad signature");
        long now = clock.millis() / 1000;
        if (!claims.path("exp").isNumber()) throw new InvalidToken("token has no expiry");
        if (now > claims.get("exp").asLong() + skewSeconds) throw new InvalidToken("token expired");
        if (claims.path("nbf").isNumber() && now + skewSeconds < claims.get("nbf").asLong()) throw new InvalidToken("token not valid yet");
        if (issuer != null && !issuer.equals(claims.path("iss").asText(null))) throw new InvalidToken("wrong issuer");
        if (audience != null) {
            JsonNode aud = claims.path("aud");
            boolean match = aud.isTextual() ? audience.equals(aud.asText()) : false;
            if (aud.isArray()) for (JsonNode a : aud) if (audience.equals(a.asText())) match = true;
            if (!match) throw new InvalidToken("wrong audience");
        }
        String sub = claims.path("sub").asText("");
        if (sub.isEmpty() || sub.length() > 128) throw new InvalidToken("token has no subject");
        String name = claims.path("name").asText(sub);
        Set<String> perms = new HashSet<>();
        JsonNode p = claims.has("permissions") ? claims.get("permissions") : claims.path("perms");
        if (p.isArray()) for (JsonNode x : p) perms.add(x.asText());
        return new Identity(sub, name.length() > 64 ? name.substring(0, 64) : name, Set.copyOf(perms));
    }

    private boolean verifyHs(byte[] signed, byte[] sig) throws GeneralSecurityException {
        for (byte[] secret : hsSecrets) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            if (MessageDigest.isEqual(mac.doFinal(signed), sig)) return true;
        }
        return false;
    }

    private boolean verifyEs(byte[] signed, byte[] sig) throws GeneralSecurityException {
        if (sig.length != 64) return false;
        byte[] der = joseToDer(sig);
        for (PublicKey k : esKeys) {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(k);
            s.update(signed);
            if (s.verify(der)) return true;
        }
        return false;
    }

    /** JOSE signatures are R || S (32 bytes each); JCA wants an ASN.1 DER SEQUENCE of two INTEGERs. */
    static byte[] joseToDer(byte[] rs) {
        byte[] r = derInt(rs, 0), s = derInt(rs, 32);
        byte[] out = new byte[2 + 2 + r.length + 2 + s.length];
        int i = 0;
        out[i++] = 0x30;
        out[i++] = (byte) (out.length - 2);
        out[i++] = 0x02; out[i++] = (byte) r.length;
        System.arraycopy(r, 0, out, i, r.length); i += r.length;
        out[i++] = 0x02; out[i++] = (byte) s.length;
        System.arraycopy(s, 0, out, i, s.length);
        return out;
    }

    private static byte[] derInt(byte[] b, int off) {
        int start = off, end = off + 32;
        while (start < end - 1 && b[start] == 0) start++;
        boolean pad = (b[start] & 0x80) != 0;
        byte[] v = new byte[end - start + (pad ? 1 : 0)];
        System.arraycopy(b, start, v, pad ? 1 : 0, end - start);
        return v;
    }

    /** Makes an HS256 token (tests and the dev tools use it; production tokens come from the account system). */
    public static String signHs256(String secret, String claimsJson) {
        try {
            Base64.Encoder e = Base64.getUrlEncoder().withoutPadding();
            String h = e.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
            String c = e.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return h + "." + c + "." + e.encodeToString(mac.doFinal((h + "." + c).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
