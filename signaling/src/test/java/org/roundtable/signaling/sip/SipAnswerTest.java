package org.roundtable.signaling.sip;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.sdp.Sdp;

/**
 * Our answers to real phones' offers (fixtures in sdp/, see its README) keep the chosen formats'
 * payload type numbers, clock rates, channels and fmtp (RFC 3264 section 6.1), answer the
 * telephone-event at the codec's clock rate (RFC 4733 section 2.1), accept keys on every offered
 * telephone-event, say where our RTCP is, and parse back as valid SDP.
 */
class SipAnswerTest {
    static String fixture(String name) throws Exception {
        try (var in = SipAnswerTest.class.getClassLoader().getResourceAsStream("sdp/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n").replace("\n", "\r\n");
        }
    }

    record Result(SipAnswer chosen, Sdp.Media offered, Sdp.Media answered, String answer) {}

    /** Reads the offer as the gateway does and builds our answer (RTCP on 4001, or muxed). */
    static Result answer(String offerText) throws Exception {
        Sdp offer = Sdp.parse(offerText);
        Sdp.Media audio = offer.media.stream().filter(m -> m.kind.equals("audio") && m.port != 0).findFirst().orElseThrow();
        SipAnswer a = SipAnswer.of(offerText, offer, audio);
        assertNotNull(a.codec, "a codec in common");
        LocalSdp local = new LocalSdp("127.0.0.1", 4000, "RTP/AVP", SipAnswer.format(a.codec), SipAnswer.format(a.event),
                LocalSdp.rtcpLines(a.rtcpMux, 4001), "");
        String text = local.text(LocalSdp.answerDirection(audio.direction));
        Sdp parsed = Sdp.parse(text);
        assertEquals(1, parsed.media.size());
        Sdp.Media m = parsed.media.get(0);
        assertValid(audio, m, text);
        return new Result(a, audio, m, text);
    }

    /** Every answered format was offered, with the same number, name, clock rate, channels and fmtp; all have an rtpmap. */
    static void assertValid(Sdp.Media offered, Sdp.Media answered, String text) {
        assertTrue(text.startsWith("v=0\r\no=") && text.contains("\r\ns=") && text.contains("\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP "), text);
        assertTrue(text.endsWith("\r\n") && !text.contains("\n\n"), text);
        assertFalse(answered.codecs.isEmpty());
        for (Sdp.Codec c : answered.codecs) {
            Sdp.Codec o = offered.codec(c.pt);
            assertNotNull(o, "PT " + c.pt + " was offered: " + text);
            assertTrue(text.contains("a=rtpmap:" + c.pt + " "), "an rtpmap for " + c.pt + ": " + text);
            assertEquals(o.name, c.name, "name of " + c.pt);
            assertEquals(SipAnswer.clockOf(o), c.clockRate, "clock rate of " + c.pt);
            if (!"OPUS".equals(o.name)) assertEquals(o.channels, c.channels, "channels of " + c.pt);
            else assertEquals(2, c.channels, "opus/48000/2 (RFC 7587)");
            if ("TELEPHONE-EVENT".equals(o.name)) assertEquals(o.fmtp.isEmpty() ? "0-15" : o.fmtp, c.fmtp);
            else assertEquals(o.fmtp.replaceAll(";?sprop-stereo=[01]", ""), c.fmtp, "fmtp of " + c.pt);
        }
    }

    static List<Integer> pts(Sdp.Media m) { return m.codecs.stream().map(c -> c.pt).toList(); }

    @Test
    void linphoneWithOpusAndG711AnswersTheTelephoneEventAt48000() throws Exception {
        Result r = answer(fixture("linphone-5.1-opus-g711.sdp"));
        assertEquals(List.of(96, 97), pts(r.answered), r.answer);
        assertTrue(r.answer.contains("a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n"), r.answer);
        assertTrue(r.answer.contains("a=rtpmap:97 telephone-event/48000\r\na=fmtp:97 0-15\r\n"), r.answer);
        assertFalse(r.answer.contains("/8000"), "nothing at 8000 for an Opus call: " + r.answer);
        assertArrayEquals(new int[] {97, 101}, r.chosen.eventPts(), "keys on either telephone-event are understood");
        assertFalse(r.chosen.rtcpMux);
        assertTrue(r.answer.contains("a=rtcp:4001\r\n") && !r.answer.contains("rtcp-mux"), r.answer);
        assertNull(r.chosen.remoteRtcp, "linphone says no a=rtcp: RTP port + 1");
    }

