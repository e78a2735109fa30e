package org.roundtable.bridge;

import java.util.List;

/**
 * Bridge settings, read once from the server's HOCON config ({@code roundtable.bridge}) into this record.
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
     */
    public record Tuning(int udpFlushEvery, int mediaLoops, int warmUpPackets) {
        /** One media loop and no forwarding warm-up: what component tests and embedded uses get; the server's config asks for one loop per core and a warm-up. */
        public static Tuning defaults() { return new Tuning(32, 1, 0); }
        public Tuning(int udpFlushEvery) { this(udpFlushEvery, 1, 0); }
        public Tuning(int udpFlushEvery, int mediaLoops) { this(udpFlushEvery, mediaLoops, 0); }
        public Tuning {
            if (warmUpPackets < 0 || warmUpPackets > 10_000_000) throw new IllegalArgumentException("warm-up-packets must be 0..10000000, not " + warmUpPackets);
            if (udpFlushEvery < 1 || udpFlushEvery > 1024) throw new IllegalArgumentException("udp-flush-every must be 1..1024, not " + udpFlushEvery);
            if (mediaLoops < 0 || mediaLoops > 256) throw new IllegalArgumentException("media-loops must be 0 (one per core) .. 256, not " + mediaLoops);
        }
        /**
         * The number of media loops to run: {@code mediaLoops}, or one per available core for 0. Each UDP
         * endpoint's packets reach its loop directly ({@code PinnedSockets}); before those, on 2 cores shared
         * with browsers a second loop made media late (a packet on the other loop's socket waited for a
         * second thread wake-up), and 0 meant 1 loop below 4 cores.
         */
        public int loops() { return mediaLoops > 0 ? mediaLoops : Runtime.getRuntime().availableProcessors(); }
        public Tuning withMediaLoops(int n) { return new Tuning(udpFlushEvery, n, warmUpPackets); }
        public Tuning withWarmUpPackets(int n) { return new Tuning(udpFlushEvery, mediaLoops, n); }
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
}
