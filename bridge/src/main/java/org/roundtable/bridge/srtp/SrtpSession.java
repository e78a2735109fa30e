package org.roundtable.bridge.srtp;

import io.netty.util.collection.IntObjectHashMap;
import java.security.GeneralSecurityException;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;

/**
 * SRTP/SRTCP protect and unprotect for one endpoint (RFC 3711, RFC 7714), with contexts per SSRC derived
 * lazily from the DTLS-exported keys. Transforms are in place; protect needs tail room (see
 * {@link #MAX_TRAILER}). Thread: the endpoint's media loop (contexts are created and used there only).
 */
public final class SrtpSession {
    /** The most bytes SRTP(C) adds after a packet: a 16-byte tag plus the 4-byte SRTCP index. */
    public static final int MAX_TRAILER = 20;
    private static final SrtpLog LOG = SrtpLog.INSTANCE;

    private final SrtpContextFactory tx, rx;
    private final IntObjectHashMap<SrtpCryptoContext> txRtp = new IntObjectHashMap<>(), rxRtp = new IntObjectHashMap<>();
    private final IntObjectHashMap<SrtcpCryptoContext> txRtcp = new IntObjectHashMap<>(), rxRtcp = new IntObjectHashMap<>();
    private final BufView view = new BufView();
    /** Authenticated SRTCP senders we keep contexts for, at most (a peer has a few SSRCs). */
    static final int MAX_RX_RTCP_CONTEXTS = 64;
    public final int profile;
    private final boolean gcm, ownCiphers;

    public SrtpSession(SrtpKeys keys) {
        this(keys, true);
    }

    /** replayProtection false: only for benchmarks that unprotect the same packet repeatedly. */
    public SrtpSession(SrtpKeys keys, boolean replayProtection) {
        this(keys, replayProtection, true);
    }

    /** ownCiphers false: jitsi-srtp's ciphers as it makes them (for benchmarks that compare). */
    public SrtpSession(SrtpKeys keys, boolean replayProtection, boolean ownCiphers) {
        this.ownCiphers = ownCiphers;
        this.profile = keys.profile();
        this.gcm = keys.profile() == SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM;
        SrtpPolicy p1 = policy(keys.profile(), false), p2 = policy(keys.profile(), true);
        SrtpPolicy r1 = policy(keys.profile(), false), r2 = policy(keys.profile(), true);
        r1.setReceiveReplayEnabled(replayProtection);
        r2.setReceiveReplayEnabled(replayProtection);
        tx = new SrtpContextFactory(true, keys.localKey(), keys.localSalt(), p1, p2, LOG);
        rx = new SrtpContextFactory(false, keys.remoteKey(), keys.remoteSalt(), r1, r2, LOG);
    }

    /**
     * The policy for SRTP or SRTCP under a profile: AES-GCM, or AES-CM with HMAC-SHA1 and an 80-bit tag;
     * AES_CM_128_HMAC_SHA1_32 has a 32-bit tag on SRTP only (SRTCP keeps 80 bits, RFC 3711 / RFC 5764).
     */
    public static SrtpPolicy policy(int profile, boolean rtcp) {
        int tag = profile == SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32 && !rtcp ? 4 : 10;
        SrtpPolicy p = profile == SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM
                ? new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, 16, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12)
                : new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, 16, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, tag, 14);
        // We re-send cached packets (NACK answers without RTX); the sender-side replay list would refuse them.
        p.setSendReplayEnabled(false);
        return p;
    }

    /** Decrypts an SRTP packet in place. Returns the plaintext length, or a negative value on failure. */
    public int unprotectRtp(byte[] b, int off, int len, int ssrc) {
        try {
            SrtpCryptoContext c = rxRtp.get(ssrc);
            boolean fresh = c == null;
            if (fresh) c = fast(rx.deriveContext(ssrc, 0));
            view.set(b, off, len, len);
            SrtpErrorStatus s = c.reverseTransformPacket(view, false);
            if (s != SrtpErrorStatus.OK) {
                // a fresh context is dropped: a forged packet leaves no context behind
                return s == SrtpErrorStatus.REPLAY_FAIL || s == SrtpErrorStatus.REPLAY_OLD ? -2 : -1;
            }
            if (fresh) rxRtp.put(ssrc, c);
            return view.getLength();
        } catch (GeneralSecurityException | RuntimeException e) {
            return -1;
        }
    }

    /** Encrypts an RTP packet in place; cap is the room available from off. Returns the SRTP length or -1. */
    public int protectRtp(byte[] b, int off, int len, int cap, int ssrc) {
        try {
            SrtpCryptoContext c = txRtp.get(ssrc);
            if (c == null) { c = fast(tx.deriveContext(ssrc, 0)); txRtp.put(ssrc, c); }
            view.set(b, off, len, cap);
            return c.transformPacket(view) == SrtpErrorStatus.OK ? view.getLength() : -1;
        } catch (GeneralSecurityException | RuntimeException e) {
            return -1;
        }
    }

    public int unprotectRtcp(byte[] b, int off, int len, int senderSsrc) {
        try {
            SrtcpCryptoContext c = rxRtcp.get(senderSsrc);
            boolean fresh = c == null;
            if (fresh) {
                if (rxRtcp.size() >= MAX_RX_RTCP_CONTEXTS) return -1;
                c = fast(rx.deriveControlContext(senderSsrc));
            }
            view.set(b, off, len, len);
            if (c.reverseTransformPacket(view) != SrtpErrorStatus.OK) {
                // the sender SSRC is in clear text: a fresh context is dropped, kept only once a packet authenticates
                return -1;
            }
            if (fresh) rxRtcp.put(senderSsrc, c);
            return view.getLength();
        } catch (GeneralSecurityException | RuntimeException e) {
            return -1;
        }
    }

    public int protectRtcp(byte[] b, int off, int len, int cap, int senderSsrc) {
        try {
            SrtcpCryptoContext c = txRtcp.get(senderSsrc);
            if (c == null) { c = fast(tx.deriveControlContext(senderSsrc)); txRtcp.put(senderSsrc, c); }
            view.set(b, off, len, cap);
            return c.transformPacket(view) == SrtpErrorStatus.OK ? view.getLength() : -1;
        } catch (GeneralSecurityException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Every context gets an allocation-free cipher: {@link OpenSslGcm} for GCM, {@link OpenSslCtr} for AES-CM
     * (whose HMAC is {@link Sha1Hmac}, chosen by {@link HmacProvider#useOwn}).
     */
    private <C extends org.jitsi.srtp.BaseSrtpCryptoContext> C fast(C c) {
        if (!ownCiphers) return c;
        if (gcm) OpenSslGcm.install(c); else OpenSslCtr.install(c);
        return c;
    }

    /** Receive contexts held (SRTP, SRTCP): created only for packets that authenticated. */
    public int rxRtpContexts() { return rxRtp.size(); }
    public int rxRtcpContexts() { return rxRtcp.size(); }

    public void close() {
        tx.close();
        rx.close();
    }
}
