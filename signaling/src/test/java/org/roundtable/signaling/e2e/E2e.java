package org.roundtable.signaling.e2e;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;

/** Helpers shared by the end-to-end tests. */
public final class E2e {
    private E2e() {}

    /** A server on ephemeral ports, loopback only. */
    public static RoundtableServer server(boolean iceTcp) throws Exception {
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, iceTcp ? freeTcpPort() : 0, 2_500_000, false, 30_000, 10_000, 2);
        return new RoundtableServer(new ServerConfig("127.0.0.1", 0, b, true, 100)).start();
    }

    static int freeTcpPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) { return s.getLocalPort(); }
    }

    public static boolean waitFor(long timeoutMs, BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            try {
                if (cond.getAsBoolean()) return true;
            } catch (RuntimeException e) {
                // page not ready yet
            }
            Thread.sleep(100);
        }
        return cond.getAsBoolean();
    }

    public static long frames(Map<String, Object> p) { return ((Number) ((Map<?, ?>) p.get("video")).get("framesDecoded")).longValue(); }
    public static long audio(Map<String, Object> p) { return ((Number) ((Map<?, ?>) p.get("audio")).get("packetsReceived")).longValue(); }

    /** One sample's value from the server's /metrics, or -1. */
    public static double metric(RoundtableServer server, String sample) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1).trim());
        return -1;
    }

    public static void skipUnlessE2e() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("skip.e2e"), "e2e tests skipped (-Dskip.e2e=true)");
    }
}
