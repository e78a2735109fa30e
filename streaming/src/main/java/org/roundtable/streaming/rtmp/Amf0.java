package org.roundtable.streaming.rtmp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF0 (Adobe's Action Message Format 0), the encoding of RTMP commands and metadata. Java values map as:
 * Number (written as a double) - number, Boolean - boolean, String - string (long string above 65535 bytes),
 * {@code null} - null, {@link Map} - object (or ECMA array when wrapped in {@link EcmaArray}), {@link List} - strict array.
 * Decoding gives Double, Boolean, String, null (null and undefined), LinkedHashMap (object, ECMA array),
 * ArrayList (strict array); a date gives its Double millis. An unknown type, or a truncated value, is an
 * {@link IOException} with the offset. Stateless; any thread.
 */
final class Amf0 {
    private Amf0() {}

    static final int NUMBER = 0, BOOLEAN = 1, STRING = 2, OBJECT = 3, NULL = 5, UNDEFINED = 6, REFERENCE = 7,
            ECMA_ARRAY = 8, OBJECT_END = 9, STRICT_ARRAY = 10, DATE = 11, LONG_STRING = 12, UNSUPPORTED = 13, XML = 15, TYPED_OBJECT = 16;
    /** Nesting deeper than this is refused (a hostile server cannot overflow our stack). */
    static final int MAX_DEPTH = 32;

    /** An ECMA (associative) array: the type onMetaData is written as. */
    record EcmaArray(Map<String, Object> entries) {}

    static void write(ByteSink out, Object... values) {
        for (Object v : values) writeValue(out, v, 0);
    }

    private static void writeValue(ByteSink out, Object v, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("AMF0 value nested too deeply");
        if (v == null) out.u8(NULL);
        else if (v instanceof Number n) out.u8(NUMBER).f64(n.doubleValue());
        else if (v instanceof Boolean b) out.u8(BOOLEAN).u8(b ? 1 : 0);
        else if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > 0xffff) out.u8(LONG_STRING).u32(b.length).bytes(b);
            else out.u8(STRING).u16(b.length).bytes(b);
        } else if (v instanceof EcmaArray a) {
            out.u8(ECMA_ARRAY).u32(a.entries().size());
            writeProperties(out, a.entries(), depth);
        } else if (v instanceof Map<?, ?> m) {
            out.u8(OBJECT);
            writeProperties(out, m, depth);
        } else if (v instanceof List<?> l) {
            out.u8(STRICT_ARRAY).u32(l.size());
            for (Object e : l) writeValue(out, e, depth + 1);
        } else throw new IllegalArgumentException("no AMF0 form for " + v.getClass().getSimpleName());
    }

    private static void writeProperties(ByteSink out, Map<?, ?> m, int depth) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            byte[] k = String.valueOf(e.getKey()).getBytes(StandardCharsets.UTF_8);
            if (k.length > 0xffff) throw new IllegalArgumentException("AMF0 property name too long");
            out.u16(k.length).bytes(k);
            writeValue(out, e.getValue(), depth + 1);
        }
        out.u16(0).u8(OBJECT_END);
    }

    /** Decodes every value in b[off, off+len). */
    static List<Object> decodeAll(byte[] b, int off, int len) throws IOException {
        Reader r = new Reader(b, off, off + len);
        List<Object> out = new ArrayList<>();
        while (r.pos < r.end) out.add(r.value(0));
        return out;
    }

    static List<Object> decodeAll(byte[] b) throws IOException { return decodeAll(b, 0, b.length); }

    private static final class Reader {
        final byte[] b;
        final int start, end;
        int pos;

        Reader(byte[] b, int off, int end) {
            if (off < 0 || end > b.length || off > end) throw new IndexOutOfBoundsException();
            this.b = b;
            this.start = off;
            this.pos = off;
            this.end = end;
        }

        Object value(int depth) throws IOException {
            if (depth > MAX_DEPTH) throw error("nested too deeply");
            int type = u8();
            switch (type) {
                case NUMBER: case DATE: {
                    double d = Double.longBitsToDouble(((long) u32() << 32) | u32());
                    if (type == DATE) need(2).pos += 2;            // time zone, unused
                    return d;
                }
                case BOOLEAN: return u8() != 0;
                case STRING: return string(u16());
                case LONG_STRING: case XML: return string(len32());
                case NULL: case UNDEFINED: case UNSUPPORTED: return null;
                case OBJECT: return properties(depth, new LinkedHashMap<>());
                case TYPED_OBJECT: string(u16()); return properties(depth, new LinkedHashMap<>());
                case ECMA_ARRAY: u32(); return properties(depth, new LinkedHashMap<>());   // the count is only a hint
                case STRICT_ARRAY: {
                    int n = len32();
                    List<Object> l = new ArrayList<>(Math.min(n, 1024));
                    for (int i = 0; i < n; i++) l.add(value(depth + 1));
                    return l;
                }
                case REFERENCE: u16(); return null;
                default: throw error("unknown AMF0 type " + type);
            }
        }

        Map<String, Object> properties(int depth, Map<String, Object> m) throws IOException {
            while (true) {
                int klen = u16();
                if (klen == 0 && pos < end && (b[pos] & 0xff) == OBJECT_END) { pos++; return m; }
                String k = string(klen);
                m.put(k, value(depth + 1));
            }
        }

        String string(int len) throws IOException {
            need(len);
            String s = new String(b, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        int len32() throws IOException {
            long n = u32();
            if (n > end - pos) throw error("length " + n + " past the end");
            return (int) n;
        }

        Reader need(int n) throws IOException {
            if (n < 0 || end - pos < n) throw error("truncated");
            return this;
        }

        int u8() throws IOException { need(1); return b[pos++] & 0xff; }
        int u16() throws IOException { need(2); int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff); pos += 2; return v; }
        long u32() throws IOException { need(4); long v = ((long) u16() << 16) | u16(); return v; }

        IOException error(String what) { return new IOException("AMF0: " + what + " at byte " + (pos - start)); }
    }
}
