package org.roundtable.bridge;

import java.util.List;

/**
 * Bridge settings, read once from the HOCON config ({@code roundtable.bridge}, whose defaults are this
 * module's {@code reference.conf}) into this record by {@link #fromConfig}.
 * @param bindAddress address the media sockets bind (0.0.0.0 for all)
 * @param advertisedAddresses addresses put in ICE candidates (NAT: the public one); must be non-empty
 * @param udpPort single UDP port for all endpoints
 * @param tcpPort ICE-TCP port (passive candidates); 0 disables ICE-TCP
 * @param rembBps bitrate announced to publishers in REMB
 * @param preferH264 publish video as H.264 when offered (default VP8)
 * @param limits what one client (or an unauthenticated peer) can make the bridge hold or do
 * @param tuning how the media path batches its work
 */
public record BridgeConfig(String bindAddress, List<String> advertisedAddresses, int udpPort, int tcpPort,
                           long rembBps, boolean preferH264, int iceTimeoutMs, int dtlsTimeoutMs, int dtlsThreads,
                           Limits limits, Tuning tuning) {
    /**
     * @param udpFlushEvery a UDP socket is flushed (one sendmmsg) after this many packets at most, as well as
     *                      at the end of each read batch: smaller lowers the latency of a large fan-out's first
     *                      copies, larger saves system calls
     * @param mediaLoops media event loops (threads), each with its own socket on the shared UDP port
     *                   ({@code SO_REUSEPORT}); each meeting runs on one of them, so meetings use every core.
     *                   0: one per available core (see {@link Tuning#loops()}).
     *                   Without epoll there is one.
     * @param warmUpPackets packets the bridge forwards at start, before it serves anyone, through a synthetic
     *                      meeting on its first media loop ({@code ForwardWarmUp}), so the JIT has compiled the
     *                      forwarding path when the first members connect; 0: none
     * @param nackCachePackets packets of each video source kept for NACK answers (a power of two, 64..32768): at
     *                         1 Mbit/s of 1,100-byte packets 512 is about 4.5 s
     * @param nackMaxAgeMs a cached packet older than this is not re-sent (the receiver's jitter buffer has
     *                     given up on it by then)
     * @param nackResendGuardMs while a receiver's round trip is unknown, a packet is re-sent to it at most once in
     *                          this long (once known, once per round trip, at most a second)
     * @param udpGso a receiver's consecutive packets in one flush (a video frame's) leave as one UDP GSO
     *               message ({@code UDP_SEGMENT}, Linux 4.18+) where the kernel has it: one pass through the
     *               stack for the lot; a socket whose path refuses one sends each packet alone from then on
     */
    public record Tuning(int udpFlushEvery, int mediaLoops, int warmUpPackets, int nackCachePackets, int nackMaxAgeMs, int nackResendGuardMs,
                         boolean udpGso) {
        /** One media loop and no forwarding warm-up: what component tests and embedded uses get; the server's config asks for one loop per core and a warm-up. */
        public static Tuning defaults() { return new Tuning(32, 1, 0); }
        public Tuning(int udpFlushEvery) { this(udpFlushEvery, 1, 0); }
        public Tuning(int udpFlushEvery, int mediaLoops) { this(udpFlushEvery, mediaLoops, 0); }
        public Tuning(int udpFlushEvery, int mediaLoops, int warmUpPackets) { this(udpFlushEvery, mediaLoops, warmUpPackets, 512, 1500, 100); }
        public Tuning(int udpFlushEvery, int mediaLoops, int warmUpPackets, int nackCachePackets, int nackMaxAgeMs, int nackResendGuardMs) {
            this(udpFlushEvery, mediaLoops, warmUpPackets, nackCachePackets, nackMaxAgeMs, nackResendGuardMs, true);
        }
        public Tuning {
            if (warmUpPackets < 0 || warmUpPackets > 10_000_000) throw new IllegalArgumentException("warm-up-packets must be 0..10000000, not " + warmUpPackets);
            if (udpFlushEvery < 1 || udpFlushEvery > 1024) throw new IllegalArgumentException("udp-flush-every must be 1..1024, not " + udpFlushEvery);
            if (mediaLoops < 0 || mediaLoops > 256) throw new IllegalArgumentException("media-loops must be 0 (one per core) .. 256, not " + mediaLoops);
            if (nackCachePackets < 64 || nackCachePackets > 32768 || Integer.bitCount(nackCachePackets) != 1)
                throw new IllegalArgumentException("nack-cache-packets must be a power of two, 64..32768, not " + nackCachePackets);
            if (nackMaxAgeMs < 100 || nackMaxAgeMs > 10_000) throw new IllegalArgumentException("nack-max-age-ms must be 100..10000, not " + nackMaxAgeMs);
            if (nackResendGuardMs < 0 || nackResendGuardMs > 1000) throw new IllegalArgumentException("nack-resend-guard-ms must be 0..1000, not " + nackResendGuardMs);
        }
        /**
         * The number of media loops to run: {@code mediaLoops}, or one per available core for 0. Each UDP
         * endpoint's packets reach its loop directly ({@code PinnedSockets}); before those, on 2 cores shared
         * with browsers a second loop made media late (a packet on the other loop's socket waited for a
         * second thread wake-up), and 0 meant 1 loop below 4 cores.
         */
        public int loops() { return mediaLoops > 0 ? mediaLoops : Runtime.getRuntime().availableProcessors(); }
        public Tuning withMediaLoops(int n) { return new Tuning(udpFlushEvery, n, warmUpPackets, nackCachePackets, nackMaxAgeMs, nackResendGuardMs, udpGso); }
        public Tuning withWarmUpPackets(int n) { return new Tuning(udpFlushEvery, mediaLoops, n, nackCachePackets, nackMaxAgeMs, nackResendGuardMs, udpGso); }
        public Tuning withNack(int cachePackets, int maxAgeMs, int resendGuardMs) {
            return new Tuning(udpFlushEvery, mediaLoops, warmUpPackets, cachePackets, maxAgeMs, resendGuardMs, udpGso);
        }
        public Tuning withUdpGso(boolean on) { return new Tuning(udpFlushEvery, mediaLoops, warmUpPackets, nackCachePackets, nackMaxAgeMs, nackResendGuardMs, on); }
    }

    public BridgeConfig(String bindAddress, List<String> advertisedAddresses, int udpPort, int tcpPort,
                        long rembBps, boolean preferH264, int iceTimeoutMs, int dtlsTimeoutMs, int dtlsThreads, Limits limits) {
        this(bindAddress, advertisedAddresses, udpPort, tcpPort, rembBps, preferH264, iceTimeoutMs, dtlsTimeoutMs, dtlsThreads, limits, Tuning.defaults());
    }

    /**
     * @param tcpMaxConnections open ICE-TCP connections at most (further ones are closed at once, counted)
     * @param tcpAuthTimeoutMs an ICE-TCP connection with no STUN check of valid MESSAGE-INTEGRITY by then is closed
     * @param maxPendingDtls DTLS handshakes in progress at most; an endpoint past it is closed (counted)
     * @param maxMediaSections m-lines in one offer at most
     * @param maxPublishedTracks sending (sendonly/sendrecv) m-lines per endpoint at most
     * @param nacksPerSecond packets re-sent per second per receiving endpoint at most (NACK answers)
     */
    public record Limits(int tcpMaxConnections, int tcpAuthTimeoutMs, int maxPendingDtls, int maxMediaSections,
                         int maxPublishedTracks, int nacksPerSecond) {
        public static Limits defaults() { return new Limits(1000, 5000, 256, 32, 8, 500); }
        public Limits withTcp(int maxConnections, int authTimeoutMs) {
            return new Limits(maxConnections, authTimeoutMs, maxPendingDtls, maxMediaSections, maxPublishedTracks, nacksPerSecond);
        }
        public Limits withMaxPendingDtls(int n) {
            return new Limits(tcpMaxConnections, tcpAuthTimeoutMs, n, maxMediaSections, maxPublishedTracks, nacksPerSecond);
        }
        public Limits withNacksPerSecond(int n) {
            return new Limits(tcpMaxConnections, tcpAuthTimeoutMs, maxPendingDtls, maxMediaSections, maxPublishedTracks, n);
        }
    }

    /** With the default {@link Limits}. */
    public BridgeConfig(String bindAddress, List<String> advertisedAddresses, int udpPort, int tcpPort,
                        long rembBps, boolean preferH264, int iceTimeoutMs, int dtlsTimeoutMs, int dtlsThreads) {
        this(bindAddress, advertisedAddresses, udpPort, tcpPort, rembBps, preferH264, iceTimeoutMs, dtlsTimeoutMs, dtlsThreads, Limits.defaults());
    }

    public BridgeConfig {
        if (limits == null) limits = Limits.defaults();
        if (tuning == null) tuning = Tuning.defaults();
    }

    public static BridgeConfig defaults() {
        return new BridgeConfig("0.0.0.0", List.of("127.0.0.1"), 10000, 10000, 2_500_000, false, 30_000, 10_000, 16);
    }

    public BridgeConfig withPorts(int udp, int tcp) {
        return new BridgeConfig(bindAddress, advertisedAddresses, udp, tcp, rembBps, preferH264, iceTimeoutMs, dtlsTimeoutMs, dtlsThreads, limits, tuning);
    }

    public BridgeConfig withLimits(Limits l) {
        return new BridgeConfig(bindAddress, advertisedAddresses, udpPort, tcpPort, rembBps, preferH264, iceTimeoutMs, dtlsTimeoutMs, dtlsThreads, l, tuning);
    }

    public BridgeConfig withTuning(Tuning t) {
        return new BridgeConfig(bindAddress, advertisedAddresses, udpPort, tcpPort, rembBps, preferH264, iceTimeoutMs, dtlsTimeoutMs, dtlsThreads, limits, t);
    }

    /**
     * Reads {@code roundtable.bridge} (c is that block: this module's reference.conf under what the operator
     * set). mediaPort, when given, is the UDP port and, unless ICE-TCP is off, the ICE-TCP port too.
     */
    public static BridgeConfig fromConfig(com.typesafe.config.Config b, Integer mediaPort) {
        int udp = mediaPort != null ? mediaPort : b.getInt("udp-port");
        int tcp = b.getInt("tcp-port");
        if (mediaPort != null && tcp != 0) tcp = mediaPort;
        return new BridgeConfig(b.getString("bind-address"), b.getStringList("advertised-addresses"), udp, tcp,
                b.getLong("remb-bps"), b.getBoolean("prefer-h264"), b.getInt("ice-timeout-ms"), b.getInt("dtls-timeout-ms"),
                b.getInt("dtls-threads")).withLimits(new Limits(b.getInt("limits.ice-tcp-max-connections"),
                b.getInt("limits.ice-tcp-auth-timeout-ms"), b.getInt("limits.max-pending-dtls"), b.getInt("limits.max-media-sections"),
                b.getInt("limits.max-published-tracks"), b.getInt("limits.nacks-per-second")))
                .withTuning(new Tuning(b.getInt("tuning.udp-flush-every"), b.getInt("tuning.media-loops"), b.getInt("tuning.warm-up-packets"),
                        b.getInt("tuning.nack-cache-packets"), b.getInt("tuning.nack-max-age-ms"), b.getInt("tuning.nack-resend-guard-ms"),
                        b.getBoolean("tuning.udp-gso")));
    }
}
