package org.roundtable.bridge.transport;

import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.util.ArrayList;

/**
 * The ICE-TCP connections written since the last flush, each once: marking one that is already listed
 * costs a flag check, and nothing is allocated per packet. Thread: the media loop.
 */
public final class TcpFlushList {
    private static final AttributeKey<Boolean> LISTED = AttributeKey.valueOf(TcpFlushList.class, "listed");
    private final ArrayList<Channel> dirty = new ArrayList<>();

    public void mark(Channel c) {
        Attribute<Boolean> a = c.attr(LISTED);
        if (a.get() != null) return;
        a.set(Boolean.TRUE);
        dirty.add(c);
    }

    public void flushAll() {
        for (int i = 0; i < dirty.size(); i++) {
            Channel c = dirty.get(i);
            c.attr(LISTED).set(null);
            c.flush();
        }
        dirty.clear();
    }

    public void remove(Channel c) {
        if (dirty.remove(c)) c.attr(LISTED).set(null);
    }
}
