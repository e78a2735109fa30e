package org.roundtable.signaling.meeting;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.roundtable.mixer.compose.Composition;
import org.roundtable.streaming.hls.HlsConfig;
import org.roundtable.streaming.hls.HlsRuntime;
import org.roundtable.streaming.hls.HlsStream;
import org.roundtable.streaming.live.LiveDirectory;
import org.roundtable.streaming.rtmp.RtmpMetrics;
import org.roundtable.streaming.rtmp.RtmpOptions;
import org.roundtable.streaming.rtmp.RtmpPush;
import org.roundtable.streaming.rtmp.RtmpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A meeting's live stream: the meeting's shared composition ({@link MeetingCompositions}: the same
 * encode as its recording) feeds the built-in LL-HLS stream at the live link ({@link LiveDirectory}: an
 * unguessable token, revocable) and each RTMP push a host asked for (a CDN, YouTube...). Pushes run on
 * threads of their own and reconnect by themselves; a push that fails never disturbs the others, the
 * HLS stream or the recording. Thread: the meeting's executor.
 */
final class MeetingLive {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingLive.class);
    static final int MAX_TARGETS = 8;

    private final MeetingCompositions compositions;
    private final LiveDirectory directory;
    private final HlsConfig hlsConfig;
    private final HlsRuntime runtime;
    private final RtmpOptions rtmpOptions;
    private final RtmpMetrics rtmpMetrics;
    private final MeetingEvents events;
    private final org.roundtable.signaling.registry.MeetingRegistry registry;
    private final java.util.function.LongSupplier clock;

    /** A live stream in progress: its link, its HLS stream and its pushes. */
    static final class Active {
        LiveDirectory.Channel channel;
        final HlsStream hls;
        final Composition.Output hlsOut;
        final Composition composition;
        final List<Target> targets = new ArrayList<>();
        final String by;
        final long startedMs;
        Active(LiveDirectory.Channel channel, HlsStream hls, Composition.Output hlsOut, Composition composition, String by, long startedMs) {
            this.channel = channel;
            this.hls = hls;
            this.hlsOut = hlsOut;
            this.composition = composition;
            this.by = by;
            this.startedMs = startedMs;
        }
    }

    record Target(String url, RtmpPush push, Composition.Output out) {}

    MeetingLive(MeetingCompositions compositions, LiveDirectory directory, HlsConfig hlsConfig, HlsRuntime runtime,
                RtmpOptions rtmpOptions, RtmpMetrics rtmpMetrics, MeetingEvents events,
                org.roundtable.signaling.registry.MeetingRegistry registry, java.util.function.LongSupplier clock) {
        this.events = events;
        this.registry = registry;
        this.clock = clock;
        this.compositions = compositions;
        this.directory = directory;
        this.hlsConfig = hlsConfig;
        this.runtime = runtime;
        this.rtmpOptions = rtmpOptions;
        this.rtmpMetrics = rtmpMetrics;
    }

    /**
     * A host's live command on m (cmd null: the host's view): start (or add pushes), stop or revoke;
     * every member hears of a change. Returns the host's view. On exec.
     */
    ObjectNode command(Meeting m, HostCommand cmd, String by, List<String> rtmp) throws SignalingException {
        if (cmd != null) {
            switch (cmd) {
                case START_LIVE -> {
                    boolean was = m.live != null;
                    start(m, by, subjectOf(m), rtmp, clock.getAsLong());
                    if (!was) event(m, by);
                }
                case STOP_LIVE -> {
                    if (stop(m) != null) event(m, by);
                }
                case REVOKE_LIVE_LINK -> {
                    revoke(m);
                    event(m, by);
                }
                default -> throw new IllegalArgumentException(cmd.wire);
            }
        }
        return m.live == null ? off() : hostView(m.live, newObject());
    }

    /** A scheduled meeting with the live flag goes live when it starts (its first member enters), once. On exec. */
    void whenEntered(Meeting m) {
        if (!m.registry || m.liveStarted) return;
        m.liveStarted = true;
        boolean flagged = registry.find(m.id).map(org.roundtable.signaling.registry.MeetingRecord::liveStream).orElse(false);
        if (!flagged || m.live != null) return;
        try {
            start(m, "schedule", subjectOf(m), List.of(), clock.getAsLong());
            event(m, "schedule");
        } catch (SignalingException e) {
            LOG.warn("meeting {}: the scheduled live stream did not start: {}", m.id, e.getMessage());
        }
    }

    /** Tells every member where the live stream stands: {on, by, link, hls, qr}. On exec. */
    private void event(Meeting m, String by) {
        ObjectNode ev = events.event("live");
        ev.put("on", m.live != null);
        if (by != null) ev.put("by", by);
        if (m.live != null) links(m.live, ev);
        events.broadcast(m, ev, null);
    }

    /** A registry meeting's subject (for the viewer page), or its id. */
    private String subjectOf(Meeting m) {
        if (!m.registry) return m.id;
        return registry.find(m.id).map(r -> r.subject() == null || r.subject().isBlank() ? m.id : r.subject()).orElse(m.id);
    }

    /** The host's view when nothing is live. */
    static ObjectNode off() {
        ObjectNode o = newObject();
        o.put("on", false);
        return o;
    }

    /**
     * Starts m's stream (or, when it runs, adds the push targets it does not have yet). URLs are checked
     * before anything starts: one bad URL refuses them all. On exec.
     */
    private Active start(Meeting m, String by, String subject, List<String> rtmp, long nowMs) throws SignalingException {
        List<RtmpUrl> urls = new ArrayList<>();
        for (String u : rtmp) {
            try {
                urls.add(RtmpUrl.parse(u));
            } catch (IllegalArgumentException e) {
                throw new SignalingException("bad_rtmp_url", 400, e.getMessage());
            }
        }
        Active a = m.live;
        if (a == null) {
            Composition c = compositions.acquire(m);
            HlsStream hls = new HlsStream(hlsConfig, runtime);
            Composition.Output out;
            try {
                out = c.live(hls);
            } catch (Exception e) {
                hls.close();
                compositions.release(m);
                LOG.warn("meeting {}: the live stream did not start: {}", m.id, e.toString());
                throw new SignalingException("live_failed", 500, "the live stream did not start: " + e.getMessage());
            }
            LiveDirectory.Channel ch = directory.open(m.id, subject);
            directory.live(ch, hls);
            a = new Active(ch, hls, out, c, by, nowMs);
            m.live = a;
            LOG.info("meeting {}: live at /live/{}... (by {})", m.id, ch.token.substring(0, 4), by);
        }
        for (int i = 0; i < urls.size(); i++) {
            String url = rtmp.get(i);
            if (a.targets.stream().anyMatch(t -> t.url.equals(url))) continue;
            if (a.targets.size() >= MAX_TARGETS) throw new SignalingException("too_many_targets", 400, "at most " + MAX_TARGETS + " RTMP targets");
            Composition c = a.composition;
            RtmpPush push = new RtmpPush(urls.get(i), rtmpOptions, c::requestKeyFrame, rtmpMetrics);
            try {
                a.targets.add(new Target(url, push, c.live(push)));
            } catch (Exception e) {
                push.close();
                throw new SignalingException("live_failed", 500, "cannot push to " + urls.get(i) + ": " + e.getMessage());
            }
            LOG.info("meeting {}: pushing to {}", m.id, urls.get(i));
        }
        return a;
    }

    /** Ends m's stream: the pushes close, the playlist ends (viewers are told), the link answers "ended". On exec. */
    Active stop(Meeting m) {
        Active a = m.live;
        if (a == null) return null;
        m.live = null;
        for (Target t : a.targets) {
            try { t.out.stop(); } catch (Exception e) { LOG.warn("meeting {}: stopping the push to {}: {}", m.id, t.push.url(), e.toString()); }
        }
        // closes the HLS stream on the composition thread (its playlist ends: viewers are told)
        try { a.hlsOut.stop(); } catch (Exception e) { LOG.warn("meeting {}: stopping HLS: {}", m.id, e.toString()); }
        directory.end(a.channel);
        compositions.release(m);
        LOG.info("meeting {}: live stream ended", m.id);
        return a;
    }

    /** Revokes the live link: the old token gets 403, the stream goes on under a new one. On exec. */
    Active revoke(Meeting m) throws SignalingException {
        Active a = m.live;
        if (a == null) throw new SignalingException("bad_state", 409, "the meeting is not live");
        a.channel = directory.revoke(a.channel);
        return a;
    }

    /** The links everyone may see: {link, hls, qr} (paths on this server). */
    static ObjectNode links(Active a, ObjectNode into) {
        String base = "/live/" + a.channel.token;
        into.put("link", base);
        into.put("hls", base + "/index.m3u8");
        into.put("qr", base + "/qr.png");
        return into;
    }

    /** The host's view: the links, who started it, viewers, bytes served, and each push's state. */
    static ObjectNode hostView(Active a, ObjectNode into) {
        links(a, into);
        into.put("on", true);
        into.put("by", a.by);
        into.put("startedAt", a.startedMs);
        into.put("viewers", a.hls.stats().viewers());
        into.put("bytes", a.hls.stats().bytesServed());
        ArrayNode ts = into.putArray("targets");
        for (Target t : a.targets) {
            RtmpPush.Stats s = t.push.stats();
            ObjectNode o = ts.addObject();
            o.put("url", t.push.url().toString());
            o.put("state", s.state().name().toLowerCase());
            o.put("reconnects", s.reconnects());
            o.put("bytes", s.bytesSent());
            o.put("framesDropped", s.framesDropped());
            if (s.lastError() != null) o.put("error", s.lastError());
        }
        return into;
    }

    static ObjectNode newObject() { return JsonNodeFactory.instance.objectNode(); }
}
