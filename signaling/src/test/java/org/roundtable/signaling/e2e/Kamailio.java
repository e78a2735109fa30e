package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The test PBX: kamailio as registrar and record-routing proxy on 127.0.0.1:5060 (UDP and TCP), with
 * digest authentication for the gateway (roundtable / trunk-secret). Test resource sip/kamailio.cfg.
 */
final class Kamailio implements AutoCloseable {
    final Path dir;
    private final Process process;

    Kamailio() throws Exception {
        Baresip.requireNamespace();
        dir = Files.createTempDirectory("rt-pbx");
        Path cfg = dir.resolve("kamailio.cfg");
        Files.writeString(cfg, Baresip.resource("kamailio.cfg"));
        Files.createDirectories(dir.resolve("run"));
        process = new ProcessBuilder("kamailio", "-f", cfg.toString(), "-DD", "-E", "-Y", dir.resolve("run").toString(),
                "-P", dir.resolve("kamailio.pid").toString()).redirectErrorStream(true).redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        Thread.sleep(1500);
        assertTrue(process.isAlive(), "kamailio runs: " + log());
    }

    String log() {
        try { return Files.readString(dir.resolve("kamailio.log")); } catch (Exception e) { return ""; }
    }

    @Override public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
