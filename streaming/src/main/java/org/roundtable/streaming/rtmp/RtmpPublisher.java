package org.roundtable.streaming.rtmp;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.roundtable.streaming.LiveFrame;
import org.roundtable.streaming.LiveTracks;

/**
 * The publishing client on top of an {@link RtmpConnection}: Set Chunk Size 4096, {@code connect} (app,
 * type nonprivate, flashVer, tcUrl), {@code releaseStream}, {@code FCPublish}, {@code createStream},
 * {@code publish(key, "live")} until {@code onStatus NetStream.Publish.Start}; then metadata, sequence
 * headers and frames; {@code FCUnpublish} and {@code deleteStream} at the end. A refusal by the server
 * ({@code _error}, or an onStatus of level error such as NetStream.Publish.BadName) is a {@link Rejected}
 * carrying the server's code and description. Push thread only.
 */
final class RtmpPublisher {
    static final int CHUNK_SIZE = 4096;
    static final int CSID_COMMAND = 3, CSID_AUDIO = 4, CSID_DATA = 5, CSID_VIDEO = 6, CSID_STREAM = 8;
    static final String FLASH_VER = "FMLE/3.0 (compatible; FMSc/1.0)";

    /** The server refused us (the app, the stream key, or the stream name is taken): retrying rarely helps. */
    static final class Rejected extends IOException {
        Rejected(String message) { super(message); }
    }

    private final RtmpConnection c;
    private final RtmpUrl url;
    private final ByteSink body = new ByteSink(256 * 1024);
    private int streamId;
    private int txn;

    RtmpPublisher(RtmpConnection c, RtmpUrl url) {
        this.c = c;
        this.url = url;
    }

    /** Runs the command exchange up to NetStream.Publish.Start; every wait ends by deadline (System.nanoTime). */
    void publish(long deadline) throws IOException {
        c.sendControl(RtmpMessage.SET_CHUNK_SIZE, CHUNK_SIZE);
        Map<String, Object> cmd = new LinkedHashMap<>();
        cmd.put("app", url.app());
        cmd.put("type", "nonprivate");
        cmd.put("flashVer", FLASH_VER);
        cmd.put("tcUrl", url.tcUrl());
        int connect = command(0, "connect", cmd);
        await(connect, "connect", deadline);
        command(0, "releaseStream", null, url.streamKey());
        command(0, "FCPublish", null, url.streamKey());
        List<Object> created = await(command(0, "createStream", (Object) null), "createStream", deadline);
        if (created.size() < 4 || !(created.get(3) instanceof Double id) || id < 1 || id > Integer.MAX_VALUE)
            throw new IOException("createStream: the server gave no stream id");
        streamId = id.intValue();
        int publish = command(streamId, "publish", null, url.streamKey(), "live");
        await(publish, "publish", deadline);
    }

    /** Sends an AMF0 command (transaction id filled in) and returns its transaction id. */
    private int command(int stream, String name, Object... args) throws IOException {
        int id = ++txn;
        body.reset();
        Amf0.write(body, name, id);
        Amf0.write(body, args);
        c.send(stream == 0 ? CSID_COMMAND : CSID_STREAM, RtmpMessage.COMMAND_AMF0, stream, 0, body.array(), 0, body.size());
        return id;
    }

