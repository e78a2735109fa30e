package org.roundtable.signaling.e2e;

import java.util.List;
import java.util.Map;

/**
 * A real browser whose tabs are meeting members: Chromium over Selenium ({@link Browser}) or Firefox ESR
 * over WebDriver BiDi ({@link Firefox}). Scripts are function bodies as in Selenium's executeScript
 * ({@code return ...;}, {@code arguments[i]}); async ones call {@code arguments[arguments.length-1]}.
 */
public interface WebClient extends AutoCloseable {
    /** Opens url in a new tab (the first call reuses the initial one) and returns the tab's handle. */
    String open(String url);

    Object js(String tab, String script, Object... args);

    Object jsAsync(String tab, String script, Object... args);

    void closeTab(String tab);

    default String state(String tab) { return (String) js(tab, "return window.roundtable ? window.roundtable.state : null;"); }

    /** The SDK's stats() of one tab: participant id -> {name, audio.packetsReceived, video.framesDecoded}. */
    @SuppressWarnings("unchecked")
    default List<Map<String, Object>> stats(String tab) {
        Map<String, Object> r = (Map<String, Object>) jsAsync(tab,
                "const cb = arguments[arguments.length-1]; window.roundtable.stats().then(cb, e => cb({error: String(e)}));");
        if (r.containsKey("error")) throw new IllegalStateException("stats() failed: " + r.get("error"));
        return (List<Map<String, Object>>) r.get("participants");
    }

    /** The whole stats() result of one tab (participants and content). */
    @SuppressWarnings("unchecked")
    default Map<String, Object> fullStats(String tab) {
        return (Map<String, Object>) jsAsync(tab,
                "const cb = arguments[arguments.length-1]; window.roundtable.stats().then(cb, e => cb({error: String(e)}));");
    }

    /** Frames of shared content the tab decodes (stats().content.framesDecoded). */
    default long contentFrames(String tab) {
        Object c = fullStats(tab).get("content");
        return c instanceof Map<?, ?> m && m.get("framesDecoded") instanceof Number n ? n.longValue() : 0;
    }

    /** The protocol ("udp" or "tcp") of the tab's selected ICE candidate pair, or null before one is selected. */
    default String transport(String tab) {
        return (String) jsAsync(tab, "const cb = arguments[arguments.length-1]; window.roundtable.pc.getStats().then(r => {"
                + " let pair = null;"
                + " r.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = r.get(s.selectedCandidatePairId); });"
                + " if (!pair) r.forEach(s => { if (s.type === 'candidate-pair' && s.selected) pair = s; });"
                + " const lc = pair && r.get(pair.localCandidateId);"
                + " cb(lc ? String(lc.protocol || lc.transport).toLowerCase() : null); }, e => cb(null));");
    }

    /** The codecs ("video/H264", "video/VP8", ...) of every video stream the tab decodes frames from, sorted. */
    @SuppressWarnings("unchecked")
    default List<String> videoCodecsDecoded(String tab) {
        return (List<String>) jsAsync(tab, "const cb = arguments[arguments.length-1]; window.roundtable.pc.getStats().then(r => {"
                + " const o = []; r.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0 && s.codecId && r.get(s.codecId))"
                + " o.push(r.get(s.codecId).mimeType); }); cb(o.sort()); }, e => cb([]));");
    }

    @Override void close();
}
