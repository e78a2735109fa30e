package org.roundtable.bridge.srtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.junit.jupiter.api.Test;

/** {@link AesProviders#preset}: jitsi-srtp then makes every mode's cipher with the named provider. */
class AesProvidersTest {
    @Test
    void theNamedProviderMakesEveryMode() throws Exception {
        try {
            if (JitsiOpenSslProvider.isLoaded()) {
                assertTrue(AesProviders.preset("OpenSSL"));
                String jitsi = new JitsiOpenSslProvider().getName();
                for (String mode : AesProviders.MODES) assertEquals(jitsi, Aes.createCipher(mode).getProvider().getName(), mode);
            }
            assertTrue(AesProviders.preset("SunJCE"), "jitsi-srtp's map of chosen factories is found");
            for (String mode : AesProviders.MODES) assertEquals("SunJCE", Aes.createCipher(mode).getProvider().getName(), mode);
        } finally {
            AesProviders.preset("SunJCE");      // the bridge's default
        }
    }
}
