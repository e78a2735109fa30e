package org.roundtable.bridge.srtp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.SecureRandom;
import java.security.spec.AlgorithmParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.jitsi.srtp.BaseSrtpCryptoContext;
import org.jitsi.srtp.crypto.OpenSslAesGcmCipherSpi;
import org.jitsi.srtp.crypto.SrtpCipher;
import org.jitsi.srtp.crypto.SrtpCipherGcm;

/**
 * AES-GCM for SRTP/SRTCP (RFC 7714) on jitsi-srtp's OpenSSL cipher, without the per-packet allocation of
 * its {@link SrtpCipherGcm}: that one re-initialises a {@link Cipher} for every packet with a new
 * {@link GCMParameterSpec} (and the SPI copies the IV twice), about 90 bytes of garbage per packet, per
 * receiver. Here the OpenSSL context is initialised once with the key, and each packet only sets its IV,
 * the same native call ({@code EVP_CipherInit_ex} with no cipher and no key) jitsi's SPI makes then.
 *
 * <p>jitsi-srtp keeps its SPI methods protected and that native call private, so they are reached
 * through method handles found once; {@link #install} swaps the cipher of a freshly derived context.
 * Anything missing (another jitsi-srtp version, no OpenSSL) leaves the context as jitsi made it:
 * {@link #available()} says which, and {@code ForwardAllocationTest} fails when it is the slow one.
 * Thread: the owning context's (the endpoint's media loop).
 */
public final class OpenSslGcm extends SrtpCipher {
    private static final MethodHandle INIT, AAD, FINAL;
    private static final Field GCM_KEY;
    private static final String UNAVAILABLE;

    static {
        MethodHandle init = null, aad = null, fin = null;
        Field key = null;
        String why = JitsiInternals.UNAVAILABLE;
        try {
            if (why != null) throw new IllegalStateException(why);
            MethodHandles.Lookup spi = MethodHandles.privateLookupIn(OpenSslAesGcmCipherSpi.class, MethodHandles.lookup());
            init = spi.findVirtual(OpenSslAesGcmCipherSpi.class, "engineInit",
                    MethodType.methodType(void.class, int.class, Key.class, AlgorithmParameterSpec.class, SecureRandom.class));
            aad = spi.findVirtual(OpenSslAesGcmCipherSpi.class, "engineUpdateAAD",
                    MethodType.methodType(void.class, byte[].class, int.class, int.class));
            fin = spi.findVirtual(OpenSslAesGcmCipherSpi.class, "engineDoFinal",
                    MethodType.methodType(int.class, byte[].class, int.class, int.class, byte[].class, int.class));
            key = JitsiInternals.field(SrtpCipherGcm.class, "key");
        } catch (Throwable t) {
            why = t.toString();
        }
        INIT = init; AAD = aad; FINAL = fin; GCM_KEY = key;
        UNAVAILABLE = why;
    }

    private final OpenSslAesGcmCipherSpi spi = new OpenSslAesGcmCipherSpi();
    private final Key key;
    private final long ctxPtr;
    /** The mode the OpenSSL context was last fully initialised for (0: not yet). */
    private int mode;

    private OpenSslGcm(Key key) throws ReflectiveOperationException {
        super(null);
        this.key = key;
        this.ctxPtr = JitsiInternals.contextPointer(spi);
    }

    /** Whether the allocation-free path is in use; null if so, else why not. */
    public static String unavailableReason() { return UNAVAILABLE; }
    public static boolean available() { return UNAVAILABLE == null; }

    /**
     * Replaces the GCM cipher of a context jitsi-srtp just derived (SRTP or SRTCP) with this one.
     * @return whether it did (false: not GCM, or the fast path is unavailable; the context is unchanged)
     */
    public static boolean install(BaseSrtpCryptoContext context) {
        if (UNAVAILABLE != null) return false;
        try {
            Object old = JitsiInternals.cipherOf(context);
            if (!(old instanceof SrtpCipherGcm)) return false;
            Key k = (Key) GCM_KEY.get(old);
            if (k == null) return false;
            JitsiInternals.swap(context, old, new OpenSslGcm(k));
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    @Override public void init(byte[] k, byte[] salt) {
        throw new UnsupportedOperationException("keyed at construction");
    }

    @Override public void setIV(byte[] iv, int opmode) throws GeneralSecurityException {
        try {
            if (opmode != mode) {
                // once per context: the key, the mode and the 16-byte tag (this allocates the spec, once)
                INIT.invokeExact(spi, opmode, key, (AlgorithmParameterSpec) new GCMParameterSpec(128, iv), (SecureRandom) null);
                mode = opmode;
                return;
            }
            JitsiInternals.setIv(spi, ctxPtr, iv, opmode == Cipher.ENCRYPT_MODE);
        } catch (GeneralSecurityException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new GeneralSecurityException(t);
        }
    }

    @Override public void processAAD(byte[] data, int off, int len) throws GeneralSecurityException {
        JitsiInternals.check(data, off, len, 0);
        try {
            AAD.invokeExact(spi, data, off, len);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new GeneralSecurityException(t);
        }
    }

    @Override public int process(byte[] data, int off, int len) throws GeneralSecurityException {
        JitsiInternals.check(data, off, len, mode == Cipher.ENCRYPT_MODE ? 16 : 0);
        try {
            return (int) FINAL.invokeExact(spi, data, off, len, data, off);
        } catch (GeneralSecurityException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new GeneralSecurityException(t);
        }
    }
}
