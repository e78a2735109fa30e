package org.roundtable.streaming.hls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.roundtable.streaming.TestProgram;

/** The HTTP side against a real Jetty on 127.0.0.1: headers, lookups, blocking reloads and hinted parts. */
class HlsHandlerTest {
    HlsTestServer server;
    FakeTimer timer;
    HlsStream stream;
    HlsTestServer.Feeder feed;

    @BeforeEach void start() throws Exception {
        server = new HlsTestServer();
        timer = new FakeTimer(1_700_000_000_000L);
        stream = new HlsStream(HlsConfig.defaults(), server.runtime(timer, timer));
        server.tokens.put("tok", HlsLookup.found(stream));
        server.tokens.put("old", HlsLookup.revoked());
        feed = new HlsTestServer.Feeder(TestProgram.make(20), stream);
    }

    @AfterEach void stop() throws Exception { server.close(); }

    String url(String file) { return server.url("tok", file); }

    static String body(HttpResponse<byte[]> r) { return new String(r.body(), StandardCharsets.UTF_8); }

    static String header(HttpResponse<byte[]> r, String name) { return r.headers().firstValue(name).orElse(null); }

    @Test void servesPlaylistInitSegmentsAndPartsWithTheirHeaders() throws Exception {
        feed.untilPart(2, 3);
        HttpResponse<byte[]> pl = server.get(url("index.m3u8"), "User-Agent", "player-a");
        assertEquals(200, pl.statusCode());
        assertEquals("application/vnd.apple.mpegurl", header(pl, "Content-Type"));
        assertEquals("public, max-age=1", header(pl, "Cache-Control"));
        assertEquals("*", header(pl, "Access-Control-Allow-Origin"));
        String text = body(pl);
        assertTrue(text.contains("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part2.4." + stream.id() + ".m4s\""), text);

        HttpResponse<byte[]> init = server.get(url("init.mp4?v=" + stream.id()), "User-Agent", "player-b");
        assertEquals(200, init.statusCode());
        assertEquals("video/mp4", header(init, "Content-Type"));
        assertEquals("public, max-age=31536000, immutable", header(init, "Cache-Control"));
        assertEquals("no-cache", header(server.get(url("init.mp4")), "Cache-Control"), "an unversioned init is revalidated");
        assertArrayEquals(stream.snapshot().init, init.body());

        HttpResponse<byte[]> seg = server.get(url("seg1." + stream.id() + ".m4s"));
        assertEquals(200, seg.statusCode());
        assertEquals("video/iso.segment", header(seg, "Content-Type"));
        assertEquals("public, max-age=31536000, immutable", header(seg, "Cache-Control"));
        assertArrayEquals(stream.snapshot().segment(1).bytes(), seg.body());
        HttpResponse<byte[]> part = server.get(url("part2.1." + stream.id() + ".m4s"));
        assertArrayEquals(stream.snapshot().part(2, 1).bytes(), part.body());

        HttpResponse<byte[]> head = server.send("HEAD", url("seg1." + stream.id() + ".m4s")).get();
        assertEquals(200, head.statusCode());
        assertEquals(Integer.toString(seg.body().length), header(head, "Content-Length"));
        assertEquals(0, head.body().length);

        HttpResponse<byte[]> pre = server.send("OPTIONS", url("index.m3u8")).get();
        assertEquals(204, pre.statusCode());
        assertEquals("*", header(pre, "Access-Control-Allow-Origin"));
        assertTrue(header(pre, "Access-Control-Allow-Methods").contains("GET"));

        assertEquals(404, server.get(url("seg1.otherid.m4s")).statusCode(), "another stream's (an old one's) names");
        assertEquals(404, server.get(url("seg0x." + stream.id() + ".m4s")).statusCode());
        assertEquals(404, server.get(url("part9.0." + stream.id() + ".m4s")).statusCode(), "not the hinted part");
        assertEquals(404, server.get(url("nothing.txt")).statusCode());
        assertEquals("no-store", header(server.get(url("seg99." + stream.id() + ".m4s")), "Cache-Control"));
        assertEquals(405, server.send("POST", url("index.m3u8")).get().statusCode());

        assertEquals(3, stream.stats().viewers(), "player-a, player-b and the Java client");
        assertEquals(11, stream.stats().requests(), "every request that named the stream");
        assertTrue(stream.stats().bytesServed() > seg.body().length + part.body().length);
        timer.advance(HlsStreamStats.VIEWER_WINDOW_MILLIS + 1);
        assertEquals(0, stream.stats().viewers(), "nobody seen for 15 s");
    }

    @Test void revokedTokenIs403AndUnknownIs404() throws Exception {
        feed.untilPart(0, 1);
        HttpResponse<byte[]> revoked = server.get(server.url("old", "index.m3u8"));
        assertEquals(403, revoked.statusCode());
        assertEquals("no-store", header(revoked, "Cache-Control"));
        assertEquals(404, server.get(server.url("nope", "index.m3u8")).statusCode());
        assertEquals(404, server.get(server.url("nope", "init.mp4")).statusCode());
        assertEquals(1, server.metrics.requests(HlsMetrics.Kind.PLAYLIST, 403));
        assertEquals(1, server.metrics.requests(HlsMetrics.Kind.INIT, 404));
    }
}
