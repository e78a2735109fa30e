package org.roundtable.bridge.router;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A meeting's media router (mediasoup's Router): the sources published in it, and who subscribes to
 * them. A conference and all its endpoints live on one media loop ({@link #host}, as a mediasoup Router
 * lives in one Worker); "the media loop" below means that one. Changes happen there; {@link #sources()}
 * is a snapshot other threads may read. Other threads hand work to it with {@link #execute}/{@link #call}.
 * Listeners hear about source changes (on the media loop) so signalling can renegotiate receivers.
 */
public final class Conference {
    public final String id;
    private final List<MediaSource> sources = new ArrayList<>();
    private volatile List<MediaSource> snapshot = List.of();
    private final List<Consumer<Conference>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> speakerListeners = new CopyOnWriteArrayList<>();
    private String dominant;
    private String candidate;
    private int candidateTicks;

    /** Endpoints that have negotiated, for the video codec every member can receive. Media loop only. */
    private final java.util.Set<Endpoint> members = new java.util.LinkedHashSet<>();

    /** The media loop this conference runs on; null for a test's conference, whose caller is its loop. */
    private final EndpointHost host;

    public Conference(String id) { this(id, null); }

    public Conference(String id, EndpointHost host) {
        this.id = id;
        this.host = host;
    }

    /** The media loop this conference and its endpoints run on (null: the caller's thread, in tests). */
    public EndpointHost host() { return host; }

    /** Whether the calling thread is this conference's media loop. */
    public boolean inLoop() { return host == null || host.inLoop(); }

    /** Runs r on this conference's media loop (from any thread; at once when there is no loop). */
    public void execute(Runnable r) {
        if (host == null) r.run();
        else host.execute(r);
    }

    /** Runs task on this conference's media loop and waits (10 s at most) for its result. */
    public <T> T call(java.util.concurrent.Callable<T> task) throws Exception {
        if (inLoop()) return task.call();
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        host.execute(() -> {
            try { f.complete(task.call()); } catch (Throwable t) { f.completeExceptionally(t); }
        });
        try {
            return f.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    void negotiated(Endpoint e) { members.add(e); }

    void closed(Endpoint e) { members.remove(e); }

    /** Endpoints that negotiated and are not closed. Media loop only. */
    public int memberCount() { return members.size(); }

    /**
     * Whether every member but except can receive video in codec ("VP8", "H264"): a sender publishes in
     * the preferred codec only then, so nobody misses its camera (an SFU does not transcode). Members whose
     * offers had no video section yet do not count. Media loop only.
     */
    public boolean everyoneReceives(String codec, Endpoint except) {
        for (Endpoint e : members) if (e != except && !e.canReceiveVideo(codec)) return false;
        return true;
    }

    /**
     * e's offer cannot receive some codec: every publisher of video in it that could send another is asked
     * to renegotiate, and its next answer picks a codec all receive. Media loop only.
     */
    void receiverCapabilitiesChanged(Endpoint e) {
        for (Endpoint pub : members) if (pub != e && pub.publishesVideoOthersCannotReceive()) pub.renegotiationNeeded();
    }

    public void addListener(Consumer<Conference> l) { listeners.add(l); }

    /** Hears the dominant speaker's owner id (or null for silence), on the media loop. */
    public void addSpeakerListener(Consumer<String> l) { speakerListeners.add(l); }

    public String dominantSpeaker() { return dominant; }

    /**
     * Dominant speaker detection from RFC 6464 levels, run every 200 ms on the media loop: the most active
     * unpaused audio source (see {@link MediaSource#loudness}) above a floor becomes dominant after 2
     * consecutive ticks (400 ms), so a cough does not steal the stage; silence for 10 ticks (2 s) clears it.
     */
    public void detectSpeaker(long nowMs) {
        MediaSource loudest = null;
        double best = 150; // more than one loud packet in the window
        for (MediaSource s : sources) {
            if (s.kind != MediaKind.AUDIO) continue;
            double l = s.loudness(nowMs);
            if (l > best) { best = l; loudest = s; }
        }
        String who = loudest == null ? null : loudest.ownerId;
        if (java.util.Objects.equals(who, candidate)) candidateTicks++;
        else { candidate = who; candidateTicks = 1; }
        boolean change = !java.util.Objects.equals(who, dominant) && (who != null ? candidateTicks >= 2 : candidateTicks >= 10);
        if (change) {
            dominant = who;
            for (Consumer<String> l : speakerListeners) l.accept(who);
        }
    }

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

    /**
     * Publishes a source that is not a WebRTC endpoint's (a phone leg, the mixer's output): it is routed
     * like any other. Media loop only; feed it with {@link MediaSource#route}.
     */
    public void addExternalSource(MediaSource s) { addSource(s); }

    public void removeExternalSource(MediaSource s) { removeSource(s); }

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
