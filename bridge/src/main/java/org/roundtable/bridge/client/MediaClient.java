package org.roundtable.bridge.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.roundtable.bridge.dtls.DtlsCertificate;
import org.roundtable.bridge.dtls.DtlsSession;
import org.roundtable.bridge.ice.Stun;
import org.roundtable.bridge.rtp.Rtcp;
import org.roundtable.bridge.rtp.RtpPacket;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;

/**
 * A headless WebRTC endpoint for tests and load generation: controlling ICE (one Binding request with
 * USE-CANDIDATE), DTLS client, SRTP, over UDP or ICE-TCP (RFC 4571). It sends pre-built RTP and counts
 * what it receives per SSRC, without decoding. Thread: public methods from the test thread; one reader
 * thread per client; SRTP transforms are confined by a lock (test code, not the server's hot path).
 */
public final class MediaClient implements AutoCloseable {
    private static final SecureRandom RND = new SecureRandom();
    public final String ufrag = token(8), pwd = token(24);
    private final DtlsCertificate cert;
    private final boolean tcp;
    private DatagramSocket udp;
    private Socket tcpSocket;
    private OutputStream tcpOut;
    private InetSocketAddress server;
    private volatile SrtpSession srtp;
    private volatile DtlsSession dtls;
    private final Object srtpLock = new Object();
    private final CountDownLatch stunOk = new CountDownLatch(1), dtlsOk = new CountDownLatch(1);
    private volatile boolean closed;
    private Thread reader;
    public final Map<Integer, AtomicLong> received = new ConcurrentHashMap<>();
    public final Map<Integer, AtomicLong> rtx = new ConcurrentHashMap<>();
    public final AtomicLong rtcpReceived = new AtomicLong(), plisReceived = new AtomicLong(), rembReceived = new AtomicLong();
    private volatile Consumer<byte[]> onRtp;

    public MediaClient(DtlsCertificate cert, boolean tcp) {
        this.cert = cert;
        this.tcp = tcp;
    }

    static String token(int n) {
        String abc = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(abc.charAt(RND.nextInt(abc.length())));
        return sb.toString();
    }

    /** An offer: audio+video sendonly with the given SSRCs (0 = do not send that kind), plus recvonly sections. */
    public String offer(int audioSsrc, int videoSsrc, int videoRtxSsrc, int recvAudio, int recvVideo) {
        return Offers.offer(ufrag, pwd, cert, audioSsrc, videoSsrc, videoRtxSsrc, recvAudio, recvVideo);
    }

