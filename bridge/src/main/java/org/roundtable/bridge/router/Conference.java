package org.roundtable.bridge.router;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A meeting's media router (mediasoup's Router): the sources published in it, and who subscribes to
 * them. Changes happen on the media loop; {@link #sources()} is a snapshot other threads may read.
 * Listeners hear about source changes (on the media loop) so signalling can renegotiate receivers.
 */
public final class Conference {
    public final String id;
    private final List<MediaSource> sources = new ArrayList<>();
    private volatile List<MediaSource> snapshot = List.of();
    private final List<Consumer<Conference>> listeners = new CopyOnWriteArrayList<>();

    public Conference(String id) { this.id = id; }

    public void addListener(Consumer<Conference> l) { listeners.add(l); }

    void addSource(MediaSource s) {
        sources.add(s);
        changed();
    }

    void removeSource(MediaSource s) {
        if (sources.remove(s)) {
            s.close();
            changed();
        }
    }

    public boolean hasSource(MediaSource s) { return sources.contains(s); }

    /** Immutable snapshot, readable from any thread. */
    public List<MediaSource> sources() { return snapshot; }

    /** Subscribes a non-WebRTC sink (mixer, recorder, stream output). Media loop only. */
    public void subscribe(MediaSource s, Subscription sub) { if (sources.contains(s)) s.addSubscription(sub); }

    public void unsubscribe(MediaSource s, Subscription sub) { s.removeSubscription(sub); }

    private void changed() {
        snapshot = List.copyOf(sources);
        for (Consumer<Conference> l : listeners) l.accept(this);
    }
}
