package org.roundtable.streaming.rtmp;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One TCP (or TLS) connection to an RTMP server, below the commands: connect with a timeout, the handshake,
 * chunked sending, and a reading thread ({@code <name>-in}) that answers the protocol's control messages
 * (Window Acknowledgement Size: send Acknowledgements; User Control Ping Request: Ping Response; Set Chunk
 * Size, Abort) and hands every command to {@link #nextCommand}. The reading thread is also the watchdog:
 * it wakes every {@value #TICK_MS} ms, and cuts the socket when a write has made no progress for the stall
 * timeout (the server stopped reading) or the close deadline has passed. Blocking I/O is always bounded.
 * Threads: {@link #open}, {@link #send} and {@link #nextCommand} on the push thread only; {@link #abort} and
 * {@link #abortAfter} from any thread.
 */
final class RtmpConnection implements Closeable {
    static final int TICK_MS = 250;
    static final String CLOSED_BY_SERVER = "the server closed the connection";
    static final int MAX_INCOMING_MESSAGE = 1 << 20;
    private static final RtmpMessage DEAD = new RtmpMessage(0, 0, 0, 0, new byte[0]);
    private static final AtomicInteger READERS = new AtomicInteger();

    private final RtmpUrl url;
    private final RtmpOptions options;
    private final String name;
    private final LongAdder bytesSent;
    private final LongSupplier nanos;
    private final Socket raw = new Socket();
    private InputStream in;
    private OutputStream out;
    private final ChunkWriter writer = new ChunkWriter();
    private final ByteSink wire = new ByteSink(64 * 1024);
    private final ByteSink control = new ByteSink(64);
    private final ArrayBlockingQueue<RtmpMessage> commands = new ArrayBlockingQueue<>(64);
    /** Control replies the reading thread asks the push thread to send (it never writes itself: a stuck write must not stop the watchdog). */
    private final ConcurrentLinkedQueue<long[]> replies = new ConcurrentLinkedQueue<>();
    private final Watchdog watchdog;
    private volatile String failure;
    private Thread reader;

    RtmpConnection(RtmpUrl url, RtmpOptions options, String name, LongAdder bytesSent, LongSupplier nanos) {
        this.url = url;
        this.options = options;
        this.name = name;
        this.bytesSent = bytesSent;
        this.nanos = nanos;
        this.watchdog = new Watchdog(options.stallTimeout().toNanos());
    }

    /** Connects, does TLS when rtmps, the handshake, and starts the reading thread. */
    void open() throws IOException {
        int connectMs = (int) options.connectTimeout().toMillis(), responseMs = (int) options.responseTimeout().toMillis();
        try {
            raw.setTcpNoDelay(true);
            raw.setKeepAlive(true);
            raw.connect(new InetSocketAddress(url.host(), url.port()), connectMs);
        } catch (SocketTimeoutException e) {
            throw new IOException("connect to " + url.host() + ":" + url.port() + " timed out after " + connectMs + " ms");
        } catch (IOException e) {
            throw failed("connect to " + url.host() + ":" + url.port() + ": " + e.getMessage());
        }
        Socket s = raw;
        try {
            if (url.tls()) {
                raw.setSoTimeout(connectMs);
                SSLSocketFactory f = options.tls() != null ? options.tls() : (SSLSocketFactory) SSLSocketFactory.getDefault();
                SSLSocket ssl = (SSLSocket) f.createSocket(raw, url.host(), url.port(), true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
                ssl.startHandshake();
                s = ssl;
            }
        } catch (IOException e) {
            throw failed("TLS with " + url.host() + ": " + e.getMessage());
        }
        try {
            raw.setSoTimeout(responseMs);
            in = s.getInputStream();
            out = s.getOutputStream();
            Handshake.client(in, out, new SecureRandom(), System.currentTimeMillis() & 0xffffffL);
            raw.setSoTimeout(TICK_MS);
        } catch (SocketTimeoutException e) {
            throw failed("RTMP handshake: no answer from the server in " + responseMs + " ms");
        } catch (IOException e) {
            throw failed("RTMP handshake: " + e.getMessage());
        }
        reader = new Thread(this::readLoop, name + "-in-" + READERS.incrementAndGet());
        reader.setDaemon(true);
        reader.start();
    }

    private IOException failed(String why) {
        return new IOException(failure != null ? failure : why);
    }

    /** Sends one message (chunked; pending control replies go first). Push thread. */
    void send(int csid, int type, int streamId, long timestamp, byte[] body, int off, int len) throws IOException {
        wire.reset();
        appendReplies();
        writer.write(wire, csid, type, streamId, timestamp, body, off, len);
        flush();
    }

    /** Sends a protocol control message with a 32-bit value (Set Chunk Size, Window Acknowledgement Size). */
    void sendControl(int type, long value) throws IOException {
        control.reset();
        control.u32(value);
        wire.reset();
        appendReplies();
        writer.write(wire, 2, type, 0, 0, control.array(), 0, control.size());
        flush();
        if (type == RtmpMessage.SET_CHUNK_SIZE) writer.chunkSize((int) value);
    }

    /** Sends the control replies the reading thread queued, if any (the push thread calls it while idle). */
    void sendReplies() throws IOException {
        if (replies.isEmpty()) return;
        wire.reset();
        appendReplies();
        flush();
    }

    private void appendReplies() {
        for (long[] r; (r = replies.poll()) != null; ) {
            control.reset();
            if (r[0] == RtmpMessage.USER_CONTROL) control.u16(RtmpMessage.UC_PING_RESPONSE).u32(r[1]);
            else control.u32(r[1]);
            writer.write(wire, 2, (int) r[0], 0, 0, control.array(), 0, control.size());
        }
    }

    private void flush() throws IOException {
        if (failure != null) throw new IOException(failure);
        watchdog.writeStarted(nanos.getAsLong());
        try {
            out.write(wire.array(), 0, wire.size());
            out.flush();
        } catch (IOException e) {
            throw failed("send: " + e.getMessage());
        } finally {
            watchdog.writeDone();
        }
        bytesSent.add(wire.size());
    }

    /** The next command (or data) message from the server, waiting up to timeoutNanos; null on timeout. */
    RtmpMessage nextCommand(long timeoutNanos) throws IOException {
        RtmpMessage m;
        try {
            m = timeoutNanos <= 0 ? commands.poll() : commands.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (m == DEAD || (m == null && failure != null)) throw new IOException(failure != null ? failure : "connection closed");
        return m;
    }

    /** Throws the reason when the connection has died. */
    void checkAlive() throws IOException {
        if (failure != null) throw new IOException(failure);
    }

    /** Cuts the connection now (any blocked connect, read or write fails at once). Any thread. */
    void abort() {
        try {
            raw.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Cuts the connection if it is still open after nanosFromNow (the watchdog does it). Any thread. */
    void abortAfter(long nanosFromNow) { watchdog.deadline(nanos.getAsLong() + nanosFromNow); }

    private void fail(String why) {
        if (failure == null) failure = why;
        abort();
    }

    /**
     * Ends politely: shuts our sending side (plain TCP; the FIN follows the data already written), waits
     * up to nanosToWait for the server to close its side, then closes.
     */
    void closeGracefully(long nanosToWait) {
        if (!url.tls() && failure == null) {
            try {
                raw.shutdownOutput();
                Thread r = reader;
                if (r != null) r.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanosToWait)));
            } catch (IOException ignored) {
                // closing anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
    }

    @Override public void close() {
        fail("connection closed");
        Thread r = reader;
        if (r != null) {
            try {
                r.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The reading thread: control messages, commands to the queue, and the watchdog. */
    private void readLoop() {
        ChunkReader chunks = new ChunkReader(MAX_INCOMING_MESSAGE);
        byte[] buf = new byte[16 * 1024];
        long received = 0, acked = 0, window = 0;
        try {
            while (failure == null) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    n = 0;
                }
                if (n < 0) { fail(CLOSED_BY_SERVER); break; }
                String cut = watchdog.check(nanos.getAsLong());
                if (cut != null) { fail(cut); break; }
                if (n == 0) continue;
                received += n;
                chunks.feed(buf, 0, n);
                for (RtmpMessage m; (m = chunks.next()) != null; ) {
                    switch (m.type()) {
                        case RtmpMessage.WINDOW_ACK_SIZE -> window = m.u32();
                        case RtmpMessage.USER_CONTROL -> {
                            if (m.payload().length >= 6 && ((m.payload()[0] & 0xff) << 8 | (m.payload()[1] & 0xff)) == RtmpMessage.UC_PING_REQUEST) {
                                long t = ((m.payload()[2] & 0xffL) << 24) | ((m.payload()[3] & 0xff) << 16) | ((m.payload()[4] & 0xff) << 8) | (m.payload()[5] & 0xff);
                                reply(RtmpMessage.USER_CONTROL, t);
                            }
                        }
                        case RtmpMessage.COMMAND_AMF0, RtmpMessage.COMMAND_AMF3, RtmpMessage.DATA_AMF0 -> {
                            if (!commands.offer(m)) { fail("the server sent more commands than we can read"); return; }
                        }
                        default -> { }   // Set Chunk Size and Abort: the chunk reader applied them; the rest we do not need
                    }
                }
                if (window > 0 && received - acked >= window) {
                    acked = received;
                    reply(RtmpMessage.ACK, received & 0xffffffffL);
                }
            }
        } catch (EOFException e) {
            fail(CLOSED_BY_SERVER);
        } catch (IOException e) {
            fail(failure != null ? failure : "receive: " + e.getMessage());
        } catch (RuntimeException e) {
            fail("receive: " + e);
        } finally {
            if (!commands.offer(DEAD)) {                      // commands already queued are still read first
                commands.poll();
                commands.offer(DEAD);
            }
        }
    }

    private void reply(int type, long value) {
        if (replies.size() < 16) replies.add(new long[] {type, value});
    }
}
