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
import org.roundtable.signaling.api.MeetingApi;
import org.roundtable.signaling.api.WsSession;
import org.roundtable.signaling.auth.AttemptLimiter;
import org.roundtable.signaling.auth.Jwt;
import org.roundtable.signaling.meeting.MeetingService;
import org.roundtable.signaling.registry.JdbcMeetingRepository;
import org.roundtable.signaling.registry.MeetingRegistry;

/** The whole server: bridge, meetings, HTTP/WebSocket. Used by {@link Main} and by tests. */
public final class RoundtableServer implements AutoCloseable {
    public final ServerConfig config;
    public final PrometheusRegistry registry = new PrometheusRegistry();
    public final Bridge bridge;
    public final MeetingService meetings;
    public final MeetingRegistry meetingRegistry;
    public org.roundtable.signaling.sip.SipGateway sip;
    public final HttpApi httpApi;
    /** Recordings and meeting files (null when roundtable.recorder.enabled = false). */
    public final org.roundtable.recorder.RecordingService recordings;
    /** The live links (tokens, their streams). */
    public final org.roundtable.streaming.live.LiveDirectory liveDirectory;
    private final java.util.concurrent.ScheduledExecutorService hlsTimer;
    private final org.roundtable.streaming.hls.HlsRuntime hlsRuntime;
    private final java.util.concurrent.ScheduledExecutorService recorderTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            new io.netty.util.concurrent.DefaultThreadFactory("recorder-timer", true));
    private final Server http;

    public RoundtableServer(ServerConfig config) {
        String warning = config.checkSecrets();
        if (warning != null) org.slf4j.LoggerFactory.getLogger(RoundtableServer.class).warn("\n\n  *** {} ***\n", warning);
        this.config = config;
        JvmMetrics.builder().register(registry);
        this.bridge = new Bridge(config.bridge(), new BridgeMetrics(registry));
        java.time.Clock clock = java.time.Clock.systemUTC();
        ServerConfig.Auth a = config.auth();
        ServerConfig.Limits l = config.limits();
        JdbcMeetingRepository repo = new JdbcMeetingRepository(config.registry().dbUrl(), config.registry().dbUser(), config.registry().dbPassword());
        this.meetingRegistry = new MeetingRegistry(repo, config.registry(), clock);
        MeetingService ms = new MeetingService(bridge, config, meetingRegistry,
                new Jwt(a.hs256Secrets(), a.es256PublicKeys(), a.issuer(), a.audience(), a.clockSkewSeconds(), clock),
                new AttemptLimiter(clock, l.failuresPerSource(), l.failuresPerMeeting(), l.windowSeconds() * 1000L, l.lockoutSeconds() * 1000L));
        ms.registerMetrics(registry);
        this.meetings = ms;
        ServerConfig.Recorder rc = config.recorder();
        org.roundtable.mixer.compose.Composition.Config composition = new org.roundtable.mixer.compose.Composition.Config(rc.width(), rc.height(), rc.fps(),
                rc.videoKbps() * 1000, rc.audioKbps() * 1000,
                rc.layout().equals("grid") ? org.roundtable.mixer.video.Layout.Mode.GRID : org.roundtable.mixer.video.Layout.Mode.SPEAKER, rc.encoder(),
                rc.syncDelayMs());
        ms.composeWith(composition);
        if (rc.enabled()) {
            this.recordings = new org.roundtable.recorder.RecordingService(new org.roundtable.recorder.RecordingService.Config(
                    java.nio.file.Path.of(rc.dir()).toAbsolutePath(), rc.minFreeMb() << 20, rc.retentionDays()),
                    new org.roundtable.signaling.registry.JdbcRecordingCatalog(repo.dataSource()), clock, recorderTimer);
            ms.enableRecording(recordings, composition);
            org.roundtable.recorder.RecorderMetrics.register(registry, recordings);
        } else {
            this.recordings = null;
        }
        ServerConfig.Live lc = config.live();
        this.liveDirectory = new org.roundtable.streaming.live.LiveDirectory(clock);
        this.hlsTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hls-timer");
            t.setDaemon(true);
            return t;
        });
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        this.hlsRuntime = org.roundtable.streaming.hls.HlsRuntime.create(threads, hlsTimer);
        if (lc.enabled()) {
            org.roundtable.streaming.rtmp.RtmpMetrics rtmpMetrics = new org.roundtable.streaming.rtmp.RtmpMetrics();
            ms.enableLive(liveDirectory, new org.roundtable.streaming.hls.HlsConfig(lc.segmentMillis(), lc.partMillis(), lc.windowSegments(),
                    lc.maxBlockedRequests()), hlsRuntime, org.roundtable.streaming.rtmp.RtmpOptions.DEFAULTS, rtmpMetrics);
            org.roundtable.streaming.live.LiveMetrics.register(registry, liveDirectory, hlsRuntime.metrics(), rtmpMetrics);
        }
        if (rc.enabled() || lc.enabled()) {
            // FFmpeg's libraries are extracted now (and a GPL build on the class path is named), not in the first
            // recording's first seconds; they load (~0.2 s, ~16 MB of PSS) when the first recording or live stream starts
            Thread warm = new Thread(() -> {
                try { org.roundtable.mixer.av.AvLibrary.prepare(); }
                catch (Throwable t) { org.slf4j.LoggerFactory.getLogger(RoundtableServer.class).error("FFmpeg cannot be extracted: recordings and live streams will fail: {}", t.toString()); }
            }, "ffmpeg-load");
            warm.setDaemon(true);
            warm.start();
        }
        this.http = new Server(threads);
        ServerConnector c = config.httpTls().enabled() ? httpsConnector(http, config) : new ServerConnector(http);
        c.setHost(config.httpHost());
        c.setPort(config.httpPort());
        http.addConnector(c);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(http, container -> {
            container.setIdleTimeout(Duration.ofSeconds(60));
            container.setMaxTextMessageSize(256 * 1024);
            container.addMapping("/ws", (rq, rs, cb) -> new WsSession(meetings, org.eclipse.jetty.server.Request.getRemoteAddr(rq)));
        });
        this.httpApi = new HttpApi(meetings, registry, new MeetingApi(meetings),
                recordings == null ? null : new org.roundtable.signaling.api.FilesApi(meetings, recordings, clock));
        // the live links' pages and HLS first (no auth: the token is the key), then the API and web client
        ws.setHandler(new org.eclipse.jetty.server.Handler.Sequence(new org.roundtable.streaming.live.LiveHandler(liveDirectory),
                new org.roundtable.streaming.hls.HlsHandler("/live", liveDirectory::lookup, hlsRuntime.metrics()), httpApi));
        http.setHandler(ws);
    }

    /** HTTPS (and so WSS) on the HTTP port, with the configured PKCS#12 key store or a self-signed certificate. */
    private static ServerConnector httpsConnector(Server http, ServerConfig config) {
        ServerConfig.HttpTls t = config.httpTls();
        org.eclipse.jetty.util.ssl.SslContextFactory.Server ssl = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
        try {
            if (t.keystore().isEmpty()) {
                char[] pw = Long.toHexString(new java.security.SecureRandom().nextLong()).toCharArray();
                String host = config.httpHost().equals("0.0.0.0") ? "localhost" : config.httpHost();
                ssl.setKeyStore(SelfSigned.keyStore(host, "roundtable-https", pw));
                ssl.setKeyStorePassword(new String(pw));
                org.slf4j.LoggerFactory.getLogger(RoundtableServer.class).warn("HTTPS with a self-signed certificate made at start-up: browsers will warn;"
                        + " set roundtable.http.tls.keystore for a real one");
            } else {
                ssl.setKeyStorePath(t.keystore());
                ssl.setKeyStoreType("PKCS12");
                ssl.setKeyStorePassword(t.keystorePassword());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up HTTPS: " + e.getMessage(), e);
        }
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        org.eclipse.jetty.server.HttpConfiguration hc = new org.eclipse.jetty.server.HttpConfiguration();
        // clients reach servers by address too; certificates of a proxy-less server often name only its host
        hc.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer(false));
        return new ServerConnector(http, new org.eclipse.jetty.server.SslConnectionFactory(ssl, "http/1.1"),
                new org.eclipse.jetty.server.HttpConnectionFactory(hc));
    }

    public RoundtableServer start() throws Exception {
        bridge.start();
        http.start();
        ServerConfig.Sip s = config.sip();
        if (s.enabled()) sip = new org.roundtable.signaling.sip.SipGateway(meetings, bridge,
                s)
                .metrics(new org.roundtable.signaling.sip.SipMetrics(registry)).start();
        if (sip != null) meetings.dialer(sip);
        if (sip != null && s.registrar().enabled()) sip.register(s.registrar());
        return this;
    }

    public int httpPort() { return ((ServerConnector) http.getConnectors()[0]).getLocalPort(); }

    public String url() {
        String host = config.httpHost().equals("0.0.0.0") ? config.bridge().advertisedAddresses().get(0) : config.httpHost();
        return (config.httpTls().enabled() ? "https://" : "http://") + host + ":" + httpPort() + "/";
    }

    @Override public void close() throws Exception {
        if (sip != null) sip.close();
        http.stop();
        meetings.close();          // ends recordings cleanly: their files are finalised; ends live streams
        hlsTimer.shutdownNow();
        if (recordings != null) recordings.close();
        recorderTimer.shutdownNow();
        bridge.close();
        meetingRegistry.close();
    }
}
