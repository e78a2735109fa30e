package org.roundtable.signaling.sip;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.sip.SipStack;
import org.roundtable.signaling.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP over TLS for the gateway: JAIN-SIP's TLS listening point reads its identity from a PKCS#12
 * keystore (stack properties), which is the operator's, or a self-signed one made at start-up. Only
 * TLS 1.2 and 1.3 with the JDK's default cipher suites (JAIN-SIP's own default list is RSA key exchange
 * with CBC and anonymous suites). Clients are asked for a certificate only with verify-clients
 * (mutual TLS), and then must present one the trust store vouches for.
 * Thread: the gateway's start-up.
 */
final class SipTls {
    private static final Logger LOG = LoggerFactory.getLogger(SipTls.class);

    private SipTls() {}

    /** Adds the keystore and the trust store (for our outgoing TLS connections) to the stack's properties. */
    static void configure(Properties p, ServerConfig.Tls tls, String host) throws Exception {
        String file = tls.keystore(), password = tls.keystorePassword();
        if (file.isEmpty()) {
            password = Long.toHexString(new SecureRandom().nextLong()) + Long.toHexString(System.nanoTime());
            file = selfSigned(host, password.toCharArray()).toString();
            LOG.warn("SIP over TLS uses a self-signed certificate made at start-up: set roundtable.sip.tls.keystore for PBXs that verify it");
        } else if (!Files.isReadable(Path.of(file))) {
            throw new IllegalArgumentException("roundtable.sip.tls.keystore: cannot read " + file);
        }
        String trust = tls.truststore(), trustPassword = tls.truststorePassword();
        if (trust.isEmpty()) {   // the JDK's CA certificates; JAIN-SIP needs a file, so our own keystore if there are none
            Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
            boolean jdk = Files.isReadable(cacerts);
            if (!jdk) LOG.warn("no JDK CA certificates at {}: outgoing SIP over TLS trusts only roundtable.sip.tls.truststore", cacerts);
            trust = jdk ? cacerts.toString() : file;
            trustPassword = jdk ? "changeit" : password;
        } else if (!Files.isReadable(Path.of(trust))) {
            throw new IllegalArgumentException("roundtable.sip.tls.truststore: cannot read " + trust);
        }
        p.setProperty("javax.net.ssl.keyStore", file);
        p.setProperty("javax.net.ssl.keyStorePassword", password);
        p.setProperty("javax.net.ssl.keyStoreType", "PKCS12");
        p.setProperty("javax.net.ssl.trustStore", trust);
        p.setProperty("javax.net.ssl.trustStorePassword", trustPassword);
        p.setProperty("javax.net.ssl.trustStoreType", "PKCS12");   // the PKCS12 type reads JKS files too (keystore.type.compat)
        p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", tls.verifyClients() ? "Enabled" : "Disabled");
        p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT", "10000");
    }

    /** TLS 1.2 and 1.3 only, with the JDK's default (forward-secret, AEAD first) cipher suites. */
    static void restrict(SipStack stack) throws Exception {
        gov.nist.javax.sip.SipStackImpl s = (gov.nist.javax.sip.SipStackImpl) stack;
        String[] supported = SSLContext.getDefault().getSupportedSSLParameters().getProtocols();
        s.setEnabledProtocols(Arrays.stream(new String[] {"TLSv1.3", "TLSv1.2"})
                .filter(x -> Arrays.asList(supported).contains(x)).toArray(String[]::new));
        s.setEnabledCipherSuites(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
    }

    /** A PKCS#12 file (owner-only, deleted on exit) with a new ECDSA P-256 key and a self-signed certificate for host. */
    static Path selfSigned(String host, char[] password) throws Exception {
        KeyStore ks = org.roundtable.signaling.SelfSigned.keyStore(host, "roundtable-sip", password);
        Path f = Files.createTempFile("roundtable-sip-tls", ".p12", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        f.toFile().deleteOnExit();
        try (OutputStream out = Files.newOutputStream(f)) { ks.store(out, password); }
        return f;
    }
}
