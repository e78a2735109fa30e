package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Parsing push targets, and keeping the stream key out of every text. */
class RtmpUrlTest {
    @Test void parsesTheUsualForms() {
        RtmpUrl u = RtmpUrl.parse("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop");
        assertEquals(new RtmpUrl(false, "a.rtmp.youtube.com", 1935, "live2", "abcd-efgh-ijkl-mnop"), u);
        assertEquals("rtmp://a.rtmp.youtube.com/live2", u.tcUrl());

        RtmpUrl s = RtmpUrl.parse("rtmps://live-api-s.facebook.com:443/rtmp/FB-123-0-Ab");
        assertTrue(s.tls());
        assertEquals(443, s.port());
        assertEquals("rtmps://live-api-s.facebook.com/rtmp", s.tcUrl());
        assertEquals(443, RtmpUrl.parse("RTMPS://h/app/k").port());

        RtmpUrl inst = RtmpUrl.parse("rtmp://127.0.0.1:19350/app/inst/key");
        assertEquals(19350, inst.port());
        assertEquals("app/inst", inst.app());
        assertEquals("key", inst.streamKey());
        assertEquals("rtmp://127.0.0.1:19350/app/inst", inst.tcUrl());

        RtmpUrl bili = RtmpUrl.parse("rtmp://live-push.bilivideo.com/live-bvc/?streamname=live_1_2&key=secret&schedule=rtmp");
        assertEquals("live-bvc", bili.app());
        assertEquals("?streamname=live_1_2&key=secret&schedule=rtmp", bili.streamKey());

        RtmpUrl q = RtmpUrl.parse("rtmp://h/live/name?token=a/b");
        assertEquals("live", q.app());
        assertEquals("name?token=a/b", q.streamKey());

        RtmpUrl v6 = RtmpUrl.parse("rtmp://[::1]:1936/live/k");
        assertEquals("::1", v6.host());
        assertEquals("rtmp://[::1]:1936/live", v6.tcUrl());

        assertEquals(u, RtmpUrl.parse("rtmp://a.rtmp.youtube.com/live2/", " abcd-efgh-ijkl-mnop "));
        assertEquals(u, RtmpUrl.parse("rtmp://a.rtmp.youtube.com/live2", "abcd-efgh-ijkl-mnop"));
    }

    @Test void theKeyNeverShows() {
        RtmpUrl u = RtmpUrl.parse("rtmp://h:1936/live/s3cr3t-key");
        assertEquals("rtmp://h:1936/live/****", u.toString());
        assertFalse(u.toString().contains("s3cr3t"));
        assertEquals("bad name **** here", u.redact("bad name s3cr3t-key here"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RtmpUrl.parse("http://h/live/s3cr3t-key"));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RtmpUrl.parse("rtmp://h:99999/live/s3cr3t-key"));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }

    @Test void rejectsBadUrlsWithAReason() {
        assertBad(null, "no RTMP URL");
        assertBad("http://h/live/k", "must start with rtmp://");
        assertBad("rtmp://", "needs an application");
        assertBad("rtmp:///live/k", "no host");
        assertBad("rtmp://h", "needs an application");
        assertBad("rtmp://h/live", "needs an application");
        assertBad("rtmp://h/live/", "no stream key");
        assertBad("rtmp://h//k", "no application");
        assertBad("rtmp://h:abc/live/k", "bad port");
        assertBad("rtmp://h:0/live/k", "out of range");
        assertBad("rtmp://h:/live/k", "bad port");
        assertBad("rtmp://user:pw@h/live/k", "user:password");
        assertBad("rtmp://h/live/a key", "space");
        assertBad("rtmp://[::1/live/k", "IPv6");
        assertBad("rtmp://h/live/" + "k".repeat(3000), "longer than");
        assertThrows(IllegalArgumentException.class, () -> RtmpUrl.parse("rtmp://h/live", " "));
    }

    private static void assertBad(String url, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RtmpUrl.parse(url));
        assertTrue(e.getMessage().contains(why), url + ": " + e.getMessage());
    }
}
