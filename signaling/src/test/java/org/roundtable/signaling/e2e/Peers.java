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
    static final int NICE = System.getenv("RT_PEER_NICE") == null ? 0 : Integer.parseInt(System.getenv("RT_PEER_NICE"));
    /** Behind the server: it gets about nine times a peer's share of a busy core. */
    static final int BEHIND = 10;

    private static final Map<String, Path> WRAPPERS = new ConcurrentHashMap<>();

    /** cmd, run as a peer (behind the server). */
    static List<String> command(String... cmd) { return command(NICE, cmd); }

    /** cmd at the given nice value, unable to raise itself. */
    static List<String> command(int nice, String... cmd) {
        List<String> c = new ArrayList<>(List.of("setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice", "nice", "-n", String.valueOf(nice)));
        c.addAll(List.of(cmd));
        return c;
    }

    /** An executable that runs binary at the given nice value, unable to raise itself, with the arguments it is given (for tools that take a path, like Selenium's driver service). */
    static Path wrapper(String binary, int nice) {
        return WRAPPERS.computeIfAbsent(binary + " " + nice, k -> {
            try {
                Path f = Files.createTempFile("rt-peer-", ".sh");
                Files.writeString(f, "#!/bin/sh\nexec " + String.join(" ", command(nice, binary)) + " \"$@\"\n");
                f.toFile().setExecutable(true);
                f.toFile().deleteOnExit();
                return f;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
