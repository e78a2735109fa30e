package org.roundtable.bridge.srtp;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.CipherFactory;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;

/**
 * Names the AES implementation jitsi-srtp uses for every mode it asks for (CTR for AES-CM and its key
 * derivation, ECB, GCM before {@link OpenSslGcm} replaces it), without its start-up benchmark. That
 * benchmark runs 11,000 rounds of each provider (Bouncy Castle included) for each mode, 2.4-3 s of a cold
 * JVM here, under the lock of jitsi-srtp's {@code Aes} class; {@link Aes#setFactoryClassName} alone does
 * not skip it, and without a name its pick flipped between OpenSSL and SunJCE from one start to the next.
 * The choice is put in jitsi-srtp's private map of chosen factories (found once); if that map is missing
 * (another jitsi-srtp version) the name still decides, after the benchmark. Thread: any; before the first
 * SRTP context (the bridge's constructor).
 */
public final class AesProviders {
    private AesProviders() {}

    /** The modes jitsi-srtp 1.1-23 asks {@code Aes.createCipher} for. */
    static final List<String> MODES = List.of("AES/CTR/NoPadding", "AES/ECB/NoPadding", "AES/GCM/NoPadding");

    /**
     * provider: "SunJCE" or "OpenSSL" (jitsi-srtp's, when its library is loaded; else SunJCE).
     * Returns whether the benchmark is skipped.
     */
    @SuppressWarnings("unchecked")
    public static boolean preset(String provider) {
        boolean openSsl = "OpenSSL".equalsIgnoreCase(provider) && JitsiOpenSslProvider.isLoaded();
        Aes.setFactoryClassName(openSsl ? "OpenSSL" : "SunJCE");
        try {
            CipherFactory f = openSsl ? new Aes.OpenSSLCipherFactory() : new Aes.SunJCECipherFactory();
            Field m = Aes.class.getDeclaredField("fastestFactories");
            m.setAccessible(true);
            synchronized (Aes.class) {          // jitsi-srtp reads and fills the map under this lock
                Map<String, CipherFactory> chosen = (Map<String, CipherFactory>) m.get(null);
                for (String mode : MODES) chosen.put(mode, f);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
