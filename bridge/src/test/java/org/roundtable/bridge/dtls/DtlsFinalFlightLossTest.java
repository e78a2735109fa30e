package org.roundtable.bridge.dtls;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The last flight of a handshake is lost: a real network loses one packet in a hundred, and a browser is
 * usually the DTLS client, so our ChangeCipherSpec + Finished is the flight that nobody acknowledges.
 * The client then sends its own final flight again; we must answer it after our side is done, or the
 * caller never gets keys and the call fails. Two in-memory sessions; the "network" drops every datagram
 * of our final flight's first sending, and feeds later records the way the media loop does (a record
 * offered after the handshake asks for one run on the pool).
 */
class DtlsFinalFlightLossTest {
    static final DtlsCertificate SERVER = DtlsCertificate.generate(), CLIENT = DtlsCertificate.generate();
    final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach void stop() { pool.shutdownNow(); }

    /** Whether a datagram holds a record of epoch 1 or later (encrypted: the final flight's Finished). */
    static boolean encrypted(byte[] d, int off, int len) {
        for (int i = off; i + 13 <= off + len; i += 13 + ((d[i + 11] & 0xFF) << 8 | (d[i + 12] & 0xFF))) {
            if (d[i] == 20 || ((d[i + 3] & 0xFF) << 8 | (d[i + 4] & 0xFF)) > 0) return true;
        }
        return false;
    }

    void deliver(DtlsSession to, byte[] record) {
        if (to.offer(record) == DtlsSession.Offered.RUN) pool.execute(to);
    }

    @Test void theServersLostFinalFlightIsSentAgainWhenTheClientRepeatsItsOwn() throws Exception {
        CompletableFuture<DtlsSession.SrtpKeys> s = new CompletableFuture<>(), c = new CompletableFuture<>();
        AtomicInteger dropped = new AtomicInteger(), resent = new AtomicInteger();
        DtlsSession[] pair = new DtlsSession[2];
        pair[0] = new DtlsSession(SERVER, false, "sha-256 " + DtlsCertificate.fingerprintOf(CLIENT.der, "sha-256"), (b, o, l) -> {
            if (encrypted(b, o, l)) {
                if (!s.isDone()) { dropped.incrementAndGet(); return; } // the first sending of our final flight is lost
                resent.incrementAndGet();
            }
            deliver(pair[1], Arrays.copyOfRange(b, o, o + l));
        }, s::complete, s::completeExceptionally, 8000);
        pair[1] = new DtlsSession(CLIENT, true, "sha-256 " + DtlsCertificate.fingerprintOf(SERVER.der, "sha-256"),
                (b, o, l) -> deliver(pair[0], Arrays.copyOfRange(b, o, o + l)), c::complete, c::completeExceptionally, 8000);
        pool.execute(pair[0]);
        pool.execute(pair[1]);
        try {
            DtlsSession.SrtpKeys serverKeys = s.get(10, TimeUnit.SECONDS);
            assertTrue(pair[0].established());
            // the client's retransmission timer starts at one second (RFC 6347 4.2.4.1)
            DtlsSession.SrtpKeys clientKeys = c.get(10, TimeUnit.SECONDS);
            assertTrue(dropped.get() > 0, "the first final flight was dropped");
            assertTrue(resent.get() > 0, "and sent again in answer to the client's repeat");
            assertArrayEquals(serverKeys.localKey(), clientKeys.remoteKey(), "both ends derived the same SRTP keys");
            assertArrayEquals(serverKeys.remoteSalt(), clientKeys.localSalt());
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    /**
     * A late record asks for a read on the pool; the peer then proves its keys and the session is
     * released before that read runs: the read finds nothing to do, and above all starts no second
     * handshake (that one failed at once and closed the endpoint: CI saw "DTLS failed: closed").
     */
    @Test void aReadScheduledBeforeTheReleaseStartsNoHandshake() throws Exception {
        CompletableFuture<DtlsSession.SrtpKeys> s = new CompletableFuture<>(), c = new CompletableFuture<>();
        AtomicInteger failures = new AtomicInteger();
        DtlsSession[] pair = new DtlsSession[2];
        pair[0] = new DtlsSession(SERVER, false, "sha-256 " + DtlsCertificate.fingerprintOf(CLIENT.der, "sha-256"),
                (b, o, l) -> deliver(pair[1], Arrays.copyOfRange(b, o, o + l)), s::complete, e -> failures.incrementAndGet(), 8000);
        pair[1] = new DtlsSession(CLIENT, true, "sha-256 " + DtlsCertificate.fingerprintOf(SERVER.der, "sha-256"),
                (b, o, l) -> deliver(pair[0], Arrays.copyOfRange(b, o, o + l)), c::complete, c::completeExceptionally, 8000);
        pool.execute(pair[0]);
        pool.execute(pair[1]);
        try {
            s.get(10, TimeUnit.SECONDS);
            c.get(10, TimeUnit.SECONDS);
            byte[] late = new byte[13 + 16];
            late[0] = 22;                       // a handshake record, as a repeated final flight starts
            late[1] = (byte) 0xFE; late[2] = (byte) 0xFD;
            assertEquals(DtlsSession.Offered.RUN, pair[0].offer(late), "a late record asks for one read");
            pair[0].release();
            assertFalse(pair[0].established());
            pair[0].run();                      // the read that was asked for, after the release
            assertEquals(0, failures.get(), "no second handshake, no failure");
            assertEquals(DtlsSession.Offered.DROPPED, pair[0].offer(late), "what comes after the release is dropped");
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }
}
