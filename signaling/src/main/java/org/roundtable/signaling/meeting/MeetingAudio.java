package org.roundtable.signaling.meeting;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.roundtable.bridge.Bridge;
import org.roundtable.bridge.router.Conference;
import org.roundtable.bridge.router.MediaKind;
import org.roundtable.bridge.router.MediaSource;
import org.roundtable.mixer.AudioCodec;
import org.roundtable.mixer.AudioMixer;

/**
 * A meeting's audio mix for members who cannot take one stream per member (phones). Created when the
 * first phone joins: the mixer subscribes to every audio source in the conference, as they come and go,
 * as an ordinary subscriber; each phone is a listener hearing everyone but itself.
 * Thread: sync() on the meeting's executor (it hops to the media loop to subscribe); the mix on the ticker.
 */
final class MeetingAudio implements AutoCloseable, org.roundtable.mixer.compose.AudioTimes {
    final AudioMixer mixer;
    private final Bridge bridge;
    private final Conference conference;
    /** Written on the meeting's executor, read by the recording's composition (lip sync). */
    private final Map<MediaSource, AudioMixer.Input> inputs = new java.util.concurrent.ConcurrentHashMap<>();
    private final ThreadLocal<long[]> mixed = ThreadLocal.withInitial(() -> new long[2]);

    MeetingAudio(Bridge bridge, Conference conference, ScheduledExecutorService ticker, org.roundtable.mixer.MixerConfig config) {
        this.mixer = config.newMixer();
        this.bridge = bridge;
        this.conference = conference;
        mixer.start(ticker);
    }

    static AudioCodec.Kind codecOf(MediaSource s) {
        return switch (s.codec) {
            case PCMU -> AudioCodec.Kind.PCMU;
            case PCMA -> AudioCodec.Kind.PCMA;
            case G722 -> AudioCodec.Kind.G722;
            default -> AudioCodec.Kind.OPUS;
        };
    }

    /** Follows the conference's audio sources. On the meeting's executor. */
    void sync() {
        List<MediaSource> now = conference.sources();
        Set<MediaSource> audio = new HashSet<>();
        for (MediaSource s : now) if (s.kind == MediaKind.AUDIO && !s.content) audio.add(s);
        for (MediaSource s : audio) {
            if (inputs.containsKey(s)) continue;
            AudioMixer.Input in = mixer.addInput(s.ownerId, codecOf(s), s.audioLevelExtId);
            inputs.put(s, in);
            conference.execute(() -> conference.subscribe(s, in));
        }
        for (MediaSource s : new HashSet<>(inputs.keySet())) {
            if (audio.contains(s)) continue;
            AudioMixer.Input in = inputs.remove(s);
            mixer.removeInput(in);
            conference.execute(() -> conference.unsubscribe(s, in));
        }
    }

    /** Where owner's microphone is in the mix: its capture time on the sender's clock, and when it was mixed. Any thread. */
    @Override public boolean voice(String ownerId, double[] out) {
        long[] m = mixed.get();
        for (Map.Entry<MediaSource, AudioMixer.Input> e : inputs.entrySet()) {
            MediaSource s = e.getKey();
            if (!s.ownerId.equals(ownerId) || s.content || !s.senderClock.known()) continue;
            if (!e.getValue().mixed(m)) continue;
            out[0] = s.senderClock.captureMs(m[0]);
            out[1] = m[1];
            return true;
        }
        return false;
    }

    @Override public void close() {
        mixer.close();
        for (Map.Entry<MediaSource, AudioMixer.Input> e : inputs.entrySet()) {
            MediaSource s = e.getKey();
            AudioMixer.Input in = e.getValue();
            conference.execute(() -> conference.unsubscribe(s, in));
        }
        inputs.clear();
    }
}
