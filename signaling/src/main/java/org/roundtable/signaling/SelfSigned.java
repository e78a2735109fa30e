package org.roundtable.signaling;

import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.roundtable.bridge.dtls.DtlsCertificate;

/** A new ECDSA P-256 key with a self-signed certificate, as a PKCS#12 key store (HTTPS, SIP over TLS). Thread: any. */
public final class SelfSigned {
    private SelfSigned() {}

    public static KeyStore keyStore(String host, String alias, char[] password) throws Exception {
        SecureRandom rnd = new SecureRandom();
        KeyPair kp = DtlsCertificate.newKeyPair(rnd);
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(DtlsCertificate.selfSigned(kp, host, 365, rnd)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, kp.getPrivate(), password, new X509Certificate[] {cert});
        return ks;
    }
}
