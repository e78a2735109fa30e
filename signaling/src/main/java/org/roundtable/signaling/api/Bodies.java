package org.roundtable.signaling.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.roundtable.signaling.meeting.SignalingException;

/**
 * Request bodies read with a bound, whether the client sent a Content-Length or chunks: reading stops at
 * the limit and the request gets 413, so a client cannot make us buffer more than that. Thread: Jetty's
 * request threads.
 */
final class Bodies {
    private Bodies() {}

    static String read(Request req, int max) throws SignalingException {
        if (req.getLength() > max) throw tooLarge(max);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192));
        byte[] buf = new byte[8192];
        try (InputStream in = Content.Source.asInputStream(req)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() + n > max) throw tooLarge(max);
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new SignalingException("bad_request", 400, "the body could not be read");
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static SignalingException tooLarge(int max) {
        return new SignalingException("too_large", 413, "the body is larger than " + (max / 1024) + " KiB");
    }
}