    @Test
    void linphoneDefaultsPickOpusAndItsTelephoneEventAmongThree() throws Exception {
        Result r = answer(fixture("linphone-5.1-default.sdp"));
        assertEquals(List.of(96, 99), pts(r.answered), r.answer);
        assertTrue(r.answer.contains("a=rtpmap:99 telephone-event/48000"), r.answer);
        int[] pts = r.chosen.eventPts();
        Arrays.sort(pts);
        assertArrayEquals(new int[] {99, 100, 101}, pts);
    }

    @Test
    void baresipGetsG722WithTheTelephoneEventAt8000() throws Exception {
        Result r = answer(fixture("baresip-1.0.sdp"));
        assertEquals(List.of(9, 101), pts(r.answered), r.answer);
        assertTrue(r.answer.contains("a=rtpmap:9 G722/8000\r\n") && r.answer.contains("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"), r.answer);
        assertTrue(r.answer.contains("a=rtcp:4001\r\n"));
    }

    @Test
    void baresipWithRtcpMuxIsAnsweredMuxed() throws Exception {
        Result r = answer(fixture("baresip-1.0-rtcp-mux.sdp"));
        assertTrue(r.chosen.rtcpMux);
        assertTrue(r.answer.contains("a=rtcp-mux\r\n") && !r.answer.contains("a=rtcp:"), r.answer);
        assertTrue(r.answered.rtcpMux);
    }

    @Test
    void pjsuaListsTheEventFirstAndNamesItsRtcpAddress() throws Exception {
        Result r = answer(fixture("pjsua-2.x-published.sdp"));
        assertEquals(List.of(0, 101), pts(r.answered), "the codec first, then the event: " + r.answer);
        assertTrue(r.answer.contains("a=rtpmap:0 PCMU/8000\r\n") && r.answer.contains("a=fmtp:101 0-16\r\n"), r.answer);
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 4001), r.chosen.remoteRtcp);
    }

    @Test
    void officeCommunicatorGetsG711InItsOrder() throws Exception {
        Result r = answer(fixture("office-communicator-published.sdp"));
        assertEquals(List.of(8, 101), pts(r.answered), r.answer);
        assertTrue(r.answer.contains("a=rtpmap:8 PCMA/8000\r\n") && r.answer.contains("a=fmtp:101 0-16\r\n"), r.answer);
    }

    @Test
    void theTelephoneEventFollowsTheCodecsClockRate() throws Exception {
        String head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n";
        // G.711 with events at 48000 and 8000: the one at 8000
        Result g711 = answer(head + "m=audio 5000 RTP/AVP 0 97 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:97 telephone-event/48000\r\n"
                + "a=rtpmap:101 telephone-event/8000\r\n");
        assertEquals(List.of(0, 101), pts(g711.answered), g711.answer);
        // Opus with only an event at 8000: that one, rather than none
        Result opus = answer(head + "m=audio 5000 RTP/AVP 111 126\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1;sprop-stereo=1\r\n"
                + "a=rtpmap:126 telephone-event/8000\r\n");
        assertEquals(List.of(111, 126), pts(opus.answered), opus.answer);
        assertTrue(opus.answer.contains("a=fmtp:111 minptime=10;useinbandfec=1\r\n"), "we send mono: " + opus.answer);
        // static G.711 without rtpmap, no events: PCMU/8000 and nothing else
        Result bare = answer(head + "m=audio 5000 RTP/AVP 0\r\n");
        assertEquals(List.of(0), pts(bare.answered));
        assertTrue(bare.answer.contains("a=rtpmap:0 PCMU/8000\r\n") && !bare.answer.contains("telephone-event"), bare.answer);
        assertNull(bare.chosen.event);
    }

    @Test
    void aBadRtcpLineMeansPortPlusOne() throws Exception {
        String text = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=rtcp:banana\r\n";
        Sdp offer = Sdp.parse(text);
        assertNull(SipAnswer.of(text, offer, offer.media.get(0)).remoteRtcp);
        String other = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=rtcp:5009\r\n";
        Sdp o2 = Sdp.parse(other);
        assertEquals(new java.net.InetSocketAddress("127.0.0.1", 5009), SipAnswer.of(other, o2, o2.media.get(0)).remoteRtcp);
    }
}
