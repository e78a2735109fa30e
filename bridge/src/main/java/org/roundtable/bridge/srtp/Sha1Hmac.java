package org.roundtable.bridge.srtp;

import java.security.DigestException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.spec.AlgorithmParameterSpec;
import java.util.Arrays;
import javax.crypto.MacSpi;

/**
 * HMAC-SHA1 (RFC 2104) for SRTP's AES-CM profiles that allocates nothing per packet. The JDK's HmacSHA1
 * returns a new array from every {@code doFinal()}, the call jitsi-srtp makes per packet; this one hashes
 * with the JDK's SHA-1 (the same {@link MessageDigest}, with the CPU's SHA instructions) into arrays it
 * keeps, and {@code doFinal()} hands out the same 20-byte array each time. That is only right for a caller
 * that reads the tag before the next call, as jitsi-srtp's contexts do (they compare it, or copy it into
 * the packet); so this is offered to jitsi-srtp alone ({@link HmacProvider}), never registered with
 * {@link java.security.Security}. Like the JDK's, it hashes the padded key again per message (no saved
 * midstate: a MessageDigest clone would allocate).
 * Thread: the owning SRTP context's (the endpoint's media loop).
 */
public final class Sha1Hmac extends MacSpi {
    private static final int BLOCK = 64, LEN = 20;
    private final MessageDigest sha1;
    private final byte[] ipad = new byte[BLOCK], opad = new byte[BLOCK];
    private final byte[] inner = new byte[LEN], tag = new byte[LEN];
    private boolean keyed, started;

    public Sha1Hmac() throws NoSuchAlgorithmException {
        sha1 = MessageDigest.getInstance("SHA-1");
    }

    @Override protected int engineGetMacLength() { return LEN; }

    @Override protected void engineInit(Key key, AlgorithmParameterSpec params) throws InvalidKeyException, InvalidAlgorithmParameterException {
        if (params != null) throw new InvalidAlgorithmParameterException("HMAC-SHA1 takes no parameters");
        byte[] k = key == null ? null : key.getEncoded();
        if (k == null) throw new InvalidKeyException("no key");
        sha1.reset();
        if (k.length > BLOCK) { byte[] h = sha1.digest(k); Arrays.fill(k, (byte) 0); k = h; }
        Arrays.fill(ipad, (byte) 0x36);
        Arrays.fill(opad, (byte) 0x5c);
        for (int i = 0; i < k.length; i++) { ipad[i] ^= k[i]; opad[i] ^= k[i]; }
        Arrays.fill(k, (byte) 0);
        sha1.reset();
        keyed = true;
        started = false;
    }

    private void start() {
        if (!started) { sha1.update(ipad); started = true; }
    }

    @Override protected void engineUpdate(byte input) { start(); sha1.update(input); }

    @Override protected void engineUpdate(byte[] input, int offset, int len) { start(); sha1.update(input, offset, len); }

    /** The tag, in an array this object reuses: read it before the next call. */
    @Override protected byte[] engineDoFinal() {
        if (!keyed) throw new IllegalStateException("not keyed");
        try {
            start();
            sha1.digest(inner, 0, LEN);
            sha1.update(opad);
            sha1.update(inner, 0, LEN);
            sha1.digest(tag, 0, LEN);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        started = false;
        return tag;
    }

    @Override protected void engineReset() {
        if (started) sha1.reset();
        started = false;
    }

    /** The provider that offers this Mac as HmacSHA1 (for jitsi-srtp's provider list only). */
    static final class Offer extends Provider {
        private static final long serialVersionUID = 1L;
        Offer() {
            super("RoundtableSrtp", "1.0", "HMAC-SHA1 for SRTP without a per-packet allocation");
            putService(new Service(this, "Mac", "HmacSHA1", Sha1Hmac.class.getName(), null, null));
        }
    }
}
