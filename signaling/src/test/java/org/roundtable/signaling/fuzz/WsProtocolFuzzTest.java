package org.roundtable.signaling.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.websocket.api.Session;
import org.roundtable.bridge.BridgeConfig;
import org.roundtable.signaling.RoundtableServer;
import org.roundtable.signaling.ServerConfig;
import org.roundtable.signaling.api.WsSession;

/**
 * The WebSocket protocol entry ({@link WsSession#onWebSocketText}) with any sequence of text messages, no
 * socket: every message gets an answer, and none is an "internal" error (an exception our handlers did not
 * turn into a reason for the client).
 */
class WsProtocolFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final RoundtableServer SERVER;
    static {
        try {
            BridgeConfig b = new BridgeConfig("127.0.0.1", List.of("127.0.0.1"), 0, 0, 2_500_000, false, 30_000, 10_000, 2);
            SERVER = new RoundtableServer(new ServerConfig("127.0.0.1", 0, b, true, 4)).start();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A session whose sends are recorded (in order). */
    static Session recorder(List<String> sent) {
        return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class}, (p, m, args) -> {
            switch (m.getName()) {
                case "isOpen": return true;
                case "sendText": synchronized (sent) { sent.add((String) args[0]); } return null;
                case "toString": return "fuzz-session";
                case "hashCode": return System.identityHashCode(p);
                case "equals": return p == args[0];
                default:
                    Class<?> r = m.getReturnType();
                    return r == boolean.class ? false : r == int.class || r == long.class ? 0 : null;
            }
        });
    }

    @FuzzTest(maxDuration = "15s")
    @DictionaryEntries({"{\"type\":\"join\",\"meeting\":\"m\",\"name\":\"A\"}", "{\"type\":\"offer\",\"sdp\":\"v=0\\x0D\\x0Am=audio 9 ",
            "\"type\":", "\"join\"", "\"offer\"", "\"hello\"", "\"media\"", "\"share\"", "\"control\"", "\"leave\"", "\"ping\"",
            "\"candidate\"", "\"meeting\":", "\"sdp\":", "\"content\":[", "\"kind\":\"video\"", "\"enabled\":true", "\"active\":false",
            "\"action\":", "\"muteAll\"", "\"lock\"", "\"remove\"", "\"target\":", "\"role\":\"host\"", "\"token\":", "\"password\":",
            "\"videoCodec\":\"h264\"", "\"rid\":", "\"transferTo\":", "\"allowSelfUnmute\":true", "null", "[]", "{}"})
    void messages(FuzzedDataProvider data) throws Exception {
        List<String> sent = new ArrayList<>();
        WsSession s = new WsSession(SERVER.meetings, "127.0.0.1");
        s.onWebSocketOpen(recorder(sent));
        try {
            for (int i = 0; i < 8 && data.remainingBytes() > 0; i++) {
                String msg = data.consumeString(2000);
                int before;
                synchronized (sent) { before = sent.size(); }
                s.onWebSocketText(msg);
                synchronized (sent) {
                    for (int j = before; j < sent.size(); j++) {
                        JsonNode o = JSON.readTree(sent.get(j));
                        if ("error".equals(o.path("type").asText()) && "internal".equals(o.path("code").asText()))
                            throw new AssertionError("internal error for " + msg + ": " + o);
                    }
                }
            }
        } finally {
            s.onWebSocketClose(1000, "fuzz");
        }
    }
}
