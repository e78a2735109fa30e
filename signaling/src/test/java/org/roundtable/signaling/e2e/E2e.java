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
    public static RoundtableServer server(boolean iceTcp) throws Exception { return server(iceTcp, 30_000); }

    /** iceTimeoutMs: how long without ICE consent before an endpoint is closed. */
    public static RoundtableServer server(boolean iceTcp, int iceTimeoutMs) throws Exception {
        // media loops as the server runs on this machine (BridgeConfig.Tuning.loops: one per core), so
        // meetings, phone legs and ICE-TCP connections land on any loop; -Droundtable.test.media-loops=N overrides
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, iceTcp ? freeTcpPort() : 0, 2_500_000, false, iceTimeoutMs, 10_000, 2)
                .withTuning(BridgeConfig.Tuning.defaults().withMediaLoops(Integer.getInteger("roundtable.test.media-loops", 0)));
        return new RoundtableServer(new ServerConfig("127.0.0.1", 0, b, true, 100)).start();
    }

    static int freeTcpPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) { return s.getLocalPort(); }
    }

    /** A free UDP port on loopback (SIP and RTP peers). */
    public static int freeUdpPort() throws Exception {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) { return s.getLocalPort(); }
    }

    /** A server in open mode with the SIP gateway on a free loopback port (hotline 1000); its port is config.sip().port(). */
    public static RoundtableServer sipServer() throws Exception { return sipServer(s -> s); }

    /** The same, with the SIP settings changed (TLS, SRTP offers). */
    public static RoundtableServer sipServer(java.util.function.UnaryOperator<ServerConfig.Sip> sip) throws Exception {
        BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 4);
        for (int attempt = 0; ; attempt++) {
            // a port found free can be taken before the SIP stack binds it (UDP and TCP both): pick another
            RoundtableServer s = new RoundtableServer(new ServerConfig("127.0.0.1", 0, b, true, 100)
                    .withSip(sip.apply(new ServerConfig.Sip(true, "127.0.0.1", freeUdpPort(), "127.0.0.1", "1000"))));
            try {
                return s.start();
            } catch (Exception e) {
                s.close();
                if (attempt >= 3 || String.valueOf(e.getMessage()).indexOf("already in use") < 0) throw e;
            }
        }
    }

    /** A member as a tab's SDK lists it (members()), or null. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> member(WebClient b, String tab, String name) {
        List<Map<String, Object>> ms = (List<Map<String, Object>>) b.js(tab, "return window.roundtable.members();");
        return ms.stream().filter(m -> name.equals(m.get("name"))).findFirst().orElse(null);
    }

    /** What a tab receives from the member called name (its stats() entry), or null. */
    public static Map<String, Object> statsOf(WebClient b, String tab, String name) {
        return b.stats(tab).stream().filter(p -> name.equals(p.get("name"))).findFirst().orElse(null);
    }

    /** Whether tab receives more than packets audio packets from the member called name, with sound in them. */
    public static boolean hears(WebClient b, String tab, String name, int packets) {
        Map<String, Object> p = statsOf(b, tab, name);
        return p != null && audio(p) > packets && energy(p) > 0;
    }

    public static double energy(Map<String, Object> p) {
        return ((Number) ((Map<?, ?>) p.get("audio")).get("totalAudioEnergy")).doubleValue();
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
    /** Video RTP packets received from a member: what the server lets through (a receiver may still decode buffered frames). */
    public static long videoPackets(Map<String, Object> p) { return ((Number) ((Map<?, ?>) p.get("video")).get("packetsReceived")).longValue(); }
    public static long audio(Map<String, Object> p) { return ((Number) ((Map<?, ?>) p.get("audio")).get("packetsReceived")).longValue(); }

    /** One sample's value from the server's /metrics, or -1. */
    public static double metric(RoundtableServer server, String sample) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1).trim());
        return -1;
    }

    /** The first datagram (as text) that arrives on s within ms and matches; null if none. s needs a short SO_TIMEOUT. */
    public static String receive(java.net.DatagramSocket s, long ms, java.util.function.Predicate<String> wanted) throws java.io.IOException {
        byte[] buf = new byte[4096];
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
            try { s.receive(p); } catch (java.net.SocketTimeoutException e) { continue; }
            String text = new String(buf, 0, p.getLength(), java.nio.charset.StandardCharsets.UTF_8);
            if (wanted.test(text)) return text;
        }
        return null;
    }

    /** A SIP final response (not 1xx). */
    public static boolean isFinalResponse(String m) { return m.startsWith("SIP/2.0 ") && m.length() > 8 && m.charAt(8) != '1'; }

    /** Asserts that counter stops growing: sampled after a settle time, it stays the same for 2 s. */
    public static void assertStopped(java.util.function.LongSupplier counter, String what) throws InterruptedException {
        Thread.sleep(1500);
        long a = counter.getAsLong();
        Thread.sleep(2000);
        long c = counter.getAsLong();
        org.junit.jupiter.api.Assertions.assertTrue(a >= 0 && c == a, what + " stopped: " + a + " then " + c);
    }

    /** Asserts that counter grows by more than 3 within 8 s. */
    public static void assertFlows(java.util.function.LongSupplier counter, String what) throws InterruptedException {
        long a = counter.getAsLong();
        org.junit.jupiter.api.Assertions.assertTrue(waitFor(8000, () -> counter.getAsLong() > a + 3), what + " flows: " + a + " then " + counter.getAsLong());
    }

    public static void skipUnlessE2e() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("skip.e2e"), "e2e tests skipped (-Dskip.e2e=true)");
    }
}
