package org.roundtable.signaling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.List;
import org.roundtable.bridge.BridgeConfig;

/** Server settings, read once from HOCON (embedded reference.conf, optional file, -D overrides). Immutable. */
public record ServerConfig(String httpHost, int httpPort, BridgeConfig bridge, boolean openMeetings, int maxParticipants,
                           Auth auth, Registry registry, Limits limits, Sip sip, HttpTls httpTls, Recorder recorder, Live live,
                           org.roundtable.mixer.MixerConfig mixer) {
    /** With the mixer's defaults. */
    public ServerConfig(String httpHost, int httpPort, BridgeConfig bridge, boolean openMeetings, int maxParticipants,
                        Auth auth, Registry registry, Limits limits, Sip sip, HttpTls httpTls, Recorder recorder, Live live) {
        this(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, sip, httpTls, recorder, live,
                org.roundtable.mixer.MixerConfig.DEFAULTS);
    }

    /** Without live settings: the defaults (LL-HLS with 2 s segments and 334 ms parts). */
    public ServerConfig(String httpHost, int httpPort, BridgeConfig bridge, boolean openMeetings, int maxParticipants,
                        Auth auth, Registry registry, Limits limits, Sip sip, HttpTls httpTls, Recorder recorder) {
        this(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, sip, httpTls, recorder, Live.DEFAULTS);
    }

    /**
     * Live streaming: built-in LL-HLS at the live links (segment and part targets in milliseconds: the
     * composition's key frames come every 2 s, so segments are cut on them; how many segments the
     * playlist keeps; how many blocked playlist requests one stream holds at most) and RTMP pushes.
     */
    public record Live(boolean enabled, int segmentMillis, int partMillis, int windowSegments, int maxBlockedRequests) {
        public static final Live DEFAULTS = new Live(true, 2000, 334, 6, 10_000);
        public Live {
            if (segmentMillis < 1000 || segmentMillis > 10_000) throw new IllegalArgumentException("roundtable.live.segment-ms: 1000 to 10000");
            if (partMillis < 100 || partMillis > segmentMillis / 2) throw new IllegalArgumentException("roundtable.live.part-ms: 100 to half a segment");
            if (windowSegments < 3 || windowSegments > 60) throw new IllegalArgumentException("roundtable.live.window-segments: 3 to 60");
            if (maxBlockedRequests < 1) throw new IllegalArgumentException("roundtable.live.max-blocked-requests: at least 1");
        }
    }

    public ServerConfig withMixer(org.roundtable.mixer.MixerConfig m) { return new ServerConfig(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, sip, httpTls, recorder, live, m); }
    public ServerConfig withLive(Live l) { return new ServerConfig(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, sip, httpTls, recorder, l, mixer); }

    /** Without recorder settings: the defaults (files under data/recordings). */
    public ServerConfig(String httpHost, int httpPort, BridgeConfig bridge, boolean openMeetings, int maxParticipants,
                        Auth auth, Registry registry, Limits limits, Sip sip, HttpTls httpTls) {
        this(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, sip, httpTls, Recorder.DEFAULTS);
    }

    /**
     * Recording: where files go (one folder per meeting), the free space below which none starts, how many
     * days files are kept (0: forever), and the composed picture: size, frame rate, bit rates, layout
     * (speaker or grid) and the H.264 encoder (libopenh264, LGPL-safe; a GPU encoder such as h264_nvenc if present).
     */
    public record Recorder(boolean enabled, String dir, long minFreeMb, int retentionDays, int width, int height, int fps,
                           int videoKbps, int audioKbps, String layout, String encoder, int syncDelayMs) {
        public static final Recorder DEFAULTS = new Recorder(true, "data/recordings", 500, 0, 1280, 720, 30, 2500, 128, "speaker", "libopenh264", 250);
        /** With the default sync delay (250 ms). */
        public Recorder(boolean enabled, String dir, long minFreeMb, int retentionDays, int width, int height, int fps,
                        int videoKbps, int audioKbps, String layout, String encoder) {
            this(enabled, dir, minFreeMb, retentionDays, width, height, fps, videoKbps, audioKbps, layout, encoder, 250);
        }
        public Recorder {
            if (width % 2 != 0 || height % 2 != 0 || width < 128 || height < 128) throw new IllegalArgumentException("roundtable.recorder: width and height must be even, at least 128");
            if (fps < 1 || fps > 60) throw new IllegalArgumentException("roundtable.recorder.fps: 1 to 60");
            if (!layout.equals("speaker") && !layout.equals("grid")) throw new IllegalArgumentException("roundtable.recorder.layout: speaker or grid");
            if (syncDelayMs < 0 || syncDelayMs > 2000) throw new IllegalArgumentException("roundtable.recorder.sync-delay-ms: 0 to 2000");
        }
        public Recorder withDir(String d) { return new Recorder(enabled, d, minFreeMb, retentionDays, width, height, fps, videoKbps, audioKbps, layout, encoder, syncDelayMs); }
    }

    public ServerConfig withRecorder(Recorder r) { return new ServerConfig(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, sip, httpTls, r, live, mixer); }
    /** The record as it was before HTTPS (plain HTTP). */
    public ServerConfig(String httpHost, int httpPort, BridgeConfig bridge, boolean openMeetings, int maxParticipants,
                        Auth auth, Registry registry, Limits limits, Sip sip) {
        this(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, sip, HttpTls.OFF);
    }

    /**
     * HTTPS and WSS on the HTTP port: a PKCS#12 keystore with the server's certificate, or (empty) a
     * self-signed certificate made at start-up, with a warning. Off: plain HTTP (behind a TLS proxy).
     */
    public record HttpTls(boolean enabled, String keystore, String keystorePassword) {
        public static final HttpTls OFF = new HttpTls(false, "", "");
    }

    public ServerConfig withHttpTls(HttpTls t) { return new ServerConfig(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, sip, t, recorder, live, mixer); }

    /**
     * The SIP gateway: where it listens, the address in its SDP, the hotline number (the IVR), and the PBX it registers to.
     * rtpLatch: whom a phone leg hears (auto, sdp or first-packet); callbackNeeds: the permission a call back needs
     * ("member": none); dialOut: which targets may be called, and how often.
     */
    public record Sip(boolean enabled, String bindAddress, int port, String advertisedAddress, String hotline,
                      Registrar registrar, boolean offerSrtp, Tls tls, int ivrIdleSeconds, int dialTimeoutSeconds,
                      List<String> trustedPeers, int maxCalls, String rtpLatch, String callbackNeeds, DialOut dialOut) {
        public Sip {
            if (!List.of("auto", "sdp", "first-packet").contains(rtpLatch))
                throw new IllegalArgumentException("roundtable.sip.rtp-latch: auto, sdp or first-packet, not " + rtpLatch);
            if (callbackNeeds.isBlank()) throw new IllegalArgumentException("roundtable.sip.callback-needs: a permission, or member");
        }
        public Sip(boolean enabled, String bindAddress, int port, String advertisedAddress, String hotline) {
            this(enabled, bindAddress, port, advertisedAddress, hotline, Registrar.NONE, false, Tls.OFF, 10, 60, List.of(), 500, "auto", "dial_out", DialOut.DEFAULT);
        }
        public Sip(boolean enabled, String bindAddress, int port, String advertisedAddress, String hotline, Registrar registrar, boolean offerSrtp,
                   Tls tls, int ivrIdleSeconds, int dialTimeoutSeconds, List<String> trustedPeers, int maxCalls) {
            this(enabled, bindAddress, port, advertisedAddress, hotline, registrar, offerSrtp, tls, ivrIdleSeconds, dialTimeoutSeconds, trustedPeers, maxCalls,
                    "auto", "dial_out", DialOut.DEFAULT);
        }
        public Sip withOfferSrtp(boolean on) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, registrar, on, tls, ivrIdleSeconds, dialTimeoutSeconds, trustedPeers, maxCalls, rtpLatch, callbackNeeds, dialOut); }
        public Sip withTls(Tls t) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, registrar, offerSrtp, t, ivrIdleSeconds, dialTimeoutSeconds, trustedPeers, maxCalls, rtpLatch, callbackNeeds, dialOut); }
        public Sip withRegistrar(Registrar r) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, r, offerSrtp, tls, ivrIdleSeconds, dialTimeoutSeconds, trustedPeers, maxCalls, rtpLatch, callbackNeeds, dialOut); }
        public Sip withIvrIdleSeconds(int n) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, registrar, offerSrtp, tls, n, dialTimeoutSeconds, trustedPeers, maxCalls, rtpLatch, callbackNeeds, dialOut); }
        public Sip withDialTimeoutSeconds(int n) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, registrar, offerSrtp, tls, ivrIdleSeconds, n, trustedPeers, maxCalls, rtpLatch, callbackNeeds, dialOut); }
        public Sip withTrustedPeers(List<String> peers, int max) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, registrar, offerSrtp, tls, ivrIdleSeconds, dialTimeoutSeconds, peers, max, rtpLatch, callbackNeeds, dialOut); }
        public Sip withRtpLatch(String mode) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, registrar, offerSrtp, tls, ivrIdleSeconds, dialTimeoutSeconds, trustedPeers, maxCalls, mode, callbackNeeds, dialOut); }
        public Sip withCallbackNeeds(String p) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, registrar, offerSrtp, tls, ivrIdleSeconds, dialTimeoutSeconds, trustedPeers, maxCalls, rtpLatch, p, dialOut); }
        public Sip withDialOut(DialOut d) { return new Sip(enabled, bindAddress, port, advertisedAddress, hotline, registrar, offerSrtp, tls, ivrIdleSeconds, dialTimeoutSeconds, trustedPeers, maxCalls, rtpLatch, callbackNeeds, d); }
        /** The same dial-out rates, these targets allowed (regular expressions matching the whole target). */
        public Sip withDialOutAllowed(String... patterns) { return withDialOut(new DialOut(List.of(patterns), dialOut.perMemberPerMinute(), dialOut.perMeetingPerMinute())); }
    }

    /**
     * Dial-out and call back (toll fraud): a target (a number, or a SIP URI as the member typed it) must
     * match one of allow (Java regular expressions, whole target); each member may start perMemberPerMinute
     * calls a minute, each meeting perMeetingPerMinute.
     */
    public record DialOut(List<String> allow, int perMemberPerMinute, int perMeetingPerMinute) {
        public static final DialOut DEFAULT = new DialOut(List.of("^[0-9]{3,6}$"), 5, 20);
        public DialOut {
            allow = List.copyOf(allow);
            for (String p : allow) {
                try { java.util.regex.Pattern.compile(p); } catch (java.util.regex.PatternSyntaxException e) {
                    throw new IllegalArgumentException("roundtable.sip.dial-out.allow: not a regular expression: " + p, e);
                }
            }
        }
    }

    /**
     * Registration to the PBX as an extension or trunk (host empty: none; calls come from the trunk peer),
     * which is also where dial-out calls go. transport: udp, tcp or tls. keepaliveSeconds: OPTIONS to the
     * PBX this often (0: off).
     */
    public record Registrar(String host, int port, String transport, String user, String password, int expiresSeconds, int keepaliveSeconds) {
        public static final Registrar NONE = new Registrar("", 5060, "udp", "roundtable", "", 300, 30);
        public boolean enabled() { return !host.isEmpty(); }
    }

    /**
     * SIP over TLS: its port (0 = off) and a PKCS#12 keystore with the gateway's certificate; an empty
     * keystore means a self-signed certificate made at start-up (the PBX must then not verify it). The
     * trust store verifies the PBX or phone we connect to (empty: the JDK's CA certificates), and, with
     * verifyClients, the certificate every TLS client must present (mutual TLS, as PBX trunks use).
     */
    public record Tls(int port, String keystore, String keystorePassword, String truststore, String truststorePassword, boolean verifyClients) {
        public static final Tls OFF = new Tls(0);
        public Tls(int port) { this(port, "", "", "", "", false); }
        public Tls(int port, String keystore, String keystorePassword, String truststore, String truststorePassword) {
            this(port, keystore, keystorePassword, truststore, truststorePassword, false);
        }
        public boolean enabled() { return port > 0; }
    }

    public ServerConfig(String httpHost, int httpPort, BridgeConfig bridge, boolean openMeetings, int maxParticipants,
                        Auth auth, Registry registry, Limits limits) {
        this(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, new Sip(false, "127.0.0.1", 5060, "127.0.0.1", "1000"));
    }

    public ServerConfig withSip(Sip s) { return new ServerConfig(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, limits, s, httpTls, recorder, live, mixer); }

    /** Token verification: HS256 secrets and ES256 public keys (PEM) of the enterprise account system. */
    public record Auth(List<String> hs256Secrets, List<String> es256PublicKeys, String issuer, String audience, long clockSkewSeconds) {}

    /** The meeting registry's database and scheduling rules. */
    public record Registry(String dbUrl, String dbUser, String dbPassword, int earlyJoinMinutes, int reminderMinutes) {}

    /** Failed password/token attempts allowed per source and per meeting within the window, and the lockout. */
    public record Limits(int failuresPerSource, int failuresPerMeeting, int windowSeconds, int lockoutSeconds) {}

    /** Tests: an in-memory registry, the test secret (and the dev secret in open mode), default limits. */
    public ServerConfig(String httpHost, int httpPort, BridgeConfig bridge, boolean openMeetings, int maxParticipants) {
        this(httpHost, httpPort, bridge, openMeetings, maxParticipants,
                new Auth(openMeetings ? List.of(TEST_SECRET, DEV_SECRET) : List.of(TEST_SECRET), List.of(), "", "", 30),
                new Registry("jdbc:h2:mem:rt" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "", "", 15, 5),
                new Limits(5, 20, 60, 300), new Sip(false, "127.0.0.1", 5060, "127.0.0.1", "1000"), HttpTls.OFF,
                Recorder.DEFAULTS.withDir(System.getProperty("java.io.tmpdir") + "/roundtable-test-recordings-" + System.nanoTime()));
    }

    /** The development secret in reference.conf: public, so it must never verify tokens of a closed server. */
    public static final String DEV_SECRET = "roundtable-dev-secret-change-me";
    /** The tests' secret (the test constructor), never in a config file. */
    public static final String TEST_SECRET = "roundtable-test-secret-not-for-any-deployment";

    /**
     * Refuses a configuration that would let anyone mint tokens: a closed server (meetings.open = false)
     * whose HS256 secrets include the public development secret. Open development mode only warns.
     * @return a warning for the log, or null
     * @throws IllegalStateException with what to change
     */
    public String checkSecrets() {
        if (!auth.hs256Secrets().contains(DEV_SECRET)) return null;
        if (!openMeetings)
            throw new IllegalStateException("refusing to start: roundtable.auth.hs256-secrets holds the public development secret while "
                    + "roundtable.meetings.open = false, so anyone could sign a token; set your account system's secret or ES256 keys "
                    + "(ops/CONFIG.md, ops/production.conf)");
        return "DEVELOPMENT MODE: anyone can create meetings, and tokens signed with the public development secret are accepted. "
                + "Never expose this server; production configs set roundtable.meetings.open = false and their own secrets.";
    }

    public ServerConfig withRegistry(Registry r) { return new ServerConfig(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, r, limits, sip, httpTls, recorder, live, mixer); }
    public ServerConfig withLimits(Limits l) { return new ServerConfig(httpHost, httpPort, bridge, openMeetings, maxParticipants, auth, registry, l, sip, httpTls, recorder, live, mixer); }
    public ServerConfig withOpenMeetings(boolean open) { return new ServerConfig(httpHost, httpPort, bridge, open, maxParticipants, auth, registry, limits, sip, httpTls, recorder, live, mixer); }

    public static ServerConfig load(String file, Integer httpPort, Integer mediaPort) {
        Config c = ConfigFactory.defaultOverrides();
        if (file != null) c = c.withFallback(ConfigFactory.parseFile(new File(file)).resolve());
        c = c.withFallback(ConfigFactory.defaultReference()).resolve();
        Config r = c.getConfig("roundtable");
        BridgeConfig bc = BridgeConfig.fromConfig(r.getConfig("bridge"), mediaPort);
        Config a = r.getConfig("auth");
        Config m = r.getConfig("meetings");
        Config d = r.getConfig("db");
        Config l = r.getConfig("limits");
        Config sp = r.getConfig("sip");
        Config ht = r.getConfig("http.tls");
        HttpTls httpTls = new HttpTls(ht.getBoolean("enabled"), ht.getString("keystore"), ht.getString("keystore-password"));
        return new ServerConfig(r.getString("http.host"), httpPort != null ? httpPort : r.getInt("http.port"), bc,
                m.getBoolean("open"), m.getInt("max-participants"),
                new Auth(a.getStringList("hs256-secrets"), a.getStringList("es256-public-keys"), a.getString("issuer"),
                        a.getString("audience"), a.getLong("clock-skew-seconds")),
                new Registry(d.getString("url"), d.getString("user"), d.getString("password"), m.getInt("early-join-minutes"),
                        m.getInt("reminder-minutes")),
                new Limits(l.getInt("failures-per-source"), l.getInt("failures-per-meeting"), l.getInt("window-seconds"), l.getInt("lockout-seconds")),
                new Sip(sp.getBoolean("enabled"), sp.getString("bind-address"), sp.getInt("port"), sp.getString("advertised-address"), sp.getString("hotline"),
                        new Registrar(sp.getString("registrar"), sp.getInt("registrar-port"), transport(sp.getString("registrar-transport")),
                                sp.getString("user"), sp.getString("password"), sp.getInt("expires-seconds"), sp.getInt("keepalive-seconds")),
                        sp.getBoolean("offer-srtp"),
                        new Tls(sp.getInt("tls.port"), sp.getString("tls.keystore"), sp.getString("tls.keystore-password"),
                                sp.getString("tls.truststore"), sp.getString("tls.truststore-password"), sp.getBoolean("tls.verify-clients")),
                        sp.getInt("ivr-idle-seconds"), sp.getInt("dial-timeout-seconds"), sp.getStringList("trusted-peers"), sp.getInt("max-calls"),
                        sp.getString("rtp-latch"), sp.getString("callback-needs"), new DialOut(sp.getStringList("dial-out.allow"),
                                sp.getInt("dial-out.per-member-per-minute"), sp.getInt("dial-out.per-meeting-per-minute"))))
                .withHttpTls(httpTls).withRecorder(recorder(r.getConfig("recorder"))).withLive(live(r.getConfig("live")))
                .withMixer(org.roundtable.mixer.MixerConfig.fromConfig(r.getConfig("mixer")));
    }

    private static Live live(Config c) {
        return new Live(c.getBoolean("enabled"), c.getInt("segment-ms"), c.getInt("part-ms"), c.getInt("window-segments"), c.getInt("max-blocked-requests"));
    }

    private static Recorder recorder(Config c) {
        return new Recorder(c.getBoolean("enabled"), c.getString("dir"), c.getLong("min-free-mb"), c.getInt("retention-days"),
                c.getInt("width"), c.getInt("height"), c.getInt("fps"), c.getInt("video-kbps"), c.getInt("audio-kbps"),
                c.getString("layout"), c.getString("encoder"), c.getInt("sync-delay-ms"));
    }

    private static String transport(String t) {
        String v = t.toLowerCase(java.util.Locale.ROOT);
        if (!v.equals("udp") && !v.equals("tcp") && !v.equals("tls"))
            throw new IllegalArgumentException("roundtable.sip.registrar-transport: udp, tcp or tls, not " + t);
        return v;
    }
}
