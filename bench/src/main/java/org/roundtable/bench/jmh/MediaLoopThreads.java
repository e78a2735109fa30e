package org.roundtable.bench.jmh;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH's benchmark threads as the bridge's media loop is: {@link FastThreadLocalThread}s, on which Netty's
 * pooled allocator keeps thread caches and its object pools recycle. Without it a benchmark measures
 * the shared-arena path no media loop takes (116 B per forward instead of 0). Used through
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=} this class (JMH calls the (int, String) constructor).
 */
public final class MediaLoopThreads extends ThreadPoolExecutor {
    public MediaLoopThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new java.util.concurrent.ThreadFactory() {
            private final AtomicInteger n = new AtomicInteger();
            @Override public Thread newThread(Runnable r) {
                Thread t = new FastThreadLocalThread(r, prefix + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            }
        });
    }
}
