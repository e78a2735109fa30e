package org.roundtable.streaming.hls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A small ISO BMFF reader for tests: boxes as a tree, found by path ("moov/trak/mdia/mdhd"). */
final class Mp4Boxes {
    /** One box: type, where it starts in the file, its size; payload = the bytes after the 8-byte header. */
    record Box(String type, int offset, int size, byte[] file, List<Box> children) {
        int payload() { return offset + 8; }

        ByteBuffer body() { return ByteBuffer.wrap(file, payload(), size - 8).slice(); }

        Box find(String path) {
            String[] p = path.split("/", 2);
            for (Box c : children) {
                if (c.type.equals(p[0])) return p.length == 1 ? c : c.find(p[1]);
            }
            return null;
        }

        List<Box> all(String type) {
            List<Box> out = new ArrayList<>();
            for (Box c : children) if (c.type.equals(type)) out.add(c);
            return out;
        }
    }

    private Mp4Boxes() {}

    /** The top-level boxes of a file as the children of a root box named "". */
    static Box parse(byte[] file) {
        return new Box("", -8, file.length + 8, file, children(file, 0, file.length));
    }

    private static List<Box> children(byte[] f, int from, int to) {
        List<Box> out = new ArrayList<>();
        int at = from;
        while (at + 8 <= to) {
            int size = ByteBuffer.wrap(f, at, 4).getInt();
            if (size < 8 || at + size > to) throw new IllegalStateException("bad box size " + size + " at " + at);
            String type = new String(f, at + 4, 4, StandardCharsets.ISO_8859_1);
            int skip = switch (type) {
                case "moov", "trak", "mdia", "minf", "dinf", "stbl", "mvex", "moof", "traf" -> 0;
                case "stsd", "dref" -> 8;            // FullBox header + entry count
                case "avc1" -> 78;
                case "mp4a" -> 28;
                default -> -1;
            };
            List<Box> kids = skip < 0 ? List.of() : children(f, at + 8 + skip, at + size);
            out.add(new Box(type, at, size, f, kids));
            at += size;
        }
        if (at != to) throw new IllegalStateException("trailing bytes at " + at + " of " + to);
        return out;
    }
}
