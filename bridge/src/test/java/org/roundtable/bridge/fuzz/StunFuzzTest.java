package org.roundtable.bridge.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.roundtable.bridge.ice.Stun;

/**
 * STUN from anyone on the media port: {@link Stun#parse} returns null for what it cannot read and never
 * throws; what it returns points inside the message; integrity and fingerprint checks never throw.
 */
class StunFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void stun(FuzzedDataProvider data) {
        byte[] in = data.consumeRemainingAsBytes();
        byte[] a = Fuzz.embed(in);
        int off = Fuzz.OFF, len = in.length;
        Stun.Request r = Stun.parse(a, off, len);
        if (r == null) return;
        Fuzz.check(Stun.looksLikeStun(a, off, len), "parsed what does not look like STUN");
        Fuzz.check(r.integrityAt < 0 || (r.integrityAt >= 20 && r.integrityAt + 24 <= len), "MESSAGE-INTEGRITY outside the message");
        Fuzz.check(r.fingerprintAt < 0 || (r.fingerprintAt >= 20 && r.fingerprintAt + 8 <= len), "FINGERPRINT outside the message");
        Stun.checkIntegrity(a, off, r, "0123456789abcdefghijklmn");
        Stun.checkFingerprint(a, off, r);
        Stun.localUfrag(r.username);
    }
}
