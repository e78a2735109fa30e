package org.roundtable.bridge.router;

import io.netty.buffer.ByteBuf;
import org.roundtable.bridge.metrics.DropReason;

/**
 * The fan-out of one read batch, receiver by receiver (the last step of the receive walk, {@code fanout}).
 * A media loop's decrypted packets are held here, retained and not copied, until the read batch ends (the
 * host's {@link EndpointHost#flush}) or {@value #MAX} have come; then each subscription of a source gets
 * all of that source's held packets in a row, in their order, before the next subscription gets any. So a
 * receiver's packets of one video frame lie next to each other in the socket's batch and leave as one UDP
 * GSO message ({@code UdpSender}), where packet by packet they would be a fan-out apart. What each
 * subscription does with a packet (the send walk) is unchanged; packets of different sources keep no
 * order between them, as on the wire.
 * <p>The first receivers of a packet wait for at most one read batch more (the kernel hands one over in
 * microseconds); the last ones get the frame's last packet sooner than packet by packet would give it.
 * <p>Thread: the media loop whose endpoints route through it.
 */
public final class FanoutBatch {
    /** Packets held at most (a read batch of Netty's is 16 datagrams by default). */
    static final int MAX = 32;
    private final EndpointHost host;
    private final MediaSource[] src = new MediaSource[MAX];
    private final ByteBuf[] buf = new ByteBuf[MAX];
    private final int[] off = new int[MAX], len = new int[MAX], hdr = new int[MAX], run = new int[MAX];
    private final boolean[] key = new boolean[MAX], done = new boolean[MAX];
    private int count;
    private boolean draining;

    public FanoutBatch(EndpointHost host) { this.host = host; }

    /** Packets held now. */
    public int held() { return count; }

    /** Holds one packet of s (retained: the caller keeps its own reference) for {@link #drain}. */
    void add(MediaSource s, ByteBuf b, int o, int l, int h, boolean k) {
        if (draining) {                     // a subscription routed again while the batch goes out: no holding
            for (Subscription sub : s.subscriptions()) deliver(sub, s, b, o, l, h, k);
            return;
        }
        if (count == MAX) drain();
        src[count] = s;
        buf[count] = b.retain();
        off[count] = o;
        len[count] = l;
        hdr[count] = h;
        key[count] = k;
        count++;
    }

    /** Hands every held packet to its source's subscriptions, receiver by receiver, and lets the packets go. */
    public void drain() {
        if (draining || count == 0) return;
        draining = true;
        int n = count;
        try {
            for (int i = 0; i < n; i++) {
                if (done[i]) continue;
                MediaSource s = src[i];
                int r = 0;
                for (int j = i; j < n; j++) if (src[j] == s) { run[r++] = j; done[j] = true; }
                if (s.paused()) continue;
                Subscription[] subs = s.subscriptions();
                for (Subscription sub : subs) {
                    for (int k = 0; k < r; k++) {
                        int j = run[k];
                        deliver(sub, s, buf[j], off[j], len[j], hdr[j], key[j]);
                    }
                }
            }
        } finally {
            for (int i = 0; i < n; i++) {
                buf[i].release();
                buf[i] = null;
                src[i] = null;
                done[i] = false;
            }
            count = 0;
            draining = false;
        }
    }

    /** One packet to one subscription; a subscription's bug costs that packet (counted), not the batch. */
    private void deliver(Subscription sub, MediaSource s, ByteBuf b, int o, int l, int h, boolean k) {
        try {
            sub.onRtp(s, b, o, l, h, k);
        } catch (RuntimeException e) {
            host.metrics().drop(DropReason.UNKNOWN_PROTOCOL);
            org.slf4j.LoggerFactory.getLogger(FanoutBatch.class).warn("fan-out error in {}: {}", s, e.toString());
        }
    }
}
