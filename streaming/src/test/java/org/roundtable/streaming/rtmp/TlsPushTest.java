package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.streaming.rtmp.Synthetic.waitFor;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** rtmps: the push over TLS to a scripted server with a self-signed certificate for 127.0.0.1. */
class TlsPushTest {
    private static SSLContext server, client;
    private RtmpPush push;

    @BeforeAll static void certificate() throws Exception {
        Path dir = Files.createTempDirectory("rt-rtmps");
        Path ks = dir.resolve("server.p12");
        Process p = new ProcessBuilder("keytool", "-genkeypair", "-alias", "rtmp", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(ks.toFile())) { keys.load(in, "changeit".toCharArray()); }
        Files.delete(ks);
        Files.delete(dir);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("rtmp", keys.getCertificate("rtmp"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
    }

    @AfterEach void close() throws InterruptedException {
        if (push != null) {
            push.close();
            assertTrue(push.awaitStopped(Duration.ofSeconds(2)));
        }
    }

    @Test void publishesOverTls() throws Exception {
        try (FakeRtmpServer s = new FakeRtmpServer(FakeRtmpServer.Mode.PUBLISH, server.getServerSocketFactory())) {
            s.pings = 3;
            RtmpUrl url = RtmpUrl.parse("rtmps://127.0.0.1:" + s.port() + "/live/tls-key-1234");
            push = new RtmpPush(url, Synthetic.fast().withTls(client.getSocketFactory()), null, null);
            push.open(Synthetic.tracks());
            assertTrue(waitFor(Duration.ofSeconds(5), () -> push.state() == RtmpPush.State.LIVE), push.stats().toString());
            for (int i = 0; i < 30; i++) push.frame(Synthetic.video(i, 2000));
            assertTrue(waitFor(Duration.ofSeconds(5), () -> s.events.contains("video inter @966")), s.events.toString());
            assertTrue(waitFor(Duration.ofSeconds(5), () -> s.pongs.get() == 3), "pings answered over TLS");
            assertTrue(s.events.contains("video key @0"));
        }
    }

    @Test void anUntrustedCertificateIsAnErrorNotAHang() throws Exception {
        try (FakeRtmpServer s = new FakeRtmpServer(FakeRtmpServer.Mode.PUBLISH, server.getServerSocketFactory())) {
            push = new RtmpPush(RtmpUrl.parse("rtmps://127.0.0.1:" + s.port() + "/live/tls-key-1234"), Synthetic.fast(), null, null);
            push.open(Synthetic.tracks());
            assertTrue(waitFor(Duration.ofSeconds(5), () -> push.stats().reconnects() >= 1), push.stats().toString());
            assertTrue(push.stats().lastError().startsWith("TLS with 127.0.0.1: "), push.stats().lastError());
        }
    }
}