    /**
     * Waits for the _result of transaction id (for publish: the onStatus Publish.Start). Other commands
     * (onBWDone, onFCPublish, answers to releaseStream) are passed over.
     */
    private List<Object> await(int id, String what, long deadline) throws IOException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw new IOException(what + ": no answer from the server in time");
            RtmpMessage m;
            try {
                m = c.nextCommand(left);
            } catch (IOException e) {
                boolean closed = RtmpConnection.CLOSED_BY_SERVER.equals(e.getMessage());
                throw new IOException(what + ": " + e.getMessage() + (closed ? " without an answer (wrong application or stream key?)" : ""));
            }
            if (m == null) continue;
            List<Object> v = decode(m);
            if (v.isEmpty() || !(v.get(0) instanceof String name)) continue;
            double t = v.size() > 1 && v.get(1) instanceof Double d ? d : -1;
            if (name.equals("_result") && t == id && !what.equals("publish")) return v;
            if (name.equals("_error") && t == id) throw new Rejected(what + " refused: " + status(v));
            if (name.equals("onStatus")) {
                Map<?, ?> info = info(v);
                String code = String.valueOf(info.get("code"));
                if (what.equals("publish") && code.equals("NetStream.Publish.Start")) return v;
                if ("error".equals(info.get("level")) || code.endsWith(".BadName") || code.endsWith(".Denied") || code.endsWith(".Rejected"))
                    throw new Rejected(what + " refused: " + status(v));
            }
            if (name.equals("close")) throw new IOException(what + ": the server closed the stream");
        }
    }

    /** While live: fails when the server said the stream ended or broke (onStatus of level error, close). */
    void checkStatus() throws IOException {
        c.sendReplies();
        for (RtmpMessage m; (m = c.nextCommand(0)) != null; ) {
            List<Object> v = decode(m);
            if (v.isEmpty() || !(v.get(0) instanceof String name)) continue;
            if (name.equals("close")) throw new IOException("the server closed the stream");
            if (name.equals("onStatus") && "error".equals(info(v).get("level"))) throw new IOException("the server stopped the stream: " + status(v));
        }
    }

    private static List<Object> decode(RtmpMessage m) throws IOException {
        int skip = m.type() == RtmpMessage.COMMAND_AMF3 && m.payload().length > 0 ? 1 : 0;   // AMF3 command: a 0 byte, then AMF0
        return Amf0.decodeAll(m.payload(), skip, m.payload().length - skip);
    }

    private static Map<?, ?> info(List<Object> v) {
        for (int i = v.size() - 1; i >= 2; i--) if (v.get(i) instanceof Map<?, ?> m) return m;
        return Map.of();
    }

    /** "code (description)" from a command's info object. */
    private String status(List<Object> v) {
        Map<?, ?> info = info(v);
        Object code = info.get("code"), desc = info.get("description");
        String s = code == null ? "no code" : String.valueOf(code);
        if (desc != null && !String.valueOf(desc).isEmpty()) s += " (" + desc + ")";
        return url.redact(s.length() > 300 ? s.substring(0, 300) + "..." : s);
    }

    /** Metadata, then the AVC and AAC sequence headers, at time 0. */
    void sendHeaders(LiveTracks t) throws IOException {
        body.reset();
        FlvTags.onMetaData(body, t);
        c.send(CSID_DATA, RtmpMessage.DATA_AMF0, streamId, 0, body.array(), 0, body.size());
        body.reset();
        FlvTags.avcSequenceHeader(body, t.sps(), t.pps());
        c.send(CSID_VIDEO, RtmpMessage.VIDEO, streamId, 0, body.array(), 0, body.size());
        body.reset();
        FlvTags.aacSequenceHeader(body, t.audioSpecificConfig());
        c.send(CSID_AUDIO, RtmpMessage.AUDIO, streamId, 0, body.array(), 0, body.size());
    }

    /** Sends one frame at ms; false when the frame held nothing to send (a video frame without start codes). */
    boolean sendFrame(LiveFrame f, long ms) throws IOException {
        body.reset();
        if (f.video()) {
            if (FlvTags.avcFrame(body, f.data(), f.key()) == 0) return false;
            c.send(CSID_VIDEO, RtmpMessage.VIDEO, streamId, ms, body.array(), 0, body.size());
        } else {
            if (f.data().length == 0) return false;
            FlvTags.aacFrame(body, f.data());
            c.send(CSID_AUDIO, RtmpMessage.AUDIO, streamId, ms, body.array(), 0, body.size());
        }
        return true;
    }

    /** FCUnpublish and deleteStream (no answers awaited). */
    void unpublish() throws IOException {
        command(0, "FCUnpublish", null, url.streamKey());
        command(0, "deleteStream", null, (double) streamId);
    }
}
