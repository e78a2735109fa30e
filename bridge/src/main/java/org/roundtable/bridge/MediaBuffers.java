package org.roundtable.bridge;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;

/**
 * How the media path's buffers are pooled and how its sockets read into them (the loops' shared sockets
 * and the pinned ones alike). Constants and a factory; no state.
 */
final class MediaBuffers {
    private MediaBuffers() {}

    /**
     * The media path's pool. Netty's default chunk is 4 MiB (page 8 KiB, order 9), and every arena a thread
     * touches takes one for heap and one for direct memory: with a few media loops that was ~20 MB of PSS
     * for packets of at most 2 KiB (bench, 2 loops, 2 x 1 -> 100: PSS 181 -> 162 MB, live heap 36 -> 30 MB,
     * the same CPU). Order 5 makes 256 KiB chunks; -Dio.netty.allocator.maxOrder still overrides.
     */
    static PooledByteBufAllocator allocator() {
        int maxOrder = System.getProperty("io.netty.allocator.maxOrder") != null ? PooledByteBufAllocator.defaultMaxOrder() : 5;
        return new PooledByteBufAllocator(false, PooledByteBufAllocator.defaultNumHeapArena(), PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(), maxOrder, PooledByteBufAllocator.defaultSmallCacheSize(),
                PooledByteBufAllocator.defaultNormalCacheSize(), PooledByteBufAllocator.defaultUseCacheForAllThreads());
    }

    /**
     * How a media socket reads: recvmmsg of up to 16 datagrams of up to 2 KiB into one pooled buffer (epoll:
     * a maximum datagram size set), and up to 4 such calls per wake-up, before the read batch ends (the loop's
     * flush). Netty's default for this allocator is one read per wake-up: a datagram each, so every packet
     * in paid an epoll_wait and its own flush, and a receiver's packets of one frame never shared a batch.
     */
    static final FixedRecvByteBufAllocator READS = (FixedRecvByteBufAllocator) new FixedRecvByteBufAllocator(16 * 2048).maxMessagesPerRead(4);
}
