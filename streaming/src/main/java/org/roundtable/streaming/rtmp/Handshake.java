package org.roundtable.streaming.rtmp;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;

/**
 * The client side of RTMP's simple handshake (RTMP spec 5.2): C0+C1 (version 3, our time, four zero bytes,
 * 1528 random bytes), then S0+S1+S2 from the server, then C2 (S1 echoed with our read time). The zero
 * version field asks for the plain handshake, which nginx-rtmp, YouTube and the common CDNs accept. Reads
 * block under the socket's timeout. Runs on the push thread.
 */
final class Handshake {
    static final int SIZE = 1536;

    private Handshake() {}

    static void client(InputStream in, OutputStream out, Random random, long uptimeMs) throws IOException {
        byte[] c0c1 = new byte[1 + SIZE];
        c0c1[0] = 3;
        putU32(c0c1, 1, uptimeMs);
        byte[] rnd = new byte[SIZE - 8];
        random.nextBytes(rnd);
        System.arraycopy(rnd, 0, c0c1, 9, rnd.length);
        out.write(c0c1);
        out.flush();
        DataInputStream d = new DataInputStream(in);
        byte[] s0s1s2 = new byte[1 + 2 * SIZE];
        try {
            d.readFully(s0s1s2, 0, 1);
            if (s0s1s2[0] != 3) throw new IOException("not an RTMP server (handshake version " + (s0s1s2[0] & 0xff) + ")");
            d.readFully(s0s1s2, 1, 2 * SIZE);
        } catch (EOFException e) {
            throw new IOException("the server closed the connection during the RTMP handshake");
        }
        byte[] c2 = new byte[SIZE];
        System.arraycopy(s0s1s2, 1, c2, 0, SIZE);
        putU32(c2, 4, uptimeMs);
        out.write(c2);
        out.flush();
    }

    private static void putU32(byte[] b, int p, long v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }
}
