package org.roundtable.bridge.dtls;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;

/**
 * One DTLS-SRTP handshake (RFC 5764) with Bouncy Castle, as server (remote offered actpass/active) or
 * client (remote offered passive). The handshake blocks, so it runs on the bridge's small DTLS pool;
 * records arrive from the media loop through {@link #offer(byte[])}, and go out through the send
 * function. When done, {@link SrtpKeys} go to the completion callback.
 * Thread: constructed on the control thread, {@link #run()} on a DTLS pool thread, offer() on the media loop.
 */
public final class DtlsSession implements Runnable {
    public interface Sender { void send(byte[] b, int off, int len); }

    /** Keying material for SRTP, already split into our (local) and the peer's (remote) halves. */
    public record SrtpKeys(int profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {}

    private final DtlsCertificate cert;
    private final boolean client;
    private final String remoteFingerprint; // "sha-256 AB:..." from SDP (any RFC 8122 hash); required
    private final Sender sender;
    private final Consumer<SrtpKeys> onDone;
    private final Consumer<Exception> onFail;
    private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(64);
    private final int timeoutMs;
    /** closed: no more records in or out; closedByUs: close() was called (a failure then is no news). */
    private volatile boolean closed, closedByUs;
    private volatile DTLSTransport transport;

    public DtlsSession(DtlsCertificate cert, boolean client, String remoteFingerprint, Sender sender,
                       Consumer<SrtpKeys> onDone, Consumer<Exception> onFail, int timeoutMs) {
        this.cert = cert;
        this.client = client;
        this.remoteFingerprint = remoteFingerprint;
        this.sender = sender;
        this.onDone = onDone;
        this.onFail = onFail;
        this.timeoutMs = timeoutMs;
    }

    /** What {@link #offer} did with a record. */
    public enum Offered {
        /** closed, or the queue is full: a counted drop */
        DROPPED,
        /** queued for the thread already reading */
        QUEUED,
        /** queued after the handshake: the caller runs this session on the DTLS pool once to read it */
        RUN
    }

    /** The handshake's run began (every later run reads late records). */
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    /** A read of records that came after the handshake is scheduled or running. */
    private final java.util.concurrent.atomic.AtomicBoolean lateRead = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Hands a DTLS record from the media loop to this session. During the handshake its thread reads it.
     * After it, a peer that missed our final flight sends its own again (RFC 6347 section 4.2.4) and
     * Bouncy Castle's record layer answers by re-sending ours, but only while someone reads: then the
     * answer is {@link Offered#RUN}, and one run on the pool reads everything queued.
     */
    public Offered offer(byte[] record) {
        if (closed || !inbound.offer(record)) return Offered.DROPPED;
        return transport != null && lateRead.compareAndSet(false, true) ? Offered.RUN : Offered.QUEUED;
    }

    /** Whether the handshake is done (its transport kept for late records, until {@link #release}). */
    public boolean established() { return transport != null; }

    /**
     * The peer proved it holds the keys (an SRTP or SRTCP packet authenticated): it finished its
     * handshake, which a browser does only once it has our final flight, so it will never ask for that
     * again. Drops Bouncy Castle's handshake and record-layer state (the bulk of what a connected
     * endpoint keeps of DTLS). What comes after is dropped; a read running on the pool ends. No
     * close_notify is lost: {@link #close} never sent one (its send is cut off first). Any thread.
     */
    public void release() {
        closed = true;
        transport = null;
        inbound.clear();
    }

    public void close() {
        closedByUs = true;
        closed = true;
        DTLSTransport t = transport;
        if (t != null) {
            try { t.close(); } catch (IOException ignored) { /* peer gone */ }
        }
    }

    /**
     * The handshake (the first run), or, once it is done, a read of the records that came after it
     * (see {@link #offer}). Thread: the DTLS pool.
     */
    @Override
    public void run() {
        // Only the first run is the handshake. A later one reads late records; the transport may be gone by
        // then (released), and that run must not start a second handshake (it would fail at once: closed).
        if (!started.compareAndSet(false, true)) {
            readLate();
            return;
        }
        try {
            Transport t = new Transport();
            if (client) {
                Client c = new Client();
                transport = new DTLSClientProtocol().connect(c, t);
                onDone.accept(c.keys);
            } else {
                Server s = new Server();
                transport = new DTLSServerProtocol().accept(s, t);
                onDone.accept(s.keys);
            }
        } catch (Exception e) {
            // Bouncy Castle closes the transport itself before it throws: only our own close() silences a failure.
            if (!closedByUs) onFail.accept(e);
        }
    }

    /**
     * Reads what is queued after the handshake: a retransmitted final flight makes the record layer send
     * ours again; a close_notify or fatal alert closes the session. One 1 ms wait per record at most.
     */
    private void readLate() {
        DTLSTransport t = transport;
        if (t == null) { lateRead.set(false); return; }     // released meanwhile
        byte[] buf = new byte[1500];
        do {
            try {
                while (!closed && !inbound.isEmpty()) t.receive(buf, 0, buf.length, 1);
            } catch (IOException e) {
                closed = true; // the peer closed or sent garbage: nothing more to read
            }
            lateRead.set(false);
            // a record queued between the last look and the reset would wait for the next one: look again
        } while (!closed && !inbound.isEmpty() && lateRead.compareAndSet(false, true));
    }

    static final int[] SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    };
    /** Our preference: GCM (cheaper and stronger), then CM-HMAC-SHA1-80. */
    static final int[] PROFILES = {SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80};

    private TlsCredentialedSigner signer(TlsContext ctx) {
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(ctx), cert.crypto, cert.privateKey,
                cert.certificate, SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    private void verify(Certificate peer) throws IOException {
        if (peer == null || peer.isEmpty()) throw new TlsFatalAlert(AlertDescription.bad_certificate);
        // Every hash the SDP may name is checked (RFC 8122); no fingerprint, an unknown hash or a mismatch fails.
        if (!DtlsCertificate.matches(remoteFingerprint, peer.getCertificateAt(0).getEncoded()))
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
    }

    private static SrtpKeys export(TlsContext ctx, int profile, boolean weAreClient) {
        int keyLen = 16, saltLen = profile == SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM ? 12 : 14;
        byte[] km = ctx.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (keyLen + saltLen));
        byte[] ck = new byte[keyLen], sk = new byte[keyLen], cs = new byte[saltLen], ss = new byte[saltLen];
        System.arraycopy(km, 0, ck, 0, keyLen);
        System.arraycopy(km, keyLen, sk, 0, keyLen);
        System.arraycopy(km, 2 * keyLen, cs, 0, saltLen);
        System.arraycopy(km, 2 * keyLen + saltLen, ss, 0, saltLen);
        return weAreClient ? new SrtpKeys(profile, ck, cs, sk, ss) : new SrtpKeys(profile, sk, ss, ck, cs);
    }

    private final class Server extends DefaultTlsServer {
        int profile = -1;
        SrtpKeys keys;
        Server() { super(cert.crypto); }
        @Override protected ProtocolVersion[] getSupportedVersions() { return ProtocolVersion.DTLSv12.only(); }
        @Override protected int[] getSupportedCipherSuites() { return TlsUtils.getSupportedCipherSuites(getCrypto(), SUITES); }
        @Override protected TlsCredentialedSigner getECDSASignerCredentials() { return signer(context); }
        @Override public CertificateRequest getCertificateRequest() {
            return new CertificateRequest(new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
                    TlsUtils.getDefaultSupportedSignatureAlgorithms(context), null);
        }
        @Override public void notifyClientCertificate(Certificate c) throws IOException { verify(c); }
        @SuppressWarnings({"rawtypes", "unchecked"})
        @Override public void processClientExtensions(Hashtable ext) throws IOException {
            super.processClientExtensions(ext);
            UseSRTPData d = TlsSRTPUtils.getUseSRTPExtension(ext);
            if (d == null) throw new TlsFatalAlert(AlertDescription.handshake_failure);
            for (int want : PROFILES) for (int p : d.getProtectionProfiles()) if (p == want && profile < 0) profile = p;
            if (profile < 0) throw new TlsFatalAlert(AlertDescription.handshake_failure);
        }
        @SuppressWarnings({"rawtypes", "unchecked"})
        @Override public Hashtable getServerExtensions() throws IOException {
            Hashtable ext = super.getServerExtensions();
            if (ext == null) ext = new Hashtable();
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(new int[] {profile}, TlsUtils.EMPTY_BYTES));
            return ext;
        }
        @Override public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            keys = export(context, profile, false);
        }
    }

    private final class Client extends DefaultTlsClient {
        SrtpKeys keys;
        Client() { super(cert.crypto); }
        @Override protected ProtocolVersion[] getSupportedVersions() { return ProtocolVersion.DTLSv12.only(); }
        @Override protected int[] getSupportedCipherSuites() { return TlsUtils.getSupportedCipherSuites(getCrypto(), SUITES); }
        @SuppressWarnings({"rawtypes", "unchecked"})
        @Override public Hashtable getClientExtensions() throws IOException {
            Hashtable ext = super.getClientExtensions();
            if (ext == null) ext = new Hashtable();
            TlsSRTPUtils.addUseSRTPExtension(ext, new UseSRTPData(PROFILES, TlsUtils.EMPTY_BYTES));
            return ext;
        }
        @Override public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override public void notifyServerCertificate(TlsServerCertificate sc) throws IOException { verify(sc.getCertificate()); }
                @Override public TlsCredentials getClientCredentials(CertificateRequest req) { return signer(context); }
            };
        }
        private int profile = -1;
        @SuppressWarnings("rawtypes")
        @Override public void processServerExtensions(Hashtable ext) throws IOException {
            super.processServerExtensions(ext);
            UseSRTPData d = TlsSRTPUtils.getUseSRTPExtension(ext);
            if (d == null || d.getProtectionProfiles().length != 1) throw new TlsFatalAlert(AlertDescription.illegal_parameter);
            profile = d.getProtectionProfiles()[0];
        }
        @Override public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            if (profile < 0) throw new TlsFatalAlert(AlertDescription.handshake_failure);
            keys = export(context, profile, true);
        }
    }

    /** BC's view of the network: a queue fed by the media loop, and the endpoint's send path. */
    private final class Transport implements DatagramTransport {
        @Override public int getReceiveLimit() { return 1500; }
        @Override public int getSendLimit() { return 1200; }
        @Override public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            if (closed) throw new IOException("closed");
            byte[] r;
            try {
                r = inbound.poll(Math.min(waitMillis, timeoutMs), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            if (r == null) return -1;
            int n = Math.min(len, r.length);
            System.arraycopy(r, 0, buf, off, n);
            return n;
        }
        @Override public void send(byte[] buf, int off, int len) {
            if (!closed) sender.send(buf, off, len);
        }
        @Override public void close() { closed = true; }
    }
}
