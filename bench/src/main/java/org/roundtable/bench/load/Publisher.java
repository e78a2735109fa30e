package org.roundtable.bench.load;

/**
 * Pre-packetized media for one publishing endpoint, without encoding: Opus at 50 packets/s (100-byte
 * payloads) and VP8 at 20 fps of two 1,100-byte packets (about 350 kbit/s, 40 packets/s), a key frame
 * of eight packets every 2 s or when a PLI asks. Thread: the load loop (the pacer task).
 */
public final class Publisher {
    public final LoadEndpoint endpoint;
    public final int audioSsrc, videoSsrc;
    private final boolean audio, video;
    private int aSeq, vSeq;
    private long aTs, vTs;
    private long nextAudioNs, nextVideoNs, nextKeyNs;
    public long sent;
    private static final byte[] OPUS = new byte[12 + 100];
    private static final byte[] VP8 = new byte[12 + 1100];

    public Publisher(LoadEndpoint endpoint, int audioSsrc, int videoSsrc) {
        this.endpoint = endpoint;
        this.audioSsrc = audioSsrc;
        this.videoSsrc = videoSsrc;
        this.audio = audioSsrc != 0;
        this.video = videoSsrc != 0;
        this.aSeq = audioSsrc & 0x7FFF;
        this.vSeq = videoSsrc & 0x7FFF;
    }

    /** Sends whatever is due at nowNs; returns packets sent. */
    public int tick(long nowNs) {
        int n = 0;
        if (nextAudioNs == 0) { nextAudioNs = nowNs; nextVideoNs = nowNs; nextKeyNs = nowNs; }
        while (audio && nowNs >= nextAudioNs) {
            endpoint.send(OPUS, OPUS.length, 111, false, aSeq++ & 0xFFFF, aTs, audioSsrc);
            aTs += 960;
            nextAudioNs += 20_000_000L;
            n++;
        }
        while (video && nowNs >= nextVideoNs) {
            boolean key = endpoint.keyframeRequested || nowNs >= nextKeyNs;
            if (key) { endpoint.keyframeRequested = false; nextKeyNs = nowNs + 2_000_000_000L; }
            int packets = key ? 8 : 2;
            for (int i = 0; i < packets; i++) {
                VP8[12] = (byte) (i == 0 ? 0x10 : 0x00);          // VP8 descriptor: S=1 on the first packet, PID 0
                VP8[13] = (byte) (key ? 0x00 : 0x01);              // VP8 payload header: P=0 for a key frame
                endpoint.send(VP8, VP8.length, 96, i == packets - 1, vSeq++ & 0xFFFF, vTs, videoSsrc);
                n++;
            }
            vTs += 4500;
            nextVideoNs += 50_000_000L;
        }
        sent += n;
        if (n > 0) endpoint.flush();
        return n;
    }
}
