package org.roundtable.bridge.srtp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.security.GeneralSecurityException;
import org.jitsi.srtp.BaseSrtpCryptoContext;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.jitsi.srtp.crypto.OpenSslAesCipherSpi;
import org.jitsi.srtp.crypto.SrtpCipher;

/**
 * The private parts of jitsi-srtp (1.1-23) that {@link OpenSslGcm} and {@link OpenSslCtr} both reach,
 * found once: a context's cipher fields (to swap in ours), an OpenSSL SPI's native context pointer, and
 * the native call that sets a new IV on a keyed context ({@code EVP_CipherInit_ex} with no cipher and no
 * key). If any is missing (another jitsi-srtp version, no OpenSSL), {@link #UNAVAILABLE} says why and
 * both ciphers leave jitsi's own in place. Thread: any (the handles and fields are immutable).
 */
final class JitsiInternals {
    private JitsiInternals() {}

    private static final MethodHandle CIPHER_INIT;
    private static final Field CTX, PTR, CONTEXT_CIPHER, CONTEXT_AUTH_ONLY;
    /** Null when everything was found, else why not. */
    static final String UNAVAILABLE;

    static {
        MethodHandle evp = null;
        Field ctx = null, ptr = null, cc = null, ca = null;
        String why = null;
        try {
            if (!JitsiOpenSslProvider.isLoaded()) throw new IllegalStateException("jitsi-srtp's OpenSSL library is not loaded");
            MethodHandles.Lookup base = MethodHandles.privateLookupIn(OpenSslAesCipherSpi.class, MethodHandles.lookup());
            evp = base.findVirtual(OpenSslAesCipherSpi.class, "EVP_CipherInit",
                    MethodType.methodType(boolean.class, long.class, long.class, byte[].class, byte[].class, int.class));
            ctx = OpenSslAesCipherSpi.class.getDeclaredField("ctx");
            ctx.setAccessible(true);
            ptr = ctx.getType().getDeclaredField("ptr");
            ptr.setAccessible(true);
            cc = BaseSrtpCryptoContext.class.getDeclaredField("cipher");
            cc.setAccessible(true);
            ca = SrtpCryptoContext.class.getDeclaredField("cipherAuthOnly");
            ca.setAccessible(true);
        } catch (Throwable t) {
            why = t.toString();
        }
        CIPHER_INIT = evp;
        CTX = ctx; PTR = ptr; CONTEXT_CIPHER = cc; CONTEXT_AUTH_ONLY = ca;
        UNAVAILABLE = why;
    }

    /** A private field of a jitsi-srtp class, made accessible; throws if it is not there. */
    static Field field(Class<?> owner, String name) throws NoSuchFieldException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /** The cipher jitsi-srtp derived for a context. */
    static Object cipherOf(BaseSrtpCryptoContext context) throws IllegalAccessException { return CONTEXT_CIPHER.get(context); }

    /** Puts fast where old was in a context (its auth-only cipher too, where that is the same one). */
    static void swap(BaseSrtpCryptoContext context, Object old, SrtpCipher fast) throws IllegalAccessException {
        CONTEXT_CIPHER.set(context, fast);
        if (context instanceof SrtpCryptoContext && CONTEXT_AUTH_ONLY.get(context) == old) CONTEXT_AUTH_ONLY.set(context, fast);
    }

    /** The native OpenSSL context of a jitsi SPI. */
    static long contextPointer(OpenSslAesCipherSpi spi) throws IllegalAccessException { return PTR.getLong(CTX.get(spi)); }

    /** A new IV on a keyed OpenSSL context: no re-keying, no allocation. */
    static void setIv(OpenSslAesCipherSpi spi, long ctxPtr, byte[] iv, boolean encrypt) throws GeneralSecurityException {
        try {
            if (!(boolean) CIPHER_INIT.invokeExact(spi, ctxPtr, 0L, (byte[]) null, iv, encrypt ? 1 : 0)) throw new GeneralSecurityException("EVP_CipherInit");
        } catch (GeneralSecurityException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new GeneralSecurityException(t);
        }
    }

    /**
     * The bounds {@link javax.crypto.Cipher} checks before it calls its SPI (which checks less): jitsi-srtp
     * hands a malformed packet's lengths through (a packet shorter than its header gives a negative
     * length), and OpenSSL would read or write outside the array. tail: room needed after the data.
     */
    static void check(byte[] data, int off, int len, int tail) {
        if (data == null || off < 0 || len < 0 || off > data.length - len - tail) throw new IllegalArgumentException("bad arguments");
    }
}
