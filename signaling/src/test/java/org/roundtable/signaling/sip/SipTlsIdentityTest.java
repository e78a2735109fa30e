package org.roundtable.signaling.sip;

import static org.junit.jupiter.api.Assertions.*;

import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.roundtable.signaling.ServerConfig;

/** The gateway's TLS identity: a usable self-signed keystore by default, a clear error for an unreadable one. */
class SipTlsIdentityTest {
    @Test
    void selfSignedKeystoreHoldsAKeyAndItsCertificate() throws Exception {
        Properties p = new Properties();
        SipTls.configure(p, new ServerConfig.Tls(5061), "sip.example.com");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        char[] pw = p.getProperty("javax.net.ssl.keyStorePassword").toCharArray();
        try (FileInputStream in = new FileInputStream(p.getProperty("javax.net.ssl.keyStore"))) { ks.load(in, pw); }
        String alias = ks.aliases().nextElement();
        assertNotNull(ks.getKey(alias, pw), "the private key");
        X509Certificate c = (X509Certificate) ks.getCertificate(alias);
        c.checkValidity();
        assertTrue(c.getSubjectX500Principal().getName().contains("sip.example.com"));
        assertEquals("Disabled", p.getProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE"));
    }

    @Test
    void unreadableKeystoreIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SipTls.configure(new Properties(), new ServerConfig.Tls(5061, "/nonexistent/sip.p12", "x", "", ""), "h"));
        assertTrue(e.getMessage().contains("roundtable.sip.tls.keystore"));
    }
}
