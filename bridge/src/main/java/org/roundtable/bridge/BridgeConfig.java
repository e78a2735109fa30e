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
 */
public record BridgeConfig(String bindAddress, List<String> advertisedAddresses, int udpPort, int tcpPort,
                           long rembBps, boolean preferH264, int iceTimeoutMs, int dtlsTimeoutMs, int dtlsThreads) {
    public static BridgeConfig defaults() {
        return new BridgeConfig("0.0.0.0", List.of("127.0.0.1"), 10000, 10000, 2_500_000, false, 30_000, 10_000, 16);
    }

    public BridgeConfig withPorts(int udp, int tcp) {
        return new BridgeConfig(bindAddress, advertisedAddresses, udp, tcp, rembBps, preferH264, iceTimeoutMs, dtlsTimeoutMs, dtlsThreads);
    }
}
