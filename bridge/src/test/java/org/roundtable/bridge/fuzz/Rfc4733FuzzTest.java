package org.roundtable.bridge.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.roundtable.bridge.rtp.Rfc4733;

/**
 * RFC 4733 telephone-events from a phone: any sequence of payloads yields only real keys (0-9 * # A-D) or
 * nothing, a repeated packet of the same event yields nothing, and nothing throws.
 */
class Rfc4733FuzzTest {
    @FuzzTest(maxDuration = "6s")
    void events(FuzzedDataProvider data) {
        Rfc4733 rx = new Rfc4733();
        while (data.remainingBytes() > 0) {
            long ts = data.consumeLong(0, 0xFFFFFFFFL);
            byte[] p = data.consumeBytes(data.consumeInt(0, 24));
            byte[] a = Fuzz.embed(p);
            char k = rx.onPacket(ts, a, Fuzz.OFF, p.length);
            Fuzz.check(k == 0 || "0123456789*#ABCD".indexOf(k) >= 0, "not a key: " + (int) k);
            Fuzz.check(rx.onPacket(ts, a, Fuzz.OFF, p.length) == 0, "a repeated packet reported a key again");
        }
    }
}
