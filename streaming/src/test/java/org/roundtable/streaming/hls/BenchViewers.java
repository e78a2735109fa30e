package org.roundtable.streaming.hls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link HlsLoadBench}'s simulated LL-HLS viewers, as cheap as a client can be (so that one client core
 * drives 1,000 of them): one NIO selector thread, two keep-alive HTTP/1.1 connections per viewer (one for
 * playlists, one for parts), bodies counted and dropped except the playlists' text. Per part a viewer does
 * what hls.js/AVPlayer do at the live edge: the blocking reload for the hinted part and the GET of that
 * part at once; when both are answered it fetches any parts it missed, then waits for the next hinted one.
 * Thread: its own (run()).
 */
final class BenchViewers implements Runnable {
    private static final Pattern HINT = Pattern.compile("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"(part(\\d+)\\.(\\d+)\\.[a-z0-9]+\\.m4s)\"");
    private static final Pattern PART = Pattern.compile("#EXT-X-PART:[^\\n]*URI=\"(part(\\d+)\\.(\\d+)\\.[a-z0-9]+\\.m4s)\"");

    private final HlsLoadBench bench;
    private final InetSocketAddress server;
    private final String path;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);
    private final List<Viewer> viewers = new ArrayList<>();

    BenchViewers(HlsLoadBench bench, InetSocketAddress server, String path, int n) throws IOException {
        this.bench = bench;
        this.server = server;
        this.path = path;
        this.selector = Selector.open();
        for (int i = 0; i < n; i++) viewers.add(new Viewer("bench-viewer-" + i));
    }

    @Override public void run() {
        try {
            int started = 0;
            long nextStart = System.nanoTime();
            while (bench.running) {
                if (started < viewers.size() && System.nanoTime() >= nextStart) {     // join 50 every 20 ms
                    for (int k = 0; k < 50 && started < viewers.size(); k++) viewers.get(started++).start();
                    nextStart = System.nanoTime() + 20_000_000;
                }
                selector.select(10);
                for (SelectionKey key : selector.selectedKeys()) ((Conn) key.attachment()).readable();
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One HTTP/1.1 connection: requests go out in order, responses come back in order. */
    private final class Conn {
        private final SocketChannel ch;
        private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        private final byte[] header = new byte[4096];
        private int headerLen = -1, status;
        private long left;
        private final byte[] body = new byte[64 * 1024];
        private int bodyLen;

        Conn() throws IOException {
            ch = SocketChannel.open(server);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ, this);
        }

        void send(String target, String agent, Pending p) {
            p.sent = System.nanoTime();
            waiting.add(p);
            ByteBuffer req = ByteBuffer.wrap(("GET " + path + target + " HTTP/1.1\r\nHost: " + server.getHostString() + "\r\nUser-Agent: " + agent
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try {
                while (req.hasRemaining()) ch.write(req);          // a request is small: the socket takes it at once
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void readable() {
            try {
                in.clear();
                int n = ch.read(in);
                if (n < 0) throw new IOException("server closed a connection");
                in.flip();
                while (in.hasRemaining()) consume();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private void consume() {
            if (headerLen < 0) headerLen = 0;
            if (left == 0 && status == 0) {                         // in the header
                while (in.hasRemaining()) {
                    header[headerLen++] = in.get();
                    if (headerLen >= 4 && header[headerLen - 1] == '\n' && header[headerLen - 2] == '\r' && header[headerLen - 3] == '\n') {
                        String h = new String(header, 0, headerLen, StandardCharsets.US_ASCII);
                        status = Integer.parseInt(h.substring(9, 12));
                        int cl = h.toLowerCase().indexOf("content-length:");
                        left = cl < 0 ? 0 : Long.parseLong(h.substring(cl + 15, h.indexOf('\r', cl)).trim());
                        bodyLen = 0;
                        if (left == 0) complete();
                        return;
                    }
                }
                return;
            }
            int take = (int) Math.min(left, in.remaining());
            Pending p = waiting.peek();
            if (p != null && p.playlist && bodyLen + take <= body.length) in.get(body, bodyLen, take);
            else in.position(in.position() + take);
            bodyLen += take;
            left -= take;
            if (left == 0) complete();
        }

        private void complete() {
            long now = System.nanoTime();
            Pending p = waiting.poll();
            int st = status, len = bodyLen;
            status = 0;
            headerLen = 0;
            if (p != null) p.done(st, len, now, p.playlist ? new String(body, 0, Math.min(len, body.length), StandardCharsets.US_ASCII) : null);
        }
    }

    /** A request sent on a connection, and what to do with its response. */
    private abstract static class Pending {
        final boolean playlist;
        long sent;

        Pending(boolean playlist) { this.playlist = playlist; }

        abstract void done(int status, int length, long received, String text);
    }

    /** One viewer: its two connections and where it is in the stream. */
    private final class Viewer {
        private final String agent;
        private Conn playlists, parts;
        private long msn = -1;
        private int part;
        private int outstanding;
        private String next;

        Viewer(String agent) { this.agent = agent; }

        void start() {
            try {
                if (playlists == null) { playlists = new Conn(); parts = new Conn(); }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            playlists.send("index.m3u8", agent, new Pending(true) {
                @Override void done(int status, int length, long received, String text) {
                    bench.requests.incrementAndGet();
                    if (status != 200) { bench.error(); start(); return; }
                    cycle(text);
                }
            });
        }

        /** From a playlist: fetch what was missed, then wait for the hinted part (playlist and part at once). */
        void cycle(String text) {
            if (!bench.running) return;
            Matcher h = HINT.matcher(text);
            if (!h.find()) { bench.error(); start(); return; }
            String uri = h.group(1);
            long m = Long.parseLong(h.group(2));
            int p = Integer.parseInt(h.group(3));
            List<String> missed = new ArrayList<>();
            if (msn >= 0) {
                long from = msn * 1000 + part, to = m * 1000 + p;
                for (Matcher x = PART.matcher(text); x.find(); ) {
                    long key = Long.parseLong(x.group(2)) * 1000 + Long.parseLong(x.group(3));
                    if (key > from && key < to) missed.add(x.group(1));
                }
                bench.skipped.addAndGet(missed.size());
            }
            msn = m;
            part = p;
            outstanding = 2 + missed.size();
            for (String u : missed) parts.send(u, agent, partDone(-1, 0));
            playlists.send("index.m3u8?_HLS_msn=" + m + "&_HLS_part=" + p, agent, new Pending(true) {
                @Override void done(int status, int length, long received, String body) {
                    bench.requests.incrementAndGet();
                    if (status != 200) bench.error();
                    else bench.answered(true, m, p, sent, received);
                    next = status == 200 ? body : null;
                    finished();
                }
            });
            parts.send(uri, agent, partDone(m, p));
        }

        private Pending partDone(long m, int p) {
            return new Pending(false) {
                @Override void done(int status, int length, long received, String text) {
                    bench.requests.incrementAndGet();
                    bench.bytes.addAndGet(length);
                    if (status != 200) bench.error();
                    else if (m >= 0) bench.answered(false, m, p, sent, received);
                    finished();
                }
            };
        }

        private void finished() {
            if (--outstanding > 0) return;
            if (next == null) start();
            else cycle(next);
        }
    }
}
