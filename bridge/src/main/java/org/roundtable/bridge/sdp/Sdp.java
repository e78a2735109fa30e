package org.roundtable.bridge.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed SDP offer (RFC 8866), keeping what WebRTC negotiation (RFC 8829) needs: ICE credentials,
 * DTLS fingerprint and setup role, and per media section the mid, direction, codecs, feedback, header
 * extensions and SSRCs. Malformed input raises {@link SdpException} with a reason a client can read.
 * Thread: any; instances are not shared.
 */
public final class Sdp {
    public String iceUfrag, icePwd, fingerprint, setup;
    /** c= connection address (plain RTP peers such as SIP phones). */
    public String connection;
    public final List<String> bundleMids = new ArrayList<>();
    public final List<Media> media = new ArrayList<>();

    public static final class SdpException extends Exception {
        public SdpException(String m) { super(m); }
    }

    public static final class Codec {
        public final int pt;
        public String name;      // upper-case, e.g. OPUS, VP8, H264, RTX
        public int clockRate, channels = 1;
        public String fmtp = "";
        public final List<String> feedback = new ArrayList<>();
        Codec(int pt) { this.pt = pt; }
        /** For RTX: the apt payload type, else -1. */
        public int apt() { String v = param("apt"); return v == null ? -1 : parseIntOr(v, -1); }
        public String param(String key) {
            for (String kv : fmtp.split(";")) {
                int e = kv.indexOf('=');
                if (e > 0 && kv.substring(0, e).trim().equalsIgnoreCase(key)) return kv.substring(e + 1).trim();
            }
            return null;
        }
    }

    public static final class Media {
        public String kind;            // audio, video, application, ...
        public int port;
        public String proto;
        public String mid;
        public String direction = "sendrecv";
        public String iceUfrag, icePwd, fingerprint, setup;
        public String connection;
        public boolean rtcpMux;
        /** a=bundle-only (RFC 8843 6): with port 0 inside the offer's BUNDLE group, an active bundled section. */
        public boolean bundleOnly;
        private boolean bundledOnly;
        public final List<Codec> codecs = new ArrayList<>();
        public final Map<Integer, String> extmap = new LinkedHashMap<>(); // id -> uri
        public final List<Integer> ssrcs = new ArrayList<>();
        public final List<int[]> fidGroups = new ArrayList<>();   // {primary, rtx}
        public String msid;
        public List<String> rids = new ArrayList<>();
        /** SDES (RFC 4568) a=crypto values: "tag suite inline:key||salt[|...]". */
        public final List<String> crypto = new ArrayList<>();
        public Codec codec(int pt) { for (Codec c : codecs) if (c.pt == pt) return c; return null; }
        public boolean sends() { return direction.equals("sendrecv") || direction.equals("sendonly"); }
        public boolean receives() { return direction.equals("sendrecv") || direction.equals("recvonly"); }
        /**
         * Whether the section is offered at all: a port other than 0, or port 0 with a=bundle-only and its
         * mid in the BUNDLE group (Firefox and other RFC 8829 stacks with bundlePolicy max-bundle), which
         * is an active section sharing the group's transport. Port 0 otherwise is a declined section.
         */
        public boolean active() { return port != 0 || bundledOnly; }
        public int extId(String uri) { for (var e : extmap.entrySet()) if (e.getValue().equals(uri)) return e.getKey(); return -1; }
    }

    static int parseIntOr(String s, int d) {
        try { return Integer.parseInt(s.trim()); } catch (NumberFormatException e) { return d; }
    }

    private static int parseInt(String s, String what) throws SdpException {
        try { return Integer.parseInt(s.trim()); } catch (NumberFormatException e) { throw new SdpException("bad number in " + what); }
    }

