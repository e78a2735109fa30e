package org.roundtable.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.jitsi.srtp.crypto.Aes;
import org.openjdk.jmh.annotations.*;
import org.roundtable.bridge.dtls.DtlsSession.SrtpKeys;
import org.roundtable.bridge.srtp.SrtpSession;

/**
 * SRTP protect and unprotect of a 1,100-byte video packet: AES-CM + HMAC-SHA1-80 vs AEAD AES-128-GCM,
 * with jitsi-srtp's OpenSSL provider vs the JDK's (SunJCE) for AES, and for CM's HMAC-SHA1 ({@code hmac}).
 * with our allocation-free ciphers or jitsi-srtp's ({@code ciphers}). One thread, in place, as on the media loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SrtpBench {
    @Param({"GCM", "CM80"}) public String profile;
    @Param({"OpenSSL", "SunJCE"}) public String provider;
    /** The AES-CM profiles' HMAC-SHA1: jitsi-srtp's choice (its OpenSSL provider), the JDK's, or ours (Sha1Hmac, the bridge's; {@code HmacProvider}). */
    @Param({"jitsi", "SunJCE", "own"}) public String hmac;

    /** The ciphers: ours (OpenSslGcm, OpenSslCtr: the bridge's) or jitsi-srtp's as it makes them. */
    @Param({"own", "jitsi"}) public String ciphers;

    SrtpSession sender, receiver;
    final byte[] plain = new byte[1112], work = new byte[1112 + SrtpSession.MAX_TRAILER], protectedPkt = new byte[1112 + SrtpSession.MAX_TRAILER];
    int protectedLen;

    @Setup public void setup() {
        Aes.setFactoryClassName(provider);
        boolean chosen = switch (hmac) {
            case "SunJCE" -> org.roundtable.bridge.srtp.HmacProvider.useJdk();
            case "own" -> org.roundtable.bridge.srtp.HmacProvider.useOwn();
            default -> org.roundtable.bridge.srtp.HmacProvider.useJitsiDefault();
        };
        if (!chosen)
            throw new IllegalStateException("cannot choose the HMAC provider");
        int p = profile.equals("GCM") ? SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM : SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80;
        int salt = profile.equals("GCM") ? 12 : 14;
        byte[] k1 = new byte[16], k2 = new byte[16], s1 = new byte[salt], s2 = new byte[salt];
        new java.util.Random(1).nextBytes(k1);
        new java.util.Random(2).nextBytes(k2);
        sender = new SrtpSession(new SrtpKeys(p, k1, s1, k2, s2), false, ciphers.equals("own"));
        receiver = new SrtpSession(new SrtpKeys(p, k2, s2, k1, s1), false, ciphers.equals("own"));
        plain[0] = (byte) 0x80; plain[1] = 96; plain[11] = 7;
        System.arraycopy(plain, 0, protectedPkt, 0, plain.length);
        protectedLen = sender.protectRtp(protectedPkt, 0, plain.length, protectedPkt.length, 7);
        if (protectedLen < 0) throw new IllegalStateException("protect failed");
    }

    @Benchmark public int protect() {
        System.arraycopy(plain, 0, work, 0, plain.length);
        return sender.protectRtp(work, 0, plain.length, work.length, 7);
    }

    @Benchmark public int unprotect() {
        System.arraycopy(protectedPkt, 0, work, 0, protectedLen);
        return receiver.unprotectRtp(work, 0, protectedLen, 7);
    }
}
