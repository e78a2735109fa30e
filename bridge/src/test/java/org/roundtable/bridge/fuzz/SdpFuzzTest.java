package org.roundtable.bridge.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.sdp.Sdp;

/**
 * An offer from a client: {@link Sdp#parse} and {@link Endpoint#negotiate} either accept it or refuse it
 * with {@link Sdp.SdpException} (a reason for the client), never another exception; a renegotiation of
 * the same offer behaves the same; the answer we write parses.
 */
class SdpFuzzTest {
    static final Harness H = new Harness();
    static final Sdp PUB;
    static {
        try { PUB = Sdp.parse(Harness.PUB); } catch (Sdp.SdpException e) { throw new ExceptionInInitializerError(e); }
    }

    @FuzzTest(maxDuration = "15s")
    @DictionaryEntries({"\\x0D\\x0A", "v=0\\x0D\\x0A", "m=audio 9 UDP/TLS/RTP/SAVPF ", "m=video 0 ", "m=application ", "c=IN IP4 ", "/",
            "a=mid:", "a=sendonly", "a=recvonly", "a=inactive", "a=rtcp-mux", "a=bundle-only", "a=group:BUNDLE ", "a=ice-ufrag:",
            "a=ice-pwd:", "a=fingerprint:sha-256 ", "a=setup:passive", "a=rtpmap:", "a=fmtp:", "apt=", "packetization-mode=1",
            "a=rtcp-fb:", "a=extmap:", "urn:ietf:params:rtp-hdrext:sdes:mid", "a=ssrc:", "a=ssrc-group:FID ", "a=rid:", "a=crypto:",
            " VP8/90000", " H264/90000", " opus/48000/2", " rtx/90000", " PCMU/8000", "4294967295"})
    void offer(FuzzedDataProvider data) throws Exception {
        String text = data.consumeRemainingAsString();
        Sdp offer;
        try {
            offer = Sdp.parse(text);
        } catch (Sdp.SdpException refused) {
            return;
        }
        Conference c = new Conference("fuzz");
        Endpoint publisher = new Endpoint(H.bridge, c, "p", "p", null);
        publisher.negotiate(PUB, Harness.picker(c, "p"));   // something to subscribe to
        Endpoint e = new Endpoint(H.bridge, c, "e", "e", null);
        try {
            String answer = e.negotiate(offer, Harness.picker(c, "e"));
            Sdp.parse(answer);
            e.negotiate(offer, Harness.picker(c, "e"));
            publisher.negotiate(PUB, Harness.picker(c, "p"));
        } catch (Sdp.SdpException refused) {
            // a reason for the client
        } finally {
            e.close("fuzz");
            publisher.close("fuzz");
        }
    }
}
