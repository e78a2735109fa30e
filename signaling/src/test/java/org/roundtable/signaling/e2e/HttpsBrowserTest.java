package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.roundtable.signaling.e2e.E2e.audio;
import static org.roundtable.signaling.e2e.E2e.frames;
import static org.roundtable.signaling.e2e.E2e.waitFor;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/**
 * The web client over HTTPS and WSS with the self-signed certificate the server makes at start-up
 * (Chromium told to accept it, as a user clicking through the warning would): the page is a secure
 * context, its signalling is wss, and two members see and hear each other. Plain HTTP to the port fails.
 */
class HttpsBrowserTest {
    @Test
    void membersMeetOverHttpsAndWss() throws Exception {
        E2e.skipUnlessE2e();
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 2);
        ServerConfig cfg = new ServerConfig("127.0.0.1", 0, b, true, 100).withHttpTls(new ServerConfig.HttpTls(true, "", ""));
        try (RoundtableServer server = new RoundtableServer(cfg).start(); Browser c = new Browser("--ignore-certificate-errors")) {
            assertTrue(server.url().startsWith("https://"), server.url());
            String base = server.url() + "?meeting=secure&autojoin=1&name=";
            String ann = c.open(base + "Ann");
            String bob = c.open(base + "Bob");
            for (String t : List.of(ann, bob)) assertTrue(waitFor(20_000, () -> "joined".equals(c.state(t))), "joined over HTTPS");
            assertEquals(Boolean.TRUE, c.js(ann, "return window.isSecureContext;"));
            assertTrue(((String) c.js(ann, "return window.roundtable.wsUrl;")).startsWith("wss://"));
            for (String t : List.of(ann, bob))
                assertTrue(waitFor(20_000, () -> c.stats(t).size() == 1 && frames(c.stats(t).get(0)) > 0 && audio(c.stats(t).get(0)) > 0),
                        "media flows: " + c.stats(t));
            java.net.http.HttpClient plain = java.net.http.HttpClient.newHttpClient();
            assertThrows(java.io.IOException.class, () -> plain.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.httpPort() + "/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()),
                    "no plain HTTP on the TLS port");
        }
    }
}
