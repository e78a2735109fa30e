package org.roundtable.bridge.router;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.ice.Stun;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;
import org.roundtable.bridge.transport.MediaPath;

/**
 * An endpoint's connection set-up: ICE-lite (answers authenticated Binding requests, selects the
 * {@link MediaPath}, learns addresses), then the DTLS handshake on the host's pool, whose exported keys
 * become the endpoint's {@link SrtpSession}. Holds the remote ICE credentials and DTLS fingerprint and
 * role from the offer. Thread: the media loop (the DTLS pool's callbacks hop back to it).
 */
final class TransportSecurity {
    private final Endpoint ep;
    private final EndpointHost host;
    private final BridgeMetrics metrics;

    private String remoteUfrag, remotePwd, remoteFingerprint;
    private boolean dtlsClient;
    private final Set<InetSocketAddress> addresses = new HashSet<>();
    private DtlsSession dtls;
    /** The handshake ended and the peer proved its keys: {@link #dtls} was released and dropped. */
    private boolean dtlsReleased;
    /** This endpoint holds one of the bridge's places for pending handshakes. */
    private boolean dtlsPending;
    private long dtlsStartNs;
    private long lastStunAtMs, connectedAtMs;

    TransportSecurity(Endpoint ep, EndpointHost host) {
        this.ep = ep;
        this.host = host;
        this.metrics = host.metrics();
    }

    /** Whether we are the DTLS client (the offer's a=setup was passive). */
    boolean dtlsClient() { return dtlsClient; }
    long lastStunAtMs() { return lastStunAtMs; }
    Set<InetSocketAddress> addresses() { return addresses; }

    /**
     * The remote ICE credentials and DTLS role and fingerprint from an offer; the role and fingerprint
     * are fixed by the first offer.
     * @throws Sdp.SdpException if the fingerprint changed during the session
     */
    void applyOffer(String setup, String fingerprint, String iceUfrag, String icePwd) throws Sdp.SdpException {
        boolean newDtlsClient = setup.equals("passive");
        if (dtls == null && !dtlsReleased) {
            dtlsClient = newDtlsClient;
            remoteFingerprint = fingerprint;
        } else if (!fingerprint.equalsIgnoreCase(remoteFingerprint)) {
            throw new Sdp.SdpException("DTLS fingerprint changed during the session");
        }
        remoteUfrag = iceUfrag;
        remotePwd = icePwd;
    }

    /** See {@link Endpoint#onStun}. */
    boolean onStun(byte[] b, int off, int len, Stun.Request req, InetSocketAddress from, MediaPath via) {
        if (ep.closed) return false;
        if (req.type != Stun.BINDING_REQUEST) return false; // indications (keepalives) and responses need nothing
        if (!Stun.checkFingerprint(b, off, req) || !Stun.checkIntegrity(b, off, req, ep.localPwd)) {
            metrics.drop(DropReason.STUN_BAD_INTEGRITY);
            via.write(host.alloc().heapBuffer(64).writeBytes(Stun.bindingError(req.transactionId, 401, "Unauthorized")));
            return false;
        }
        if (req.username == null || remoteUfrag == null || !req.username.equals(ep.localUfrag + ":" + remoteUfrag)) {
            // Checks can race the answer; accept any remote ufrag before we know it.
            if (req.username == null || !req.username.startsWith(ep.localUfrag + ":")) {
                metrics.drop(DropReason.STUN_UNKNOWN_USER);
                return false;
            }
        }
        via.write(host.alloc().heapBuffer(96).writeBytes(Stun.bindingSuccess(req.transactionId, from, ep.localPwd)));
        lastStunAtMs = host.nowMs();
        if (ep.path == null || req.useCandidate) {
            boolean first = ep.path == null;
            if (ep.path == null || !ep.path.describe().equals(via.describe())) {
                ep.path = via;
                if (from != null && addresses.add(from)) host.bindAddress(from, ep);
                host.pathSelected(ep, via);
            }
            if (first) {
                metrics.iceSeconds.observe((host.nowMs() - ep.createdAtMs) / 1000.0);
                startDtls();
            }
        }
        return true;
    }

    private void startDtls() {
        if (dtls != null || dtlsReleased) return;
        if (!host.reserveDtls()) { ep.close("too many DTLS handshakes in progress"); return; }
        dtlsPending = true;
        dtlsStartNs = System.nanoTime();
        dtls = new DtlsSession(host.certificate(), dtlsClient, remoteFingerprint,
                (buf, o, l) -> host.execute(() -> {
                    if (ep.path != null && !ep.closed) {
                        ep.path.write(host.alloc().heapBuffer(l).writeBytes(buf, o, l));
                        host.flush();
                    }
                }),
                keys -> host.execute(() -> onDtlsDone(keys)),
                err -> host.execute(() -> {
                    metrics.dtlsFailures.inc();
                    endDtls();
                    ep.close("DTLS failed: " + err.getMessage());
                }),
                host.config().dtlsTimeoutMs());
        host.startDtls(dtls);
    }

    private void endDtls() {
        if (dtlsPending) { dtlsPending = false; host.dtlsEnded(); }
    }

    private void onDtlsDone(DtlsSession.SrtpKeys keys) {
        endDtls();
        if (ep.closed) return;
        ep.srtp = new SrtpSession(keys);
        connectedAtMs = host.nowMs();
        metrics.dtlsSeconds.observe((System.nanoTime() - dtlsStartNs) / 1e9);
        for (DownTrack dt : ep.downByMid.values()) if (dt.source != null) dt.source.requestKeyframe(host.nowMs());
        ep.listener.onConnected(ep);
    }

    /**
     * The first SRTP or SRTCP packet from the peer authenticated: it has the keys, so the DTLS state goes
     * ({@link DtlsSession#release}). Media loop.
     */
    void keysProven() {
        if (dtls == null || !dtls.established()) return;
        dtls.release();
        dtls = null;
        dtlsReleased = true;
    }

    /** Whether DTLS state is still held (the handshake runs, or the peer has not proved its keys yet). */
    boolean dtlsHeld() { return dtls != null; }

    /** See {@link Endpoint#onDtls}. */
    void onDtls(byte[] b, int off, int len) {
        // after the release a record can only be a peer's alert or a stray retransmission: nothing to do
        if (dtls == null || ep.closed) { metrics.drop(DropReason.DTLS_UNEXPECTED); return; }
        // After the handshake only handshake records (the peer missed our final flight and sends its own
        // again: we must answer, or it never gets its keys) and alerts mean anything; we carry no DTLS data.
        if (dtls.established() && (len < DTLS_RECORD_HEADER || b[off] != CONTENT_HANDSHAKE && b[off] != CONTENT_ALERT)) {
            metrics.drop(DropReason.DTLS_UNEXPECTED);
            return;
        }
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        switch (dtls.offer(copy)) {
            case DROPPED -> metrics.drop(DropReason.DTLS_QUEUE_FULL);
            case RUN -> host.startDtls(dtls);
            case QUEUED -> { }
        }
    }

    /** TLS record content types (RFC 5246 section 6.2.1). */
    private static final byte CONTENT_ALERT = 21, CONTENT_HANDSHAKE = 22;
    /** A DTLS record's header: type, version, epoch, sequence number, length (RFC 6347 section 4.1). */
    private static final int DTLS_RECORD_HEADER = 13;

    /** Stops the handshake if one runs and gives back its place. Called by {@link Endpoint#close}. */
    void close() {
        if (dtls != null) dtls.close();
        endDtls();
    }
}
