package org.roundtable.bridge;

import java.util.concurrent.TimeUnit;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's start-up warm-up: the first SRTP contexts and one in-memory DTLS handshake, on their own
 * threads while the rest of the server is built; {@link Bridge#start} waits for it ({@link #await}).
 * Thread: its own ("dtls-warmup", "dtls-warmup-server"); await from the starting thread.
 */
final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
    private final DtlsCertificate cert;
    private final Thread thread;

    WarmUp(DtlsCertificate cert) {
        this.cert = cert;
        this.thread = start();
    }

    /** One DTLS handshake between two in-memory sessions (the warm-up's). */
    private void warmHandshake() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(2);
        DtlsSession[] pair = new DtlsSession[2];
        pair[0] = new DtlsSession(cert, false, cert.fingerprint, (b, o, l) -> pair[1].offer(java.util.Arrays.copyOfRange(b, o, o + l)),
                k -> done.countDown(), e -> done.countDown(), 5000);
        pair[1] = new DtlsSession(cert, true, cert.fingerprint, (b, o, l) -> pair[0].offer(java.util.Arrays.copyOfRange(b, o, o + l)),
                k -> done.countDown(), e -> done.countDown(), 5000);
        Thread s = new Thread(pair[0], "dtls-warmup-server");
        s.setDaemon(true);
        s.start();
        pair[1].run();
        done.await(10, TimeUnit.SECONDS);
        pair[0].close();
        pair[1].close();
    }

    /**
     * Waits (at most 10 s) for the warm-up, so the server answers nobody before it is done. jitsi-srtp's
     * provider benchmark holds a lock ({@code synchronized} on its {@code Aes} class) that every SRTP context
     * made meanwhile waits on, on the media loop: with it running beside the first clients, a cold server
     * stalled its loop for seconds (100 WHEP subscribers at a fresh server: the warm-up took 4.6 s and the
     * set-up 7-8 s, against 3.7-4.5 s for Janus; the warm-up alone takes ~2.4 s on a cold JVM here).
     */
    void await() throws InterruptedException {
        long t0 = System.nanoTime();
        thread.join(10_000);
        long waited = (System.nanoTime() - t0) / 1_000_000;
        if (thread.isAlive()) LOG.warn("the DTLS and SRTP warm-up is still running after {} ms: the first members may wait", waited);
        else LOG.debug("waited {} ms for the DTLS and SRTP warm-up", waited);
    }

    /**
     * One in-memory DTLS handshake and one SRTP context of each profile at start-up, on its own threads:
     * the first handshake in a cold JVM takes about a second (class loading, unJITted ECDHE), and the first
     * SRTP context runs jitsi-srtp's AES provider benchmark (11,000 warm-up rounds of each provider and
     * mode: ~2.4 s cold here), which the first people to join would otherwise wait for.
     */
    private Thread start() {
        Thread t = new Thread(() -> {
            try {
                long t0 = System.nanoTime();
                // the first SRTP contexts load and initialise jitsi-srtp's classes (and, if AesProviders could not
                // name its AES, run its provider benchmark): here, not on the media loop when the first person joins
                for (int p : new int[] {org.bouncycastle.tls.SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM,
                        org.bouncycastle.tls.SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80}) {
                    int salt = p == org.bouncycastle.tls.SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM ? 12 : 14;
                    org.roundtable.bridge.srtp.SrtpSession warm = new org.roundtable.bridge.srtp.SrtpSession(
                            new DtlsSession.SrtpKeys(p, new byte[16], new byte[salt], new byte[16], new byte[salt]));
                    byte[] pkt = new byte[200];
                    pkt[0] = (byte) 0x80;
                    warm.protectRtp(pkt, 0, 100, pkt.length, 1);
                    warm.close();
                }
                long srtpAt = System.nanoTime();
                // one handshake: six gave the same set-up time for 100 subscribers (5.0-5.7 s against 4.5-6.1 s)
                warmHandshake();
                LOG.info("DTLS and SRTP warm-up took {} ms (SRTP providers {} ms, the handshake {} ms)", (System.nanoTime() - t0) / 1_000_000,
                        (srtpAt - t0) / 1_000_000, (System.nanoTime() - srtpAt) / 1_000_000);
            } catch (Exception e) {
                LOG.debug("DTLS warm-up failed: {}", e.toString());
            }
        }, "dtls-warmup");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
