package org.roundtable.bridge.dtls;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hole 8, DTLS side: the peer's certificate must match the SDP fingerprint whatever hash the SDP names
 * (RFC 8122: sha-1, sha-256, sha-384, sha-512); an impostor's certificate fails the handshake, the real one
 * completes it. Two in-memory DTLS sessions, no sockets.
 */
class DtlsFingerprintTest {
    static final DtlsCertificate SERVER = DtlsCertificate.generate(), CLIENT = DtlsCertificate.generate(),
            IMPOSTOR = DtlsCertificate.generate();

    /**
     * Outcome of one handshake: {server, client} each "ok", "failed: ..." or "pending" (a side whose peer
     * aborted waits for a retransmission that never comes: the bridge's endpoint timeout ends that one).
     * Waits until both sides finished or one side failed.
     */
    static String[] handshake(String serverExpects, String clientExpects, int waitFor) throws Exception {
        CompletableFuture<String> s = new CompletableFuture<>(), c = new CompletableFuture<>();
        DtlsSession[] pair = new DtlsSession[2];
        pair[0] = new DtlsSession(SERVER, false, serverExpects, (b, o, l) -> pair[1].offer(Arrays.copyOfRange(b, o, o + l)),
                k -> s.complete("ok"), e -> s.complete("failed: " + e), 3000);
        pair[1] = new DtlsSession(CLIENT, true, clientExpects, (b, o, l) -> pair[0].offer(Arrays.copyOfRange(b, o, o + l)),
                k -> c.complete("ok"), e -> c.complete("failed: " + e), 3000);
        Thread ts = new Thread(pair[0], "dtls-test-server"), tc = new Thread(pair[1], "dtls-test-client");
        ts.setDaemon(true); tc.setDaemon(true);
        ts.start(); tc.start();
        try {
            // both done, or the side that must refuse (waitFor: 0 server, 1 client) has failed
            CompletableFuture<String> watched = waitFor == 0 ? s : c;
            CompletableFuture<Object> refused = new CompletableFuture<>();
            watched.thenAccept(r -> { if (!r.equals("ok")) refused.complete(r); });
            CompletableFuture.anyOf(CompletableFuture.allOf(s, c), refused).get(10, TimeUnit.SECONDS);
            return new String[] {s.getNow("pending"), c.getNow("pending")};
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    static String fp(DtlsCertificate cert, String hash) { return hash + " " + DtlsCertificate.fingerprintOf(cert.der, hash); }

    @ParameterizedTest @ValueSource(strings = {"sha-1", "sha-256", "sha-384", "sha-512"})
    void matchingFingerprintOfEveryHashCompletes(String hash) throws Exception {
        String[] r = handshake(fp(CLIENT, hash), fp(SERVER, hash).toLowerCase().replace(hash, hash.toUpperCase()), -1);
        assertArrayEquals(new String[] {"ok", "ok"}, r, "both sides accept the certificate their SDP named (" + hash + ")");
    }

    @ParameterizedTest @ValueSource(strings = {"sha-1", "sha-256", "sha-384", "sha-512"})
    void clientRefusesAServerWhoseCertificateDoesNotMatch(String hash) throws Exception {
        // the client's SDP named another certificate: whoever answers with SERVER's is an impostor to it
        String[] r = handshake(fp(CLIENT, hash), fp(IMPOSTOR, hash), 1);
        assertTrue(r[1].startsWith("failed"), "client must refuse a server certificate not matching its " + hash + " fingerprint: " + r[1]);
        assertNotEquals("ok", r[0]);
    }

    @ParameterizedTest @ValueSource(strings = {"sha-1", "sha-256", "sha-384", "sha-512"})
    void serverRefusesAClientWhoseCertificateDoesNotMatch(String hash) throws Exception {
        String[] r = handshake(fp(IMPOSTOR, hash), fp(SERVER, hash), 0);
        assertTrue(r[0].startsWith("failed"), "server must refuse a client certificate not matching its " + hash + " fingerprint: " + r[0]);
    }

    @Test void unknownHashOrNoFingerprintFails() throws Exception {
        String md5 = "md5 " + "AB:".repeat(15) + "AB";
        assertTrue(handshake(md5, fp(SERVER, "sha-256"), 0)[0].startsWith("failed"), "an unknown hash is not 'accepted unchecked'");
        assertTrue(handshake(null, fp(SERVER, "sha-256"), 0)[0].startsWith("failed"), "no fingerprint: no handshake");
    }

    @Test void fingerprintParsing() {
        assertTrue(DtlsCertificate.matches(fp(SERVER, "sha-384"), SERVER.der));
        assertFalse(DtlsCertificate.matches(fp(SERVER, "sha-384"), CLIENT.der));
        assertFalse(DtlsCertificate.matches("sha-384 " + DtlsCertificate.fingerprintOf(SERVER.der, "sha-256"), SERVER.der),
                "a sha-256 value under the sha-384 name does not match");
        assertFalse(DtlsCertificate.matches("sha-256 zz:00", SERVER.der));
        assertFalse(DtlsCertificate.matches("sha-256", SERVER.der));
        assertFalse(DtlsCertificate.matches("", SERVER.der));
    }
}
