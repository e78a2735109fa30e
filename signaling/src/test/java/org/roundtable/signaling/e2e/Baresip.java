package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A headless baresip 1.0.0 phone (the shared harness's recipe: ausine 440 Hz source, aubridge sink),
 * run from the test resources' bob-config with a given account line and extra modules, remote-controlled
 * over ctrl_tcp. Needs the test namespace's 127.0.0.2 veth (baresip ignores loopback-only hosts).
 */
final class Baresip implements AutoCloseable {
    final Path dir;
    final Path log;
    private final Process process;
    private final int ctrlPort;

    /**
     * account: the accounts file's line; listen: sip_listen (address:port; TLS listens on port+1);
     * config: more lines for the config file (e.g. "sip_certificate /path/cert-and-key.pem");
     * extraModules: baresip modules to load as well (e.g. "srtp.so").
     */
    Baresip(String account, String listen, String config, String... extraModules) throws Exception {
        requireNamespace();
        dir = Files.createTempDirectory("rt-baresip");
        ctrlPort = E2e.freeTcpPort();
        String conf = resource("bob-config").replace("sip_listen\t\t127.0.0.1:5080", "sip_listen\t\t" + listen)
                .replace("ctrl_tcp_listen\t\t127.0.0.1:6080", "ctrl_tcp_listen\t\t127.0.0.1:" + ctrlPort);
        for (String m : extraModules) conf = conf.replace("module\t\t\tg711.so", "module\t\t\tg711.so\nmodule\t\t\t" + m);
        Files.writeString(dir.resolve("config"), conf + "\n" + config + "\n");
        Files.writeString(dir.resolve("accounts"), account + "\n");
        log = dir.resolve("baresip.log");
        process = new ProcessBuilder("baresip", "-f", dir.toString(), "-v").redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectOutput(log.toFile()).start();
    }

    static void requireNamespace() {
        if (System.getenv("RT_NETNS") == null) {
            assertNotEquals("true", System.getenv("CI"), "CI runs this inside the test namespace (ops/test.sh)");
            Assumptions.assumeTrue(false, "needs the test namespace: run ops/test.sh");
        }
    }

    static String resource(String name) throws Exception {
        try (var in = Baresip.class.getClassLoader().getResourceAsStream("sip/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    String log() {
        try { return Files.readString(log); } catch (Exception e) { return ""; }
    }

    boolean logs(String regex) { return Pattern.compile(regex).matcher(log()).find(); }

    /** Sends a ctrl_tcp command (netstring JSON), e.g. command("dial", "sip:...") or command("sndcode", "#"). */
    void command(String command, String params) throws Exception {
        String json = "{\"command\":\"" + command + "\",\"params\":\"" + params + "\",\"token\":\"t" + System.nanoTime() + "\"}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", ctrlPort)) {
            OutputStream out = s.getOutputStream();
            out.write((body.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.write(',');
            out.flush();
            s.setSoTimeout(3000);
            try { s.getInputStream().read(new byte[512]); } catch (java.net.SocketTimeoutException ignored) { /* no reply needed */ }
        }
    }

    /** The receive bitrate baresip prints with rtp_stats ("audio=<tx>/<rx> (bit/s)") has reached 1 kbit/s. */
    boolean receivesAudio() { return logs("audio=\\d+/[1-9]\\d{3,} \\(bit/s\\)"); }

    @Override public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
