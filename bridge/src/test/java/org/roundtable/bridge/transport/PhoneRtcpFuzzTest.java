package org.roundtable.bridge.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/** A phone's plaintext RTCP ({@link PhoneRtcp#onRtcp}): any bytes are read or refused, never a throw. */
class PhoneRtcpFuzzTest {
    @FuzzTest(maxDuration = "6s")
    void phoneRtcp(FuzzedDataProvider data) {
        int ourSsrc = data.consumeBoolean() ? 0x01020304 : data.consumeInt();
        long ntpNow = data.consumeLong(0, 0xFFFFFFFFL);
        byte[] in = data.consumeRemainingAsBytes();
        byte[] a = new byte[3 + in.length + 8];
        System.arraycopy(in, 0, a, 3, in.length);
        PhoneRtcp r = new PhoneRtcp();
        r.onRtcp(a, 3, in.length, ourSsrc, 1000, ntpNow, t -> { });
        if (r.rttMs < -1) throw new AssertionError("negative RTT " + r.rttMs);
    }
}
