package org.roundtable.streaming.rtmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** AMF0 round trips, the spec's bytes, what servers send, and refusal of bad input. */
class Amf0Test {
    @Test void roundTrips() throws Exception {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("level", "status");
        inner.put("code", "NetStream.Publish.Start");
        inner.put("n", 2.5);
        inner.put("nested", Map.of("deep", true));
        Map<String, Object> ecma = new LinkedHashMap<>();
        ecma.put("width", 640.0);
        ecma.put("stereo", false);
        String longString = "x".repeat(70_000);
        ByteSink out = new ByteSink(16);
        Amf0.write(out, "onStatus", 0, null, inner, new Amf0.EcmaArray(ecma), List.of(1.0, "a", Boolean.TRUE), longString, "ünïcode");
        List<Object> v = Amf0.decodeAll(out.toByteArray());
        assertEquals(Arrays.asList("onStatus", 0.0, null, inner, ecma, List.of(1.0, "a", true), longString, "ünïcode"), v);
    }

    @Test void writesTheBytesTheSpecGives() {
        ByteSink out = new ByteSink(16);
        Amf0.write(out, "connect", 1, Map.of("app", "live"));
        byte[] expected = {
            2, 0, 7, 'c', 'o', 'n', 'n', 'e', 'c', 't',
            0, 0x3f, (byte) 0xf0, 0, 0, 0, 0, 0, 0,
            3, 0, 3, 'a', 'p', 'p', 2, 0, 4, 'l', 'i', 'v', 'e', 0, 0, 9};
        assertArrayEquals(expected, out.toByteArray());
    }

    @Test void decodesWhatServersSend() throws Exception {
        // a _result with an ECMA array that lies about its count, a date, undefined, and a typed object
        ByteSink b = new ByteSink(16);
        b.u8(Amf0.STRING).u16(7).bytes("_result".getBytes());
        b.u8(Amf0.NUMBER).f64(4);
        b.u8(Amf0.ECMA_ARRAY).u32(99).u16(1).bytes("a".getBytes()).u8(Amf0.BOOLEAN).u8(1).u16(0).u8(Amf0.OBJECT_END);
        b.u8(Amf0.DATE).f64(1000).u16(0);
        b.u8(Amf0.UNDEFINED);
        b.u8(Amf0.TYPED_OBJECT).u16(1).bytes("T".getBytes()).u16(1).bytes("k".getBytes()).u8(Amf0.NULL).u16(0).u8(Amf0.OBJECT_END);
        List<Object> v = Amf0.decodeAll(b.toByteArray());
        Map<String, Object> typed = new LinkedHashMap<>();
        typed.put("k", null);
        assertEquals(Arrays.asList("_result", 4.0, Map.of("a", true), 1000.0, null, typed), v);
    }

    @Test void refusesBadInputWithAnError() {
        assertBad(new byte[] {Amf0.STRING, 0, 5, 'a'}, "truncated");
        assertBad(new byte[] {Amf0.NUMBER, 0, 0}, "truncated");
        assertBad(new byte[] {42}, "unknown AMF0 type 42");
        assertBad(new byte[] {Amf0.STRICT_ARRAY, 0x7f, -1, -1, -1}, "past the end");
        assertBad(new byte[] {Amf0.OBJECT, 0, 1, 'a'}, "truncated");
        assertBad(nested(40), "nested too deeply");
    }

    private static byte[] nested(int depth) {
        ByteSink b = new ByteSink(16);
        for (int i = 0; i < depth; i++) b.u8(Amf0.STRICT_ARRAY).u32(1);
        b.u8(Amf0.NULL);
        return b.toByteArray();
    }

    private static void assertBad(byte[] b, String why) {
        IOException e = assertThrows(IOException.class, () -> Amf0.decodeAll(b));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
