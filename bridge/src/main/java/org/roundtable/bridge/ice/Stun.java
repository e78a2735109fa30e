package org.roundtable.bridge.ice;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import static org.roundtable.bridge.rtp.RtpPacket.i32;
import static org.roundtable.bridge.rtp.RtpPacket.putI32;
import static org.roundtable.bridge.rtp.RtpPacket.putU16;
import static org.roundtable.bridge.rtp.RtpPacket.u16;

/**
 * The part of STUN (RFC 8489) that an ICE-lite agent (RFC 8445 section 2.5) needs: parse a Binding
 * request, check MESSAGE-INTEGRITY and FINGERPRINT, build a Binding success or error response.
 * Not on the media hot path (consent checks come every few seconds). Thread: any; stateless.
 */
public final class Stun {
    private Stun() {}

    public static final int MAGIC = 0x2112A442;
    public static final int BINDING_REQUEST = 0x0001, BINDING_SUCCESS = 0x0101, BINDING_ERROR = 0x0111;
    public static final int ATTR_MAPPED_ADDRESS = 0x0001, ATTR_USERNAME = 0x0006, ATTR_MESSAGE_INTEGRITY = 0x0008,
            ATTR_ERROR_CODE = 0x0009, ATTR_XOR_MAPPED_ADDRESS = 0x0020, ATTR_PRIORITY = 0x0024,
            ATTR_USE_CANDIDATE = 0x0025, ATTR_FINGERPRINT = 0x8028, ATTR_ICE_CONTROLLED = 0x8029,
            ATTR_ICE_CONTROLLING = 0x802A;
    private static final int FINGERPRINT_XOR = 0x5354554E;

    /** RFC 7983: first byte 0..3 and the magic cookie in place. */
    public static boolean looksLikeStun(byte[] b, int off, int len) {
        return len >= 20 && (b[off] & 0xC0) == 0 && i32(b, off + 4) == MAGIC && (u16(b, off + 2) & 3) == 0
                && 20 + u16(b, off + 2) <= len;
    }

    /** A parsed Binding request: just the fields ICE needs. */
    public static final class Request {
        public byte[] transactionId = new byte[12];
        public String username;
        public boolean useCandidate;
        public boolean controlling;
        public long priority;
        /** Offset (from message start) of the MESSAGE-INTEGRITY attribute header, or -1. */
        public int integrityAt = -1;
        public int fingerprintAt = -1;
        public int type;
    }

    /** Parses a STUN message; returns null if it is malformed. */
    public static Request parse(byte[] b, int off, int len) {
        if (!looksLikeStun(b, off, len)) return null;
        Request r = new Request();
        r.type = u16(b, off) & 0x3FFF;
        int msgLen = u16(b, off + 2);
        System.arraycopy(b, off + 8, r.transactionId, 0, 12);
        int p = off + 20, end = off + 20 + msgLen;
        while (p + 4 <= end) {
            int t = u16(b, p), l = u16(b, p + 2);
            int v = p + 4;
            if (v + l > end) return null;
            // RFC 8489 14.5: what follows MESSAGE-INTEGRITY is not covered by it; only FINGERPRINT counts there
            if (r.integrityAt >= 0 && t != ATTR_FINGERPRINT) { p = v + ((l + 3) & ~3); continue; }
            switch (t) {
                case ATTR_USERNAME: r.username = new String(b, v, l, StandardCharsets.UTF_8); break;
                case ATTR_USE_CANDIDATE: r.useCandidate = true; break;
                case ATTR_ICE_CONTROLLING: r.controlling = true; break;
                case ATTR_PRIORITY: if (l == 4) r.priority = i32(b, v) & 0xFFFFFFFFL; break;
                case ATTR_MESSAGE_INTEGRITY: if (l != 20) return null; r.integrityAt = p - off; break;
                case ATTR_FINGERPRINT: if (l != 4) return null; r.fingerprintAt = p - off; break;
                default: break;
            }
            p = v + ((l + 3) & ~3);
        }
        if (p != end) return null;
        return r;
    }

    /** Local ufrag: the part of USERNAME before the colon (the receiver's own ufrag in a request to it). */
    public static String localUfrag(String username) {
        if (username == null) return null;
        int c = username.indexOf(':');
        return c < 0 ? null : username.substring(0, c);
    }

    /** Checks MESSAGE-INTEGRITY (HMAC-SHA1 keyed with the password, RFC 8489 14.5). */
    public static boolean checkIntegrity(byte[] b, int off, Request r, String password) {
        if (r.integrityAt < 0) return false;
        byte[] copy = new byte[r.integrityAt];
        System.arraycopy(b, off, copy, 0, r.integrityAt);
        // length field covers up to and including MESSAGE-INTEGRITY
        putU16(copy, 2, r.integrityAt - 20 + 24);
        byte[] mac = hmac(password, copy, copy.length);
        byte[] got = new byte[20];
        System.arraycopy(b, off + r.integrityAt + 4, got, 0, 20);
        return java.security.MessageDigest.isEqual(mac, got);     // constant time: no byte-by-byte oracle
    }

