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

    Kamailio() throws Exception { this(null); }

    /**
     * tlsPem: a PEM file with a certificate and its key: kamailio then also listens for SIP over TLS on
     * 127.0.0.1:5061 and accepts the gateway's registration only over TLS. null: UDP and TCP only.
     */
    Kamailio(Path tlsPem) throws Exception {
        Baresip.requireNamespace();
        dir = Files.createTempDirectory("rt-pbx");
        Path cfg = dir.resolve("kamailio.cfg");
        String conf = Baresip.resource("kamailio.cfg");
        if (tlsPem != null) {
            Path tls = dir.resolve("tls.cfg");
            Files.writeString(tls, "[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n"
                    + "private_key = " + tlsPem + "\ncertificate = " + tlsPem + "\n"
                    + "[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n");
            conf = replace(conf, "listen=tcp:127.0.0.1:5060\n", "listen=tcp:127.0.0.1:5060\nlisten=tls:127.0.0.1:5061\nenable_tls=yes\n");
            conf = replace(conf, "loadmodule \"auth.so\"\n", "loadmodule \"auth.so\"\nloadmodule \"tls.so\"\nmodparam(\"tls\", \"config\", \"" + tls + "\")\n");
            conf = replace(conf, "    if (is_method(\"REGISTER\")) {\n",
                    "    if (is_method(\"REGISTER\")) {\n        if ($fU == \"roundtable\" && $pr != \"tls\") { sl_send_reply(\"403\", \"TLS only\"); exit; }\n");
        }
        Files.writeString(cfg, conf);
        Files.createDirectories(dir.resolve("run"));
        process = new ProcessBuilder("kamailio", "-f", cfg.toString(), "-DD", "-E", "-Y", dir.resolve("run").toString(),
                "-P", dir.resolve("kamailio.pid").toString()).redirectErrorStream(true).redirectOutput(dir.resolve("kamailio.log").toFile()).start();
        Thread.sleep(1500);
        assertTrue(process.isAlive(), () -> "kamailio runs: " + log() + "\nsockets and processes:\n" + diagnostics());
    }

    private static String replace(String text, String what, String with) {
        assertTrue(text.contains(what), "kamailio.cfg has " + what);
        return text.replace(what, with);
    }

    /** Who holds the SIP port, and which kamailio processes exist (when kamailio cannot start). */
    static String diagnostics() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "ss -tuanp | grep -E ':5060 ' ; ps -eo pid,ppid,etimes,args | grep -E '[k]amailio'")
                    .redirectErrorStream(true).start();
            p.waitFor(5, TimeUnit.SECONDS);
            return new String(p.getInputStream().readAllBytes());
        } catch (Exception e) {
            return e.toString();
        }
    }

    String log() {
        try { return Files.readString(dir.resolve("kamailio.log")); } catch (Exception e) { return ""; }
    }

    /** Stops kamailio and every process it forked (its workers hold the SIP sockets): none may outlive the test. */
    @Override public void close() throws Exception {
        java.util.List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        process.destroy();
        if (!process.waitFor(2, TimeUnit.SECONDS)) all.forEach(ProcessHandle::destroyForcibly);
        long end = System.currentTimeMillis() + 5000;
        for (ProcessHandle h : all) {
            if (h.isAlive()) h.destroyForcibly();
            while (h.isAlive() && System.currentTimeMillis() < end) Thread.sleep(20);
        }
    }
}
