package org.roundtable.signaling.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts the browsers the tests drive as the clients they stand for. In the field a member's browser
 * runs on their own machine; here it shares the 2 cores with the server, and Chromium as root raises its
 * own threads (nice -8 for presentation and compositing, real-time priority for audio). So a peer runs
 * without CAP_SYS_NICE (it cannot raise itself) at nice 0 ({@link #NICE}): on equal terms with the server.
 * A test of what the server makes from several members' media (a recording's composition under three
 * tabs with cameras and a share) puts them {@link #BEHIND} the server: the composition thread got 7 of
 * 400 ticks in a recording's 13 s beside boosted tabs, 20 beside tabs at nice 0, 305 beside tabs at
 * nice 10. A test that measures the browsers' own timing (capture, display) keeps them at 0: at nice 10
 * a file-fed camera's frames drifted 230 ms from its sound.
 * Thread: any.
 */
final class Peers {
    private Peers() {}

    /** The peers' nice value (RT_PEER_NICE=N in the environment to try another). */
    static final int NICE = niceFromEnvironment();
    /** Behind the server: it gets about nine times a peer's share of a busy core. */
    static final int BEHIND = 10;
    /**
     * Whether setpriv can drop CAP_SYS_NICE here (it needs CAP_SETPCAP: root, as the test command runs).
     * Without it a peer still starts at its nice value, and may raise itself.
     */
    static final boolean CAN_DROP = canDrop();

    private static final Map<String, Path> WRAPPERS = new ConcurrentHashMap<>();

    private static int niceFromEnvironment() {
        String v = System.getenv("RT_PEER_NICE");
        try {
            return v == null ? 0 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("RT_PEER_NICE must be a number, not '" + v + "'");
        }
    }

    private static boolean canDrop() {
        try {
            Process p = new ProcessBuilder("setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** cmd at {@link #NICE}, unable to raise itself. */
    static List<String> command(String... cmd) { return command(NICE, cmd); }

    /** cmd at the given nice value, unable to raise itself. */
    static List<String> command(int nice, String... cmd) {
        List<String> c = new ArrayList<>();
        if (CAN_DROP) c.addAll(List.of("setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice"));
        c.addAll(List.of("nice", "-n", String.valueOf(nice)));
        c.addAll(List.of(cmd));
        return c;
    }

    /**
     * An executable that runs binary as {@link #command(int, String...)} does, with the arguments it is
     * given (for tools that take a path, like Selenium's driver service). It is written under the module's
     * target/ (the tests' working directory), which is not mounted noexec as /tmp may be.
     */
    static Path wrapper(String binary, int nice) {
        return WRAPPERS.computeIfAbsent(binary + " " + nice, k -> {
            try {
                Path dir = Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir"));
                Path f = Files.createTempFile(dir.toAbsolutePath(), "rt-peer-", ".sh");
                StringBuilder sh = new StringBuilder("#!/bin/sh\nexec");
                for (String a : command(nice, binary)) sh.append(" '").append(a.replace("'", "'\\''")).append('\'');
                Files.writeString(f, sh.append(" \"$@\"\n").toString());
                f.toFile().setExecutable(true);
                f.toFile().deleteOnExit();
                return f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