    /** Parses an SDP offer; 64 KiB and 64 media sections at most. */
    public static Sdp parse(String text) throws SdpException {
        if (text == null || text.isBlank()) throw new SdpException("empty SDP");
        if (text.length() > 65536) throw new SdpException("SDP too large");
        Sdp s = new Sdp();
        Media m = null;
        boolean sawV = false;
        for (String raw : text.split("\r?\n")) {
            String line = raw.strip();
            if (line.isEmpty()) continue;
            if (line.length() < 2 || line.charAt(1) != '=') throw new SdpException("malformed SDP line: " + abbreviate(line));
            char t = line.charAt(0);
            String v = line.substring(2);
            if (t == 'v') { sawV = true; continue; }
            if (t == 'c') {
                String[] p = v.trim().split("\\s+");
                if (p.length >= 3) { String addr = beforeSlash(p[2]); if (m == null) s.connection = addr; else m.connection = addr; }
                continue;
            }
            if (t == 'm') {
                String[] p = v.split(" ");
                if (p.length < 3) throw new SdpException("malformed m= line");
                if (s.media.size() >= 64) throw new SdpException("too many media sections");
                m = new Media();
                m.kind = p[0].toLowerCase(Locale.ROOT);
                m.port = parseInt(beforeSlash(p[1]), "m= port");
                m.proto = p[2];
                if (!m.kind.equals("application")) {
                    for (int i = 3; i < p.length; i++) {
                        int pt = parseInt(p[i], "m= payload type");
                        if (pt < 0 || pt > 127) throw new SdpException("payload type out of range: " + pt);
                        m.codecs.add(new Codec(pt));
                    }
                }
                s.media.add(m);
                continue;
            }
            if (t != 'a') continue;
            int colon = v.indexOf(':');
            String name = colon < 0 ? v : v.substring(0, colon);
            String val = colon < 0 ? "" : v.substring(colon + 1);
            switch (name) {
                case "group":
                    if (val.startsWith("BUNDLE")) for (String mid : val.substring(6).trim().split("\\s+")) if (!mid.isEmpty()) s.bundleMids.add(mid);
                    break;
                case "ice-ufrag": if (m == null) s.iceUfrag = val; else m.iceUfrag = val; break;
                case "ice-pwd": if (m == null) s.icePwd = val; else m.icePwd = val; break;
                case "fingerprint": if (m == null) s.fingerprint = val; else m.fingerprint = val; break;
                case "setup": if (m == null) s.setup = val; else m.setup = val; break;
                default:
                    if (m != null) mediaAttribute(m, name, val);
            }
        }
        if (!sawV) throw new SdpException("SDP has no v= line");
        for (Media md : s.media) {
            if (md.iceUfrag == null) md.iceUfrag = s.iceUfrag;
            if (md.icePwd == null) md.icePwd = s.icePwd;
            if (md.fingerprint == null) md.fingerprint = s.fingerprint;
            if (md.setup == null) md.setup = s.setup;
            if (md.connection == null) md.connection = s.connection;
            md.bundledOnly = md.port == 0 && md.bundleOnly && md.mid != null && s.bundleMids.contains(md.mid);
        }
        return s;
    }

    private static void mediaAttribute(Media m, String name, String val) throws SdpException {
        switch (name) {
            case "mid": m.mid = val.trim(); break;
            case "sendrecv": case "sendonly": case "recvonly": case "inactive": m.direction = name; break;
            case "rtcp-mux": m.rtcpMux = true; break;
            case "bundle-only": m.bundleOnly = true; break;
            case "msid": m.msid = val.trim(); break;
            case "crypto": if (m.crypto.size() < 16) m.crypto.add(val.trim()); break;
            case "rid": m.rids.add(val.split(" ")[0]); break;
            case "rtpmap": {
                int sp = val.indexOf(' ');
                if (sp < 0) throw new SdpException("malformed rtpmap");
                Codec c = m.codec(parseInt(val.substring(0, sp), "rtpmap"));
                if (c == null) break;
                String[] enc = val.substring(sp + 1).trim().split("/");
                if (enc.length == 0 || enc[0].isEmpty()) throw new SdpException("malformed rtpmap");
                c.name = enc[0].toUpperCase(Locale.ROOT);
                if (enc.length > 1) c.clockRate = parseInt(enc[1], "rtpmap clock rate");
                if (enc.length > 2) c.channels = parseInt(enc[2], "rtpmap channels");
                break;
            }
            case "fmtp": {
                int sp = val.indexOf(' ');
                if (sp < 0) break;
                Codec c = m.codec(parseIntOr(val.substring(0, sp), -1));
                if (c != null) c.fmtp = val.substring(sp + 1).trim();
                break;
            }
            case "rtcp-fb": {
                int sp = val.indexOf(' ');
                if (sp < 0) break;
                String pt = val.substring(0, sp);
                String fb = val.substring(sp + 1).trim();
                if (pt.equals("*")) { for (Codec c : m.codecs) c.feedback.add(fb); }
                else { Codec c = m.codec(parseIntOr(pt, -1)); if (c != null) c.feedback.add(fb); }
                break;
            }
            case "extmap": {
                String[] p = val.trim().split("\\s+");
                if (p.length < 2) throw new SdpException("malformed extmap");
                int id = parseInt(beforeSlash(p[0]), "extmap id");
                if (id < 1 || id > 255) throw new SdpException("extmap id out of range");
                m.extmap.put(id, p[1]);
                break;
            }
            case "ssrc": {
                int sp = val.indexOf(' ');
                String n = sp < 0 ? val : val.substring(0, sp);
                int ssrc = (int) parseLongSsrc(n);
                if (!m.ssrcs.contains(ssrc)) m.ssrcs.add(ssrc);
                break;
            }
            case "ssrc-group": {
                String[] p = val.trim().split("\\s+");
                if (p[0].equals("FID") && p.length >= 3) m.fidGroups.add(new int[] {(int) parseLongSsrc(p[1]), (int) parseLongSsrc(p[2])});
                break;
            }
            default: break;
        }
    }

    private static long parseLongSsrc(String s) throws SdpException {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0 || v > 0xFFFFFFFFL) throw new SdpException("SSRC out of range");
            return v;
        } catch (NumberFormatException e) {
            throw new SdpException("bad SSRC");
        }
    }

    /** "9/2" -> "9", "/" -> "" (String.split would give no element at all). */
    private static String beforeSlash(String s) {
        int i = s.indexOf('/');
        return i < 0 ? s : s.substring(0, i);
    }

    private static String abbreviate(String s) { return s.length() > 40 ? s.substring(0, 40) + "..." : s; }
}