    /** Connects to the server described by the answer: ICE check, then DTLS, then SRTP. */
    public void connect(String answerSdp, long timeoutMs) throws Exception {
        Sdp answer = Sdp.parse(answerSdp);
        Sdp.Media m = answer.media.get(0);
        InetSocketAddress target = null;
        for (String line : answerSdp.split("\r\n")) {
            if (!line.startsWith("a=candidate:")) continue;
            String[] p = line.substring(12).split(" ");
            boolean isTcp = p[2].equalsIgnoreCase("tcp");
            if (isTcp == tcp) { target = new InetSocketAddress(InetAddress.getByName(p[4]), Integer.parseInt(p[5])); break; }
        }
        if (target == null) throw new IOException("no " + (tcp ? "tcp" : "udp") + " candidate in the answer");
        server = target;
        if (tcp) {
            tcpSocket = new Socket();
            tcpSocket.connect(target, (int) timeoutMs);
            tcpSocket.setTcpNoDelay(true);
            tcpOut = tcpSocket.getOutputStream();
        } else {
            udp = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            udp.setSoTimeout(200);
        }
        reader = new Thread(this::readLoop, "media-client-" + ufrag);
        reader.setDaemon(true);
        reader.start();
        byte[] tx = new byte[12];
        long end = System.currentTimeMillis() + timeoutMs;
        while (stunOk.getCount() > 0) {
            if (System.currentTimeMillis() > end) throw new IOException("ICE check got no answer");
            RND.nextBytes(tx);
            sendRaw(Stun.bindingRequest(tx, m.iceUfrag + ":" + ufrag, m.icePwd, true));
            stunOk.await(200, TimeUnit.MILLISECONDS);
        }
        dtls = new DtlsSession(cert, true, m.fingerprint, (b, o, l) -> {
            byte[] c = new byte[l];
            System.arraycopy(b, o, c, 0, l);
            try { sendRaw(c); } catch (IOException ignored) { /* retransmitted by DTLS */ }
        }, keys -> { srtp = new SrtpSession(keys); dtlsOk.countDown(); }, e -> {}, (int) timeoutMs);
        Thread t = new Thread(dtls, "media-client-dtls");
        t.setDaemon(true);
        t.start();
        if (!dtlsOk.await(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) throw new IOException("DTLS did not complete");
    }

    public boolean connected() { return srtp != null; }

    /** The local UDP address (null over TCP, or before connect). */
    public InetSocketAddress localAddress() { return udp == null ? null : (InetSocketAddress) udp.getLocalSocketAddress(); }

    /** Sends raw bytes (tests use this for garbage). */
    public synchronized void sendRaw(byte[] b) throws IOException {
        if (tcp) {
            tcpOut.write(new byte[] {(byte) (b.length >> 8), (byte) b.length});
            tcpOut.write(b);
            tcpOut.flush();
        } else {
            udp.send(new DatagramPacket(b, b.length, server));
        }
    }

    /** Protects and sends one RTP packet (given in plaintext). */
    public void sendRtp(byte[] plain, int len) throws IOException {
        byte[] b = new byte[len + SrtpSession.MAX_TRAILER];
        System.arraycopy(plain, 0, b, 0, len);
        int n;
        synchronized (srtpLock) { n = srtp.protectRtp(b, 0, len, b.length, RtpPacket.ssrc(b, 0)); }
        if (n < 0) throw new IOException("SRTP protect failed");
        byte[] out = new byte[n];
        System.arraycopy(b, 0, out, 0, n);
        sendRaw(out);
    }

    /** Protects and sends one RTCP compound packet (given in plaintext). */
    public void sendRtcp(byte[] plain, int len) throws IOException {
        byte[] b = new byte[len + SrtpSession.MAX_TRAILER];
        System.arraycopy(plain, 0, b, 0, len);
        int n;
        synchronized (srtpLock) { n = srtp.protectRtcp(b, 0, len, b.length, Rtcp.senderSsrc(b, 0)); }
        byte[] out = new byte[n];
        System.arraycopy(b, 0, out, 0, n);
        sendRaw(out);
    }

    /** Called with each decrypted RTP packet (a copy). */
    public void onRtp(Consumer<byte[]> c) { onRtp = c; }

    public long receivedFrom(int ssrc) { AtomicLong a = received.get(ssrc); return a == null ? 0 : a.get(); }

    private void readLoop() {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            DataInputStream in = tcp ? new DataInputStream(tcpSocket.getInputStream()) : null;
            while (!closed) {
                int len;
                if (tcp) {
                    len = in.readUnsignedShort();
                    in.readFully(buf, 0, len);
                } else {
                    try { udp.receive(p); } catch (SocketTimeoutException e) { continue; }
                    len = p.getLength();
                }
                handle(buf, len);
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void handle(byte[] buf, int len) {
        if (len < 1) return;
        int first = buf[0] & 0xFF;
        if (first < 4) {
            Stun.Request r = Stun.parse(buf, 0, len);
            if (r != null && r.type == Stun.BINDING_SUCCESS) stunOk.countDown();
        } else if (first >= 20 && first <= 63) {
            byte[] c = new byte[len];
            System.arraycopy(buf, 0, c, 0, len);
            DtlsSession d = dtls;
            if (d != null) d.offer(c);
        } else if (first >= 128 && first <= 191 && srtp != null) {
            if (Rtcp.looksLikeRtcp(buf, 0, len)) {
                int n;
                synchronized (srtpLock) { n = srtp.unprotectRtcp(buf, 0, len, Rtcp.senderSsrc(buf, 0)); }
                if (n < 0) return;
                rtcpReceived.incrementAndGet();
                for (int q = 0; q + 4 <= n && Rtcp.length(buf, q) > 0; q += Rtcp.length(buf, q)) {
                    if (Rtcp.packetType(buf, q) == Rtcp.PSFB && Rtcp.fmt(buf, q) == Rtcp.FMT_PLI) plisReceived.incrementAndGet();
                    if (Rtcp.readRemb(buf, q, Rtcp.length(buf, q)) > 0) rembReceived.incrementAndGet();
                }
                return;
            }
            int ssrc = RtpPacket.ssrc(buf, 0);
            int n;
            synchronized (srtpLock) { n = srtp.unprotectRtp(buf, 0, len, ssrc); }
            if (n < 0) return;
            received.computeIfAbsent(ssrc, k -> new AtomicLong()).incrementAndGet();
            Consumer<byte[]> c = onRtp;
            if (c != null) {
                byte[] copy = new byte[n];
                System.arraycopy(buf, 0, copy, 0, n);
                c.accept(copy);
            }
        }
    }

    @Override public void close() {
        closed = true;
        if (dtls != null) dtls.close();
        if (udp != null) udp.close();
        try { if (tcpSocket != null) tcpSocket.close(); } catch (IOException ignored) { /* closing */ }
    }

    /** Builds a plaintext RTP packet: 12-byte header and the payload. */
    public static byte[] rtp(int pt, boolean marker, int seq, long ts, int ssrc, byte[] payload) {
        byte[] b = new byte[12 + payload.length];
        b[0] = (byte) 0x80;
        b[1] = (byte) ((marker ? 0x80 : 0) | pt);
        RtpPacket.setSequence(b, 0, seq);
        RtpPacket.setTimestamp(b, 0, ts);
        RtpPacket.setSsrc(b, 0, ssrc);
        System.arraycopy(payload, 0, b, 12, payload.length);
        return b;
    }
}
