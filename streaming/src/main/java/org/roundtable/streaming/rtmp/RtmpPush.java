package org.roundtable.streaming.rtmp;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.LiveSink;
import org.roundtable.streaming.LiveTracks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live output that pushes the program to one RTMP target (a CDN, YouTube, Bilibili, nginx-rtmp), with its
 * own thread ({@code rtmp-<n>}) and nothing shared with other targets or the recording. {@link #frame} only
 * queues (about {@link RtmpOptions#queueLength} of program; when full it drops, counting, until the next
 * key frame) and never blocks. The thread connects, publishes and sends; when the connection fails or the
 * server drops it, the push is {@link State#RECONNECTING} and retries with back-off, and resumes at a key
 * frame (sequence headers first, time stamps from near 0 again), asking the composition for one through
 * {@code keyframeRequest} when none is queued. A server that refuses the app or key
 * {@link RtmpOptions#maxRejections} times in a row makes it {@link State#FAILED} (and is shown so in {@link RtmpMetrics} until
 * closed). Always {@link #close} a push, failed or not.
 *
 * <p>Threads: {@link #open}, {@link #frame}, {@link #close} on the composition thread (one thread);
 * {@link #state} and {@link #stats} on any; {@code keyframeRequest} is called on the push thread.
 */
public final class RtmpPush implements LiveSink {
    public enum State { CONNECTING, LIVE, RECONNECTING, FAILED, STOPPED }

    /**
     * What the host's view and /metrics show of one push.
     *
     * @param target         the URL with the key masked
     * @param reconnects     connection attempts after the first
     * @param bytesSent      bytes written to the server, all connections
     * @param framesDropped  frames not sent: queue full, waiting for a key frame after a reconnect, empty frames
     * @param lastError      why the last connection failed (no secret in it), or null
     * @param connectedSince when the current connection went live, or null when not live
     */
    public record Stats(State state, String target, int reconnects, long bytesSent, long framesSent, long framesDropped,
                        String lastError, Instant connectedSince) {}

    private static final Logger log = LoggerFactory.getLogger(RtmpPush.class);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final RtmpUrl url;
    private final RtmpOptions options;
    private final Runnable keyframeRequest;
    private final RtmpMetrics metrics;
    private final Timing timing;
    private final String name = "rtmp-" + SEQ.incrementAndGet();
    private final Backoff backoff;
    private final CountDownLatch wake = new CountDownLatch(1);
    private final LongAdder bytes = new LongAdder(), sent = new LongAdder(), dropped = new LongAdder();
    private final AtomicInteger reconnects = new AtomicInteger();
    private volatile State state = State.CONNECTING;
    private volatile String lastError;
    private volatile Instant connectedSince;
    private volatile boolean closing;
    private volatile RtmpConnection current;
    private volatile LiveTracks tracks;
    private ArrayBlockingQueue<LiveFrame> queue;
    private boolean dropUntilKey;
    private Thread thread;
    private int rejections;

    /**
     * @param keyframeRequest asks the composition for an IDR soon (called on the push thread; may be null)
     * @param metrics         the aggregate this push is counted in (may be null)
     */
    public RtmpPush(RtmpUrl url, RtmpOptions options, Runnable keyframeRequest, RtmpMetrics metrics) {
        this(url, options, keyframeRequest, metrics, Timing.SYSTEM);
    }

    public RtmpPush(RtmpUrl url) { this(url, RtmpOptions.DEFAULTS, null, null); }

    RtmpPush(RtmpUrl url, RtmpOptions options, Runnable keyframeRequest, RtmpMetrics metrics, Timing timing) {
        this.url = java.util.Objects.requireNonNull(url, "url");
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.keyframeRequest = keyframeRequest;
        this.metrics = metrics;
        this.timing = timing;
        this.backoff = new Backoff(options.backoffFirst().toNanos(), options.backoffMax().toNanos(), options.stableAfter().toNanos());
        if (metrics != null) metrics.add(this);
    }

    /** Starts the push thread; the first connection begins now. */
    @Override public synchronized void open(LiveTracks t) {
        if (thread != null || closing) throw new IllegalStateException(name + " already opened or closed");
        tracks = t;
        double framesPerSecond = t.fps() + t.sampleRate() / 1024.0;
        queue = new ArrayBlockingQueue<>((int) Math.ceil(framesPerSecond * options.queueLength().toMillis() / 1000.0) + 8);
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a frame (never blocks). */
    @Override public void frame(LiveFrame f) {
        ArrayBlockingQueue<LiveFrame> q = queue;
        if (q == null || closing) return;
        if (dropUntilKey) {
            if (!(f.video() && f.key())) { dropped.increment(); return; }
            dropUntilKey = false;
        }
        if (!q.offer(f)) {
            dropped.increment();
            dropUntilKey = true;
        }
    }

    /**
     * Stops the push without waiting: the thread sends FCUnpublish/deleteStream when live (given
     * {@link RtmpOptions#closeGrace}), closes the connection and ends; a stuck peer is cut. See {@link #awaitStopped}.
     */
    @Override public synchronized void close() {
        if (closing) return;
        closing = true;
        wake.countDown();
        RtmpConnection c = current;
        if (c != null) {
            if (state == State.LIVE) c.abortAfter(options.closeGrace().toNanos());
            else c.abort();
        }
        if (thread == null) finish();
        else if (state == State.FAILED && metrics != null) metrics.remove(this);   // the thread gave up earlier
    }

    /** Waits until the push thread has ended (true), at most the given time. */
    public boolean awaitStopped(Duration d) throws InterruptedException {
        Thread t;
        synchronized (this) { t = thread; }
        if (t != null) t.join(Math.max(1, d.toMillis()));
        return t == null ? closing : !t.isAlive();
    }

    public State state() { return state; }

    public RtmpUrl url() { return url; }

    /** The push thread's name ({@code rtmp-<n>}), as logs show it. */
    public String name() { return name; }

    public Stats stats() {
        return new Stats(state, url.toString(), reconnects.get(), bytes.sum(), sent.sum(), dropped.sum(), lastError, connectedSince);
    }

    private void run() {
        try {
            while (!closing) {
                RtmpConnection c = new RtmpConnection(url, options, name, bytes, System::nanoTime);
                current = c;
                try {
                    if (closing) break;
                    c.open();
                    RtmpPublisher p = new RtmpPublisher(c, url);
                    p.publish(System.nanoTime() + options.responseTimeout().toNanos());
                    rejections = 0;
                    connectedSince = timing.now();
                    backoff.live(timing.nanos());
                    if (closing) break;
                    state = State.LIVE;
                    log.info("{}: live to {}", name, url);
                    stream(c, p);
                    p.unpublish();
                    c.closeGracefully(options.closeGrace().toNanos());
                    break;
                } catch (RtmpPublisher.Rejected e) {
                    if (closing) break;
                    lastError = url.redact(e.getMessage());
                    if (++rejections >= options.maxRejections()) {
                        state = State.FAILED;
                        log.warn("{}: {} refused {} times in a row, giving up: {}", name, url, rejections, lastError);
                        return;
                    }
                } catch (IOException e) {
                    if (closing) break;
                    lastError = url.redact(e.getMessage());
                } catch (RuntimeException e) {
                    if (closing) break;
                    lastError = url.redact("internal error: " + e);
                    log.error("{}: internal error", name, e);
                } finally {
                    c.close();
                    current = null;
                    connectedSince = null;
                }
                if (closing) break;
                long delay = backoff.failed(timing.nanos());
                state = State.RECONNECTING;
                reconnects.incrementAndGet();
                log.warn("{}: {}: {}; retrying in {} ms", name, url, lastError, TimeUnit.NANOSECONDS.toMillis(delay));
                timing.sleep(delay, wake);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finish();
        }
    }

    private void finish() {
        if (state != State.FAILED) state = State.STOPPED;
        if (queue != null) queue.clear();
        if (metrics != null && (closing || state != State.FAILED)) metrics.remove(this);   // a failed push is shown until closed
        log.info("{}: {} ({}), {} frames sent, {} dropped, {} reconnects", name, state, url, sent.sum(), dropped.sum(), reconnects.get());
    }

    /** Sends until closed: from the newest key frame already queued (or the next one), then everything queued. */
    private void stream(RtmpConnection c, RtmpPublisher p) throws IOException, InterruptedException {
        List<LiveFrame> backlog = new ArrayList<>();
        queue.drainTo(backlog);
        int key = -1;
        for (int i = backlog.size() - 1; i >= 0 && key < 0; i--) if (backlog.get(i).video() && backlog.get(i).key()) key = i;
        dropped.add(key < 0 ? backlog.size() : key);
        backlog = key < 0 ? List.of() : backlog.subList(key, backlog.size());
        if (key < 0 && keyframeRequest != null) {
            try {
                keyframeRequest.run();
            } catch (RuntimeException e) {
                log.warn("{}: key frame request failed: {}", name, e.toString());
            }
        }
        p.sendHeaders(tracks);
        int next = 0;
        long base = -1;
        while (!closing) {
            p.checkStatus();
            LiveFrame f = next < backlog.size() ? backlog.get(next++) : queue.poll(POLL_NANOS, TimeUnit.NANOSECONDS);
            if (f == null) {
                c.checkAlive();
                continue;
            }
            if (base < 0) {
                if (!(f.video() && f.key())) { dropped.increment(); continue; }
                base = f.dtsMicros();
            }
            if (p.sendFrame(f, Math.max(0, (f.dtsMicros() - base) / 1000))) sent.increment();
            else dropped.increment();
        }
    }
}
