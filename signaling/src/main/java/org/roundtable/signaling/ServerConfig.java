package org.roundtable.signaling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import org.roundtable.bridge.BridgeConfig;

/** Server settings, read once from HOCON (embedded reference.conf, optional file, -D overrides). Immutable. */
public record ServerConfig(String httpHost, int httpPort, BridgeConfig bridge, boolean openMeetings, int maxParticipants) {
    public static ServerConfig load(String file, Integer httpPort, Integer mediaPort) {
        Config c = ConfigFactory.defaultOverrides();
        if (file != null) c = c.withFallback(ConfigFactory.parseFile(new File(file)).resolve());
        c = c.withFallback(ConfigFactory.defaultReference()).resolve();
        Config r = c.getConfig("roundtable");
        Config b = r.getConfig("bridge");
        int udp = mediaPort != null ? mediaPort : b.getInt("udp-port");
        int tcp = b.getInt("tcp-port");
        if (mediaPort != null && tcp != 0) tcp = mediaPort;
        BridgeConfig bc = new BridgeConfig(b.getString("bind-address"), b.getStringList("advertised-addresses"), udp, tcp,
                b.getLong("remb-bps"), b.getBoolean("prefer-h264"), b.getInt("ice-timeout-ms"), b.getInt("dtls-timeout-ms"),
                b.getInt("dtls-threads"));
        return new ServerConfig(r.getString("http.host"), httpPort != null ? httpPort : r.getInt("http.port"), bc,
                r.getBoolean("meetings.open"), r.getInt("meetings.max-participants"));
    }
}
