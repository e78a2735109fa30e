package org.roundtable.streaming.rtmp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ServerSocketFactory;

/**
 * A scripted RTMP server for the bad-peer tests, on 127.0.0.1 (plain, or TLS given a factory): it can stay
 * silent after accepting, go silent after the handshake, answer the publish sequence, refuse the key, or stop
 * reading once publishing.
 * It records what the client sent. Threads: an accept thread, one thread per connection.
 */
final class FakeRtmpServer implements AutoCloseable {
    enum Mode { SILENT, HANDSHAKE_ONLY, PUBLISH, REJECT, STALL }

    final Mode mode;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger(), publishes = new AtomicInteger(), pongs = new AtomicInteger(), acks = new AtomicInteger();
    final AtomicLong mediaBytes = new AtomicLong();
    /** Everything the client sent, as "command name", "data", "video key seq", "video key", "video inter", "audio seq", "audio", with time stamps. */
    final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    /** Pings to send once publishing (with a 100-byte window so the client must acknowledge). */
    volatile int pings;

    FakeRtmpServer(Mode mode) throws IOException { this(mode, ServerSocketFactory.getDefault()); }

    FakeRtmpServer(Mode mode, ServerSocketFactory factory) throws IOException {
        this.mode = mode;
        server = factory.createServerSocket();
        if (mode == Mode.STALL) server.setReceiveBufferSize(4096);
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread t = new Thread(this::acceptLoop, "fake-rtmp-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() { return server.getLocalPort(); }

    RtmpUrl url(String key) { return new RtmpUrl(false, "127.0.0.1", port(), "live", key); }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "fake-rtmp-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            if (mode == Mode.SILENT) {
                while (s.getInputStream().read(new byte[4096]) >= 0) { }   // takes C0+C1, never answers
                return;
            }
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            DataInputStream d = new DataInputStream(in);
            byte[] c0c1 = new byte[1537];
            d.readFully(c0c1);
            byte[] s0s1s2 = new byte[1 + 2 * 1536];
            s0s1s2[0] = 3;
            System.arraycopy(c0c1, 1, s0s1s2, 1 + 1536, 1536);          // S2 echoes C1
            out.write(s0s1s2);
            d.readFully(new byte[1536]);
            if (mode == Mode.HANDSHAKE_ONLY) {
                while (!s.isClosed()) Thread.sleep(50);               // never reads the connect command, never answers
                return;
            }
            ChunkReader reader = new ChunkReader(1 << 24);
            ChunkWriter writer = new ChunkWriter();
            send(out, writer, 2, RtmpMessage.SET_CHUNK_SIZE, 0, new ByteSink(4).u32(4096));
            writer.chunkSize(4096);
            byte[] buf = new byte[64 * 1024];
            boolean published = false;
            while (true) {
                int n = in.read(buf);
                if (n < 0) return;
                reader.feed(buf, 0, n);
                for (RtmpMessage m; (m = reader.next()) != null; ) {
                    switch (m.type()) {
                        case RtmpMessage.COMMAND_AMF0 -> {
                            List<Object> v = Amf0.decodeAll(m.payload());
                            String name = (String) v.get(0);
                            events.add(name);
                            if (!answer(out, writer, name, (Double) v.get(1))) return;
                            published |= name.equals("publish");
                        }
                        case RtmpMessage.DATA_AMF0 -> events.add("data " + Amf0.decodeAll(m.payload()).get(1));
                        case RtmpMessage.VIDEO -> {
                            mediaBytes.addAndGet(m.payload().length);
                            boolean seq = m.payload()[1] == 0;
                            events.add("video " + ((m.payload()[0] & 0xf0) == 0x10 ? "key" : "inter") + (seq ? " seq" : "") + " @" + m.timestamp());
                        }
                        case RtmpMessage.AUDIO -> {
                            mediaBytes.addAndGet(m.payload().length);
                            events.add("audio" + (m.payload()[1] == 0 ? " seq" : "") + " @" + m.timestamp());
                        }
                        case RtmpMessage.USER_CONTROL -> { if (m.payload()[1] == RtmpMessage.UC_PING_RESPONSE) pongs.incrementAndGet(); }
                        case RtmpMessage.ACK -> acks.incrementAndGet();
                        default -> { }
                    }
                }
                if (published && mode == Mode.STALL) {
                    while (!s.isClosed()) Thread.sleep(50);           // stops reading: the client's writes back up
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    /** Answers a command; false to end the connection. */
    private boolean answer(OutputStream out, ChunkWriter w, String name, double txn) throws IOException {
        ByteSink b = new ByteSink(256);
        switch (name) {
            case "connect" -> {
                send(out, w, 2, RtmpMessage.WINDOW_ACK_SIZE, 0, new ByteSink(4).u32(pings > 0 ? 100 : 5_000_000));
                Amf0.write(b, "_result", txn, Map.of("fmsVer", "FMS/3,0,1,123"), Map.of("level", "status", "code", "NetConnection.Connect.Success"));
                send(out, w, 3, RtmpMessage.COMMAND_AMF0, 0, b);
                b.reset();
                Amf0.write(b, "onBWDone", 0, null);
                send(out, w, 3, RtmpMessage.COMMAND_AMF0, 0, b);
            }
            case "createStream" -> {
                Amf0.write(b, "_result", txn, null, 1);
                send(out, w, 3, RtmpMessage.COMMAND_AMF0, 0, b);
            }
            case "publish" -> {
                if (mode == Mode.REJECT) {
                    Amf0.write(b, "onStatus", 0, null, Map.of("level", "error", "code", "NetStream.Publish.BadName", "description", "Already publishing"));
                    send(out, w, 5, RtmpMessage.COMMAND_AMF0, 1, b);
                    return false;
                }
                Amf0.write(b, "onStatus", 0, null, Map.of("level", "status", "code", "NetStream.Publish.Start", "description", "Start publishing"));
                send(out, w, 5, RtmpMessage.COMMAND_AMF0, 1, b);
                publishes.incrementAndGet();
                for (int i = 0; i < pings; i++) {
                    send(out, w, 2, RtmpMessage.USER_CONTROL, 0, new ByteSink(6).u16(RtmpMessage.UC_PING_REQUEST).u32(1000 + i));
                }
            }
            default -> { }
        }
        return true;
    }

    private static void send(OutputStream out, ChunkWriter w, int csid, int type, int stream, ByteSink body) throws IOException {
        ByteSink wire = new ByteSink(body.size() + 64);
        w.write(wire, csid, type, stream, 0, body.array(), 0, body.size());
        out.write(wire.array(), 0, wire.size());
        out.flush();
    }

    @Override public void close() throws IOException {
        server.close();
        for (Socket s : sockets) s.close();
    }
}
