package org.roundtable.bridge.dtls;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The server's DTLS identity: one self-signed ECDSA P-256 certificate made at start-up, and its SHA-256
 * fingerprint for SDP (RFC 8122). Immutable; shared by all handshakes.
 */
public final class DtlsCertificate {
    public final BcTlsCrypto crypto;
    public final AsymmetricKeyParameter privateKey;
    public final Certificate certificate;
    public final byte[] der;
    /** "sha-256 AB:CD:..." */
    public final String fingerprint;

    private DtlsCertificate(BcTlsCrypto crypto, AsymmetricKeyParameter key, Certificate cert, byte[] der) {
        this.crypto = crypto;
        this.privateKey = key;
        this.certificate = cert;
        this.der = der;
        this.fingerprint = "sha-256 " + fingerprintOf(der);
    }

    public static DtlsCertificate generate() {
        try {
            SecureRandom rnd = new SecureRandom();
            KeyPair kp = newKeyPair(rnd);
            byte[] der = selfSigned(kp, "roundtable", 30, rnd);
            BcTlsCrypto crypto = new LeanCrypto(rnd);
            TlsCertificate tc = crypto.createCertificate(der);
            return new DtlsCertificate(crypto, PrivateKeyFactory.createKey(kp.getPrivate().getEncoded()),
                    new Certificate(new TlsCertificate[] {tc}), der);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the DTLS certificate", e);
        }
    }

    /** An ECDSA P-256 key pair. */
    public static KeyPair newKeyPair(SecureRandom rnd) throws java.security.GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), rnd);
        return g.generateKeyPair();
    }

    /** A self-signed SHA256withECDSA certificate (DER) for CN=cn, valid from a day ago for the given days. */
    public static byte[] selfSigned(KeyPair kp, String cn, int days, SecureRandom rnd) throws Exception {
        long now = System.currentTimeMillis();
        X500Name name = new X500Name("CN=" + cn);
        X509CertificateHolder h = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(rnd.nextLong() & Long.MAX_VALUE),
                new Date(now - 86_400_000L), new Date(now + days * 86_400_000L), name, kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
        return h.getEncoded();
    }

    /** Upper-case hex SHA-256 with colons. */
    public static String fingerprintOf(byte[] der) {
        return fingerprintOf(der, "sha-256");
    }

    /**
     * Upper-case hex with colons of the certificate's digest under an SDP hash name (RFC 8122: sha-1,
     * sha-224, sha-256, sha-384, sha-512).
     * @throws IllegalArgumentException for any other hash name
     */
    public static String fingerprintOf(byte[] der, String hash) {
        byte[] d = digest(der, hash);
        StringBuilder sb = new StringBuilder(d.length * 3);
        for (int i = 0; i < d.length; i++) {
            if (i > 0) sb.append(':');
            sb.append(Character.toUpperCase(Character.forDigit((d[i] >> 4) & 0xF, 16)));
            sb.append(Character.toUpperCase(Character.forDigit(d[i] & 0xF, 16)));
        }
        return sb.toString();
    }

    /** The JCA digest name for an SDP fingerprint hash name, or null if we do not accept that hash. */
    public static String jcaName(String sdpHash) {
        return switch (sdpHash.toLowerCase(java.util.Locale.ROOT)) {
            case "sha-1" -> "SHA-1";
            case "sha-224" -> "SHA-224";
            case "sha-256" -> "SHA-256";
            case "sha-384" -> "SHA-384";
            case "sha-512" -> "SHA-512";
            default -> null;      // md2/md5 are forbidden by RFC 8122; anything else is unknown
        };
    }

    static byte[] digest(byte[] der, String sdpHash) {
        String jca = jcaName(sdpHash);
        if (jca == null) throw new IllegalArgumentException("unsupported fingerprint hash " + sdpHash);
        try {
            return MessageDigest.getInstance(jca).digest(der);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether an SDP fingerprint value ("sha-384 AB:CD:...") names this certificate (DER): the hash is
     * recomputed with the named algorithm and compared in constant time. Unknown hashes and malformed
     * values do not match.
     */
    public static boolean matches(String sdpFingerprint, byte[] der) {
        if (sdpFingerprint == null) return false;
        String[] parts = sdpFingerprint.trim().split("\\s+");
        if (parts.length != 2 || jcaName(parts[0]) == null) return false;
        byte[] want = parseHex(parts[1]);
        return want != null && MessageDigest.isEqual(digest(der, parts[0]), want);
    }

    /** "AB:CD:.." (either case) to bytes, or null if malformed. */
    static byte[] parseHex(String s) {
        String[] h = s.split(":", -1);
        if (h.length == 0 || h.length > 64) return null;
        byte[] out = new byte[h.length];
        for (int i = 0; i < h.length; i++) {
            if (h[i].length() != 2) return null;
            int hi = Character.digit(h[i].charAt(0), 16), lo = Character.digit(h[i].charAt(1), 16);
            if (hi < 0 || lo < 0) return null;
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    /**
     * Bouncy Castle's TLS crypto with AES-GCM records on the table-free GHASH multiplier. A DTLS-SRTP
     * session carries a handful of records after its handshake (Finished, an alert), but keeps its two
     * record ciphers for its whole life: the default 4 KiB-table multiplier made them 9 KiB each, the
     * largest part of what a subscriber cost (measured with a class histogram, 200 subscribers).
     */
    static final class LeanCrypto extends BcTlsCrypto {
        LeanCrypto(SecureRandom rnd) { super(rnd); }

        @Override protected org.bouncycastle.crypto.modes.AEADBlockCipher createGCMMode(org.bouncycastle.crypto.BlockCipher engine) {
            return org.bouncycastle.crypto.modes.GCMBlockCipher.newInstance(engine, new org.bouncycastle.crypto.modes.gcm.BasicGCMMultiplier());
        }
    }
}
