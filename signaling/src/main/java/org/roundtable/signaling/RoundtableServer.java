package org.roundtable.signaling;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.metrics.BridgeMetrics;
import org.roundtable.signaling.api.HttpApi;
import org.roundtable.signaling.api.WsSession;
import org.roundtable.signaling.meeting.MeetingService;

/** The whole server: bridge, meetings, HTTP/WebSocket. Used by {@link Main} and by tests. */
public final class RoundtableServer implements AutoCloseable {
    public final ServerConfig config;
    public final PrometheusRegistry registry = new PrometheusRegistry();
    public final Bridge bridge;
    public final MeetingService meetings;
    private final Server http;

    public RoundtableServer(ServerConfig config) {
        this.config = config;
        JvmMetrics.builder().register(registry);
        this.bridge = new Bridge(config.bridge(), new BridgeMetrics(registry));
        this.meetings = new MeetingService(bridge, config);
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        this.http = new Server(threads);
        ServerConnector c = new ServerConnector(http);
        c.setHost(config.httpHost());
        c.setPort(config.httpPort());
        http.addConnector(c);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(http, container -> {
            container.setIdleTimeout(Duration.ofSeconds(60));
            container.setMaxTextMessageSize(256 * 1024);
            container.addMapping("/ws", (rq, rs, cb) -> new WsSession(meetings));
        });
        ws.setHandler(new HttpApi(meetings, registry));
        http.setHandler(ws);
    }

    public RoundtableServer start() throws Exception {
        bridge.start();
        http.start();
        return this;
    }

    public int httpPort() { return ((ServerConnector) http.getConnectors()[0]).getLocalPort(); }

    public String url() {
        String host = config.httpHost().equals("0.0.0.0") ? config.bridge().advertisedAddresses().get(0) : config.httpHost();
        return "http://" + host + ":" + httpPort() + "/";
    }

    @Override public void close() throws Exception {
        http.stop();
        bridge.close();
        meetings.close();
    }
}
