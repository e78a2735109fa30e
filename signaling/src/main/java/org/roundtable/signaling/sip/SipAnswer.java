package org.roundtable.signaling.sip;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.roundtable.bridge.sdp.Sdp;

/**
 * What a phone's audio offer (or a callee's answer) gives us, by the rules: the codec we take (Opus,
 * then G.722, then G.711 in the caller's order), kept with the offered payload type number, clock rate,
 * channels and fmtp (RFC 3264 section 6.1); the telephone-event whose clock rate matches that codec's
 * (RFC 4733 section 2.1: telephone-event/48000 with Opus, /8000 with G.711 and G.722), the one we answer;
 * every telephone-event offered, whose keys we understand too (a phone may send on any of them); and
 * where the phone wants RTCP (rtcp-mux, an a=rtcp line, or RTP port + 1).
 * We answer one telephone-event only: some phones that get two in an answer send on the wrong one.
 * Thread: any; immutable once built.
 */
final class SipAnswer {
    /** The codec chosen, or null when there is none in common. */
    final Sdp.Codec codec;
    /** The telephone-event answered (matching the codec's clock where offered), or null. */
    final Sdp.Codec event;
    /** Every telephone-event offered. */
    final List<Sdp.Codec> events;
    final boolean rtcpMux;
    /** The remote's RTCP address from a=rtcp, or null (then RTP port + 1). */
    final InetSocketAddress remoteRtcp;

    private SipAnswer(Sdp.Codec codec, Sdp.Codec event, List<Sdp.Codec> events, boolean rtcpMux, InetSocketAddress remoteRtcp) {
        this.codec = codec; this.event = event; this.events = events; this.rtcpMux = rtcpMux; this.remoteRtcp = remoteRtcp;
    }

    /** Reads an audio section; sdpText is the whole SDP (for a=rtcp, which the parser leaves out), sdp its parse. */
    static SipAnswer of(String sdpText, Sdp sdp, Sdp.Media audio) {
        Sdp.Codec codec = null;
        int best = 0;
        List<Sdp.Codec> events = new ArrayList<>();
        for (Sdp.Codec c : audio.codecs) {
            String name = c.name != null ? c.name : c.pt == 0 ? "PCMU" : c.pt == 8 ? "PCMA" : c.pt == 9 ? "G722" : null;
            if (c.name == null) c.name = name;
            if (c.clockRate <= 0 && name != null && c.pt < 96) c.clockRate = 8000;   // static types without rtpmap (RFC 3551)
            int rank = "OPUS".equals(name) ? 3 : "G722".equals(name) ? 2 : "PCMU".equals(name) || "PCMA".equals(name) ? 1 : 0;
            if (rank > best) { best = rank; codec = c; }
            if ("TELEPHONE-EVENT".equals(c.name)) events.add(c);
        }
        Sdp.Codec event = codec == null ? null : matchingEvent(events, clockOf(codec));
        return new SipAnswer(codec, event, List.copyOf(events), audio.rtcpMux, rtcpAddress(sdpText, sdp, audio));
    }

    /** The codec's RTP clock rate: as offered, else the static type's (8000; G.722's RTP clock is 8000 too). */
    static int clockOf(Sdp.Codec c) {
        if (c.clockRate > 0) return c.clockRate;
        return "OPUS".equals(c.name) ? 48000 : 8000;
    }

    /** The telephone-event at the codec's clock rate; else the one at 8000; else the first; null if none. */
    static Sdp.Codec matchingEvent(List<Sdp.Codec> events, int clock) {
        for (Sdp.Codec e : events) if (clockOf(e) == clock) return e;
        for (Sdp.Codec e : events) if (clockOf(e) == 8000) return e;
        return events.isEmpty() ? null : events.get(0);
    }

    /** Payload types of every telephone-event offered. */
    int[] eventPts() { return events.stream().mapToInt(e -> e.pt).toArray(); }

    /** The rtpmap value for a format as the offer had it: name/clock[/channels]. */
    static String rtpmap(Sdp.Codec c) {
        String name = switch (c.name == null ? "" : c.name) {
            case "OPUS" -> "opus";
            case "TELEPHONE-EVENT" -> "telephone-event";
            case "" -> "PCMU";
            default -> c.name;
        };
        int channels = "OPUS".equals(c.name) ? 2 : c.channels;   // RFC 7587: always opus/48000/2
        return name + "/" + clockOf(c) + (channels > 1 ? "/" + channels : "");
    }

    /**
     * The fmtp we answer for a format: the offered one; for telephone-event the events offered (0-15 when
     * none was said); for Opus without sprop-stereo (we send mono).
     */
    static String fmtp(Sdp.Codec c) {
        String f = c.fmtp == null ? "" : c.fmtp.trim();
        if ("TELEPHONE-EVENT".equals(c.name)) return f.isEmpty() ? "0-15" : f;
        if ("OPUS".equals(c.name)) {
            StringBuilder b = new StringBuilder();
            for (String kv : f.split(";")) {
                String t = kv.trim();
                if (t.isEmpty() || t.toLowerCase(Locale.ROOT).startsWith("sprop-stereo")) continue;
                if (b.length() > 0) b.append(';');
                b.append(t);
            }
            return b.toString();
        }
        return f;
    }

    static LocalSdp.Format format(Sdp.Codec c) { return c == null ? null : new LocalSdp.Format(c.pt, rtpmap(c), fmtp(c)); }

    /** The a=rtcp (RFC 3605) address of the audio section, or null. */
    static InetSocketAddress rtcpAddress(String sdpText, Sdp sdp, Sdp.Media audio) {
        int index = sdp.media.indexOf(audio), section = -1;
        String connection = audio.connection;
        for (String raw : sdpText.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("m=")) { section++; continue; }
            if (section != index || !line.startsWith("a=rtcp:")) continue;
            String[] f = line.substring(7).trim().split("\\s+");
            try {
                int port = Integer.parseInt(f[0]);
                if (port <= 0 || port > 65535) return null;
                String host = f.length >= 4 && f[1].equals("IN") && f[2].equals("IP4") ? f[3] : connection;
                return host == null ? null : new InetSocketAddress(host, port);
            } catch (RuntimeException e) {
                return null;   // a bad a=rtcp line: RTP port + 1
            }
        }
        return null;
    }
}
