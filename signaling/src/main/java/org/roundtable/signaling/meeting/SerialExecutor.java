package org.roundtable.signaling.meeting;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs tasks one at a time, in order, on a shared pool: a meeting's own serial executor. Thread-safe. */
public final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    private final Executor pool;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;

    public SerialExecutor(Executor pool) { this.pool = pool; }

    @Override public void execute(Runnable r) {
        synchronized (queue) {
            queue.add(r);
            if (running) return;
            running = true;
        }
        pool.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable r;
            synchronized (queue) {
                r = queue.poll();
                if (r == null) { running = false; return; }
            }
            try { r.run(); } catch (RuntimeException e) { LOG.warn("meeting task failed", e); }
        }
    }
}
