package org.roundtable.bridge.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.Endpoint;
import org.roundtable.bridge.sdp.Sdp;
import org.roundtable.bridge.srtp.SrtpSession;

/**
 * What an authenticated peer can send after SRTP: any RTP (to a publisher: SSRC lookup, MID learning, RTX
 * unwrapping, routing, receive statistics) and any RTCP (to a publisher or a receiver: SR, PLI/FIR, NACK,
 * report blocks). The fuzzer writes the plaintext; it is protected with the endpoints' keys so it gets past
 * SRTP into the parsers. {@link Endpoint#onSrtp} never throws.
 */
class SrtpIngressFuzzTest {
    static final Harness H = new Harness();
    static final Endpoint PUB, SUB;
    static final SrtpSession PEER = new SrtpSession(Harness.KEYS);
    static {
        try {
            Conference c = new Conference("fuzz");
            PUB = new Endpoint(H.bridge, c, "pub", "alice", null);
            PUB.negotiate(Sdp.parse(Harness.PUB), Harness.picker(c, "alice"));
            SUB = new Endpoint(H.bridge, c, "sub", "bob", null);
            SUB.negotiate(Sdp.parse(Harness.SUB), Harness.picker(c, "bob"));
            PUB.connectForBenchmark(Harness.SINK, Harness.KEYS);
            SUB.connectForBenchmark(Harness.SINK, Harness.KEYS);
        } catch (Sdp.SdpException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    static final int[] SSRCS = {42, 43, 777, 0};

    @FuzzTest(maxDuration = "15s")
    void packets(FuzzedDataProvider data) {
        while (data.remainingBytes() > 0) {
            int kind = data.consumeInt(0, 2);
            int ssrc = SSRCS[data.consumeInt(0, SSRCS.length - 1)];
            byte[] plain = data.consumeBytes(data.consumeInt(0, 1200));
            if (plain.length < 12) continue;
            byte[] b = new byte[plain.length + SrtpSession.MAX_TRAILER];
            System.arraycopy(plain, 0, b, 0, plain.length);
            int n;
            Endpoint to;
            if (kind == 0) {                                       // RTP to the publisher
                b[0] = (byte) (0x80 | (b[0] & 0x3F));
                if ((b[1] & 0x7F) >= 64 && (b[1] & 0x7F) <= 95) b[1] &= (byte) 0xBF;   // not an RTCP type
                if (ssrc != 0) { b[8] = (byte) (ssrc >> 24); b[9] = (byte) (ssrc >> 16); b[10] = (byte) (ssrc >> 8); b[11] = (byte) ssrc; }
                n = PEER.protectRtp(b, 0, plain.length, b.length, ((b[8] & 0xFF) << 24) | ((b[9] & 0xFF) << 16) | ((b[10] & 0xFF) << 8) | (b[11] & 0xFF));
                to = PUB;
            } else {                                               // RTCP to the publisher or the receiver
                b[0] = (byte) (0x80 | (b[0] & 0x3F));
                b[1] = (byte) (192 + ((b[1] & 0xFF) % 32));
                int sender = ((b[4] & 0xFF) << 24) | ((b[5] & 0xFF) << 16) | ((b[6] & 0xFF) << 8) | (b[7] & 0xFF);
                n = PEER.protectRtcp(b, 0, plain.length, b.length, sender);
                to = kind == 1 ? PUB : SUB;
            }
            if (n < 0) continue;
            ByteBuf buf = Unpooled.wrappedBuffer(b, 0, n);
            try {
                to.onSrtp(buf);
            } finally {
                buf.release();
            }
        }
    }
}