    public static boolean checkFingerprint(byte[] b, int off, Request r) {
        if (r.fingerprintAt < 0) return true; // optional for checks we accept
        CRC32 crc = new CRC32();
        crc.update(b, off, r.fingerprintAt);
        return ((int) crc.getValue() ^ FINGERPRINT_XOR) == i32(b, off + r.fingerprintAt + 4);
    }

    /** Builds a Binding success response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT. */
    public static byte[] bindingSuccess(byte[] transactionId, InetSocketAddress mapped, String password) {
        byte[] addr = mapped.getAddress().getAddress();
        int addrAttrLen = 4 + addr.length;
        int len = 20 + (4 + addrAttrLen) + 24 + 8;
        byte[] m = new byte[len];
        putU16(m, 0, BINDING_SUCCESS);
        putI32(m, 4, MAGIC);
        System.arraycopy(transactionId, 0, m, 8, 12);
        int p = 20;
        putU16(m, p, ATTR_XOR_MAPPED_ADDRESS);
        putU16(m, p + 2, addrAttrLen);
        m[p + 4] = 0;
        m[p + 5] = (byte) (addr.length == 4 ? 1 : 2);
        putU16(m, p + 6, mapped.getPort() ^ (MAGIC >>> 16));
        for (int i = 0; i < addr.length; i++) {
            int x = i < 4 ? (MAGIC >>> (24 - 8 * i)) & 0xFF : transactionId[i - 4] & 0xFF;
            m[p + 8 + i] = (byte) (addr[i] ^ x);
        }
        p += 4 + addrAttrLen;
        finishWithIntegrity(m, p, password);
        return m;
    }

    /** Builds a Binding error response (e.g. 400 Bad Request, 401 Unauthorized, 487 Role Conflict). */
    public static byte[] bindingError(byte[] transactionId, int code, String reason) {
        byte[] rb = reason.getBytes(StandardCharsets.UTF_8);
        int attrLen = 4 + rb.length;
        int padded = (attrLen + 3) & ~3;
        byte[] m = new byte[20 + 4 + padded + 8];
        putU16(m, 0, BINDING_ERROR);
        putI32(m, 4, MAGIC);
        System.arraycopy(transactionId, 0, m, 8, 12);
        putU16(m, 20, ATTR_ERROR_CODE);
        putU16(m, 22, attrLen);
        m[26] = (byte) (code / 100);
        m[27] = (byte) (code % 100);
        System.arraycopy(rb, 0, m, 28, rb.length);
        addFingerprint(m, 24 + padded);
        return m;
    }

    /** Builds a Binding request (used by tests and the load generator). */
    public static byte[] bindingRequest(byte[] transactionId, String username, String password, boolean useCandidate) {
        byte[] u = username.getBytes(StandardCharsets.UTF_8);
        int up = (u.length + 3) & ~3;
        int len = 20 + 4 + up + (useCandidate ? 4 : 0) + 12 + 24 + 8;
        byte[] m = new byte[len];
        putU16(m, 0, BINDING_REQUEST);
        putI32(m, 4, MAGIC);
        System.arraycopy(transactionId, 0, m, 8, 12);
        int p = 20;
        putU16(m, p, ATTR_USERNAME); putU16(m, p + 2, u.length);
        System.arraycopy(u, 0, m, p + 4, u.length);
        p += 4 + up;
        if (useCandidate) { putU16(m, p, ATTR_USE_CANDIDATE); putU16(m, p + 2, 0); p += 4; }
        putU16(m, p, ATTR_ICE_CONTROLLING); putU16(m, p + 2, 8); p += 12;
        finishWithIntegrity(m, p, password);
        return m;
    }

    private static void finishWithIntegrity(byte[] m, int p, String password) {
        putU16(m, 2, p - 20 + 24);
        byte[] mac = hmac(password, m, p);
        putU16(m, p, ATTR_MESSAGE_INTEGRITY);
        putU16(m, p + 2, 20);
        System.arraycopy(mac, 0, m, p + 4, 20);
        addFingerprint(m, p + 24);
    }

    private static void addFingerprint(byte[] m, int p) {
        putU16(m, 2, p - 20 + 8);
        CRC32 crc = new CRC32();
        crc.update(m, 0, p);
        putU16(m, p, ATTR_FINGERPRINT);
        putU16(m, p + 2, 4);
        putI32(m, p + 4, (int) crc.getValue() ^ FINGERPRINT_XOR);
    }

    private static byte[] hmac(String key, byte[] data, int len) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            mac.update(data, 0, len);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
