package org.roundtable.bridge.router;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.metrics.DropReason;
import org.roundtable.bridge.metrics.Pipeline;
import org.roundtable.bridge.rtp.Keyframes;
import org.roundtable.bridge.rtp.RtpPacket;

/**
 * The receiver-by-receiver fan-out of a read batch: each subscription gets all of a source's held packets
 * in a row and in order, before the next subscription gets any; every packet reaches every subscription
 * once; the packets are held retained and let go at the drain; a paused source's held packets go nowhere;
 * a subscription that throws costs its own packet (counted), not the others'.
 */
class FanoutBatchTest {
    final FakeHostEndpointTest.FakeHost host = new FakeHostEndpointTest.FakeHost();
    final FanoutBatch batch = new FanoutBatch(host);
    final List<String> log = new ArrayList<>();

    MediaSource source(String id, MediaKind kind) {
        return new MediaSource(id, "owner-" + id, "0", kind, kind == MediaKind.AUDIO ? Keyframes.Codec.OPUS : Keyframes.Codec.VP8,
                kind == MediaKind.AUDIO ? 48_000 : 90_000, kind == MediaKind.AUDIO ? 111 : 96, -1, id.hashCode(), 0, s -> { }, false);
    }

    Subscription recorder(String name) {
        return (src, buf, off, len, hdr, key) -> log.add(name + ":" + src.id + "#" + RtpPacket.sequence(buf.array(), off));
    }

    static ByteBuf packet(int pt, int seq) {
        ByteBuf b = Unpooled.buffer(40);
        byte[] a = new byte[40];
        a[0] = (byte) 0x80;
        a[1] = (byte) pt;
        RtpPacket.setSequence(a, 0, seq);
        a[12] = 0x10;
        a[13] = 0x01;
        return b.writeBytes(a);
    }

    void route(MediaSource s, ByteBuf b) {
        s.route(b, 0, b.readableBytes(), 12, host.nowMs(), false, Pipeline.UNCOUNTED, 0, batch);
    }

    @Test void eachReceiverGetsASourcesPacketsInARow() {
        MediaSource audio = source("mic", MediaKind.AUDIO), video = source("cam", MediaKind.VIDEO);
        audio.addSubscription(recorder("r1"));
        audio.addSubscription(recorder("r2"));
        video.addSubscription(recorder("r1"));
        video.addSubscription(recorder("r2"));
        List<ByteBuf> bufs = new ArrayList<>();
        // a read batch: a video frame of three packets with an audio packet between them
        int[][] order = {{96, 1}, {111, 7}, {96, 2}, {96, 3}};
        for (int[] o : order) {
            ByteBuf b = packet(o[0], o[1]);
            bufs.add(b);
            route(o[0] == 96 ? video : audio, b);
            b.release();                                   // the ingress lets its own reference go at once
            // held by the batch until it drains (and a video packet by the source's retransmission cache too)
            assertEquals(o[0] == 96 ? 2 : 1, b.refCnt());
        }
        assertEquals(List.of(), log, "nothing is handed out before the read batch ends");
        assertEquals(4, batch.held());
        batch.drain();
        assertEquals(List.of("r1:cam#1", "r1:cam#2", "r1:cam#3", "r2:cam#1", "r2:cam#2", "r2:cam#3", "r1:mic#7", "r2:mic#7"), log);
        for (int i = 0; i < bufs.size(); i++) assertEquals(order[i][0] == 96 ? 1 : 0, bufs.get(i).refCnt(), "the batch let go after the drain");
        video.close();                                     // the cache gives its references back
        for (ByteBuf b : bufs) assertEquals(0, b.refCnt());
        assertEquals(0, batch.held());
    }

    @Test void aFullBatchDrainsBeforeTakingMore() {
        MediaSource video = source("cam", MediaKind.VIDEO);
        video.addSubscription(recorder("r"));
        for (int i = 0; i < FanoutBatch.MAX + 3; i++) {
            ByteBuf b = packet(96, i);
            route(video, b);
            b.release();
        }
        assertEquals(FanoutBatch.MAX, log.size(), "the first " + FanoutBatch.MAX + " went out when the next came");
        batch.drain();
        assertEquals(FanoutBatch.MAX + 3, log.size());
        for (int i = 0; i < log.size(); i++) assertEquals("r:cam#" + i, log.get(i), "in order");
    }

    @Test void aSourcePausedBeforeTheDrainSendsNothing() {
        MediaSource video = source("cam", MediaKind.VIDEO);
        video.addSubscription(recorder("r"));
        ByteBuf b = packet(96, 1);
        route(video, b);
        b.release();
        video.setPaused(true, host.nowMs());              // the host mutes the camera in the same read batch
        batch.drain();
        assertEquals(List.of(), log);
        video.close();
        assertEquals(0, b.refCnt());
    }

    @Test void aThrowingSubscriptionCostsOnlyItsOwnPackets() {
        MediaSource video = source("cam", MediaKind.VIDEO);
        video.addSubscription((src, buf, off, len, hdr, key) -> { throw new IllegalStateException("a bug"); });
        video.addSubscription(recorder("r"));
        for (int i = 0; i < 2; i++) {
            ByteBuf b = packet(96, i);
            route(video, b);
            b.release();
        }
        batch.drain();
        assertEquals(List.of("r:cam#0", "r:cam#1"), log);
        assertEquals(2, host.metrics.dropped(DropReason.UNKNOWN_PROTOCOL));
    }

    @Test void withoutABatchEveryPacketGoesOutAtOnce() {
        MediaSource video = source("cam", MediaKind.VIDEO);
        video.addSubscription(recorder("r"));
        ByteBuf b = packet(96, 5);
        video.route(b, 0, b.readableBytes(), 12, host.nowMs(), false, Pipeline.UNCOUNTED, 0, null);
        assertEquals(List.of("r:cam#5"), log);
        b.release();
    }
}
