package org.roundtable.bridge.srtp;

import java.lang.reflect.Field;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import org.jitsi.srtp.crypto.HmacSha1;

/**
 * Where the HMAC-SHA1 of the AES-CM profiles (AES_CM_128_HMAC_SHA1_80 and _32) comes from. jitsi-srtp
 * takes its own OpenSSL provider first: every packet then crosses JNI three times (two updates and the
 * final, each pinning the array) and OpenSSL copies and wipes an HMAC context per packet
 * ({@code EVP_MD_CTX_copy_ex}, {@code OPENSSL_cleanse}), about a third of jitsi-srtp's CM cost in a
 * profile of the media loop (bench/README.md, issue 14 session 11). The JDK's HmacSHA1 (SunJCE) hashes in
 * Java with the CPU's SHA instructions (a HotSpot intrinsic) and no JNI. {@link #useJdk} puts SunJCE first
 * in jitsi-srtp's provider list; contexts made afterwards use it. {@link #useOwn} (the bridge's choice)
 * puts {@link Sha1Hmac} first: the same hashing, without the JDK's new array per packet. The list is
 * jitsi-srtp's private static field, found once; if it is missing (another jitsi-srtp version) nothing
 * changes.
 * Thread: any; call before the first SRTP context is made (the bridge does it when it is built).
 */
public final class HmacProvider {
    private HmacProvider() {}

    /** SunJCE first (when it has HmacSHA1). Returns whether jitsi-srtp now takes it. */
    public static boolean useJdk() {
        Provider sun = Security.getProvider("SunJCE");
        if (sun == null || sun.getService("Mac", "HmacSHA1") == null) return false;
        return set(new ArrayList<>(List.of(sun)));
    }

    /**
     * {@link Sha1Hmac} first, then SunJCE; where the JDK refuses an unsigned provider (OpenJDK does not
     * check), SunJCE alone ({@link #useJdk}). Returns whether jitsi-srtp now takes one of them.
     */
    public static boolean useOwn() {
        try {
            javax.crypto.Mac.getInstance("HmacSHA1", OWN);     // a JDK that insists on signed JCE providers refuses it here
        } catch (java.security.GeneralSecurityException | SecurityException e) {
            return useJdk();
        }
        Provider sun = Security.getProvider("SunJCE");
        List<Provider> l = new ArrayList<>(List.of(OWN));
        if (sun != null) l.add(sun);
        return set(l);
    }

    private static final Provider OWN = new Sha1Hmac.Offer();

    /** jitsi-srtp's own choice again (its OpenSSL provider first, when loaded): for benchmarks. */
    public static boolean useJitsiDefault() { return set(null); }

    private static boolean set(List<Provider> providers) {
        try {
            Field f = HmacSha1.class.getDeclaredField("providers");
            f.setAccessible(true);
            synchronized (HmacSha1.class) {     // jitsi-srtp's getProviders is synchronized on the class
                f.set(null, providers);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The provider the next AES-CM context's HMAC will come from. */
    public static String current() {
        return HmacSha1.createMac(SrtpLog.INSTANCE).getProvider().getName();
    }
}
