package org.roundtable.mixer;

/**
 * The audio mixer's settings, read once from {@code roundtable.mixer} (this module's reference.conf under
 * what the operator set).
 * @param speakers voices mixed at once: the loudest this many (1..16)
 * @param opusComplexity the Opus encoder's complexity for the mixes (0..10)
 */
public record MixerConfig(int speakers, int opusComplexity) {
    public static final MixerConfig DEFAULTS = new MixerConfig(AudioMixer.DEFAULT_SPEAKERS, 5);

    public MixerConfig {
        if (speakers < 1 || speakers > 16) throw new IllegalArgumentException("speakers must be 1..16, not " + speakers);
        if (opusComplexity < 0 || opusComplexity > 10) throw new IllegalArgumentException("opus-complexity must be 0..10, not " + opusComplexity);
    }

    /** c: the {@code roundtable.mixer} block. */
    public static MixerConfig fromConfig(com.typesafe.config.Config c) {
        return new MixerConfig(c.getInt("speakers"), c.getInt("opus-complexity"));
    }

    /** A mixer with these settings (not started). */
    public AudioMixer newMixer() { return new AudioMixer(speakers, opusComplexity); }
}
