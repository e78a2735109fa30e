package org.roundtable.signaling.sip;

/** The IVR's spoken prompts (8 kHz µ-law, made by ops/make-prompts.sh). Thread-safe. */
public final class Prompts {
    private Prompts() {}

    /** A prompt's bytes, or an empty array if it is missing. */
    public static byte[] get(String name) { return IvrCall.prompt(name); }

    /** How long a prompt plays (8,000 bytes a second). */
    public static long lengthMs(String name) { return get(name).length / 8; }
}
