package org.roundtable.streaming.hls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.TestProgram;

/** Blocking playlist reload and preload-hinted parts against a real Jetty; timeouts on a fake clock. */
class HlsBlockingTest {
    HlsTestServer server;
    FakeTimer timer;
    HlsStream stream;
    HlsTestServer.Feeder feed;

    @BeforeEach void start() throws Exception {
        server = new HlsTestServer();
        timer = new FakeTimer(1_700_000_000_000L);
        stream = new HlsStream(HlsConfig.defaults(), server.runtime(timer, timer));
        server.tokens.put("tok", HlsLookup.found(stream));
        feed = new HlsTestServer.Feeder(TestProgram.make(20), stream);
    }

    @AfterEach void stop() throws Exception { server.close(); }

    String url(String file) { return server.url("tok", file); }

    /** Waits (briefly, polling) until the stream holds n requests: the request reached the server and waits. */
    void awaitHeld(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stream.waiting() != n) {
            if (System.nanoTime() > end) throw new AssertionError("held " + stream.waiting() + ", wanted " + n);
            Thread.sleep(2);
        }
    }

    static String text(HttpResponse<byte[]> r) { return new String(r.body(), StandardCharsets.US_ASCII); }

    @Test void aRequestForTheNextPartIsAnsweredAsSoonAsItIsPublished() throws Exception {
        feed.untilPart(1, 0);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            HlsSnapshot now = stream.snapshot();
            long msn = now.nextMsn;
            int part = now.open.size();                       // the next part (the hinted one)
            CompletableFuture<HttpResponse<byte[]>> r = server.send("GET", url("index.m3u8?_HLS_msn=" + msn + "&_HLS_part=" + part));
            awaitHeld(1);
            assertFalse(r.isDone(), "held until the part exists");
            long published = feed.untilPart(msn, part);
            HttpResponse<byte[]> res = r.get(10, TimeUnit.SECONDS);
            delays.add(System.nanoTime() - published);
            assertEquals(200, res.statusCode());
            assertEquals("public, max-age=2", res.headers().firstValue("Cache-Control").orElse(null));
            assertTrue(text(res).contains("URI=\"part" + msn + "." + part + "." + stream.id() + ".m4s\""), text(res));
        }
        Collections.sort(delays);
        long median = delays.get(delays.size() / 2) / 1000, max = delays.get(delays.size() - 1) / 1000;
        System.out.printf("blocking reload: answer %d us (median), %d us (max) after the part was published, 30 requests%n", median, max);
        assertTrue(max < 200_000, "answered within 200 ms of publication (max " + max + " us)");
    }

    @Test void aSegmentRequestWithoutPartWaitsForTheWholeSegment() throws Exception {
        feed.untilPart(1, 2);
        CompletableFuture<HttpResponse<byte[]>> r = server.send("GET", url("index.m3u8?_HLS_msn=1"));
        awaitHeld(1);
        feed.untilPart(1, 4);
        assertThrows(TimeoutException.class, () -> r.get(100, TimeUnit.MILLISECONDS), "segment 1 is not complete yet");
        feed.until(s -> s.nextMsn == 2);
        assertTrue(text(r.get(10, TimeUnit.SECONDS)).contains("seg1." + stream.id() + ".m4s"));
    }

    @Test void farFutureAndMalformedRequestsAre400() throws Exception {
        feed.untilPart(2, 1);                               // segments 0, 1 complete
        assertEquals(200, server.get(url("index.m3u8?_HLS_msn=1&_HLS_part=3")).statusCode(), "already there");
        assertEquals(400, server.get(url("index.m3u8?_HLS_msn=4")).statusCode(), "more than two segments after the last");
        assertEquals(400, server.get(url("index.m3u8?_HLS_msn=2&_HLS_part=11")).statusCode(), "past the Advance Part Limit");
        assertEquals(400, server.get(url("index.m3u8?_HLS_part=1")).statusCode(), "_HLS_part without _HLS_msn");
        assertEquals(400, server.get(url("index.m3u8?_HLS_msn=x")).statusCode());
        assertEquals(400, server.get(url("index.m3u8?_HLS_msn=-1")).statusCode());
        assertEquals(400, server.get(url("index.m3u8?_HLS_msn=99999999999999999999")).statusCode());
        assertEquals(0, stream.waiting());
        assertEquals(7, server.metrics.requests(HlsMetrics.Kind.BLOCKING_PLAYLIST, 400) + 1);
    }

    @Test void aRequestThatWaitsThreeTargetDurationsGets503OnTheFakeClock() throws Exception {
        feed.untilPart(1, 0);
        HlsSnapshot now = stream.snapshot();
        CompletableFuture<HttpResponse<byte[]>> r = server.send("GET", url("index.m3u8?_HLS_msn=" + now.nextMsn + "&_HLS_part=" + now.open.size()));
        CompletableFuture<HttpResponse<byte[]>> p = server.send("GET", url("part" + now.nextMsn + "." + now.open.size() + "." + stream.id() + ".m4s"));
        awaitHeld(2);
        timer.advance(5_999);
        assertThrows(TimeoutException.class, () -> r.get(100, TimeUnit.MILLISECONDS), "still within 3 x 2 s");
        assertFalse(p.isDone());
        timer.advance(1);
        HttpResponse<byte[]> res = r.get(10, TimeUnit.SECONDS);
        assertEquals(503, res.statusCode());
        assertEquals("no-store", res.headers().firstValue("Cache-Control").orElse(null));
        assertEquals(503, p.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(0, stream.waiting());
        assertEquals(2, server.metrics.timeouts());
        assertEquals(0, timer.pending(), "nothing held: no sweep set");
    }

    @Test void theHintedPartIsSentWhenComplete() throws Exception {
        feed.untilPart(0, 2);
        String hinted = "part0.3." + stream.id() + ".m4s";
        assertTrue(new String(stream.snapshot().playlist, StandardCharsets.US_ASCII).contains("PRELOAD-HINT:TYPE=PART,URI=\"" + hinted));
        CompletableFuture<HttpResponse<byte[]>> r = server.send("GET", url(hinted));
        awaitHeld(1);
        assertFalse(r.isDone());
        feed.untilPart(0, 3);
        HttpResponse<byte[]> res = r.get(10, TimeUnit.SECONDS);
        assertEquals(200, res.statusCode());
        assertEquals("video/iso.segment", res.headers().firstValue("Content-Type").orElse(null));
        assertArrayEquals(stream.snapshot().part(0, 3).bytes(), res.body());
        timer.advance(10_000);
        assertEquals(0, server.metrics.timeouts(), "an answered request never times out");
    }

    @Test void closingTheStreamAnswersEveryHeldRequest() throws Exception {
        feed.untilPart(1, 1);
        HlsSnapshot now = stream.snapshot();
        CompletableFuture<HttpResponse<byte[]>> r = server.send("GET", url("index.m3u8?_HLS_msn=" + (now.nextMsn + 1)));
        CompletableFuture<HttpResponse<byte[]>> p = server.send("GET", url("part1.2." + stream.id() + ".m4s"));
        awaitHeld(2);
        stream.close();
        HttpResponse<byte[]> res = r.get(10, TimeUnit.SECONDS);
        assertEquals(200, res.statusCode());
        assertTrue(text(res).endsWith("#EXT-X-ENDLIST\n"), text(res));
        assertEquals(200, p.get(10, TimeUnit.SECONDS).statusCode(), "the frames held back became part 1.2");
        assertEquals(200, server.get(url("index.m3u8?_HLS_msn=50&_HLS_part=3")).statusCode(), "an ended playlist ignores the directives");
    }

    @Test void aFirstPlaylistRequestWaitsForTheFirstSegment() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> r = server.send("GET", url("index.m3u8"));
        awaitHeld(1);
        feed.untilPart(0, 4);
        assertFalse(r.isDone());
        feed.until(s -> s.nextMsn == 1);
        HttpResponse<byte[]> res = r.get(10, TimeUnit.SECONDS);
        assertEquals(200, res.statusCode());
        assertTrue(text(res).contains("seg0." + stream.id() + ".m4s"), text(res));
    }
}
