package org.roundtable.mixer;

import java.util.Set;

/**
 * The in-call DTMF codes of SPEC §4 that are ours: {@code *7} mute myself, {@code *8} unmute myself,
 * {@code #7} start and {@code #9} stop recording, {@code *45}/{@code *46} 1:1 recording, {@code *44}
 * call flip. A code starts with * or #; keys that cannot complete one of ours (PBX codes such as
 * {@code *66*123}, {@code *97*5}, {@code *0}) are ignored without error, and a code left unfinished for
 * 3 s is dropped. Thread: one per phone leg, on its media thread.
 */
public final class InCallCodes {
    public static final Set<String> CODES = Set.of("*7", "*8", "#7", "#9", "*45", "*46", "*44");
    private static final long TIMEOUT_MS = 3000;
    private final StringBuilder pending = new StringBuilder();
    private long lastKeyMs;

    /** Feeds one key; returns a completed code of ours, or null. */
    public String key(char k, long nowMs) {
        if (pending.length() > 0 && nowMs - lastKeyMs > TIMEOUT_MS) pending.setLength(0);
        lastKeyMs = nowMs;
        if (k == '*' || k == '#') {
            pending.setLength(0);
            pending.append(k);
            return null;
        }
        if (pending.length() == 0) return null;             // a digit outside any code (e.g. after a PBX code)
        pending.append(k);
        String s = pending.toString();
        if (CODES.contains(s)) { pending.setLength(0); return s; }
        for (String c : CODES) if (c.startsWith(s)) return null; // may still become ours
        pending.setLength(0);                                // not ours: leave it to the PBX
        return null;
    }
}
