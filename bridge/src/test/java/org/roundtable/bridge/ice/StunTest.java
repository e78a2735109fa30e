package org.roundtable.bridge.ice;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class StunTest {
    static final byte[] TX = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    @Test void requestRoundTripWithIntegrityAndFingerprint() {
        byte[] req = Stun.bindingRequest(TX, "local:remote", "pass-word-of-24-chars!!!", true);
        assertTrue(Stun.looksLikeStun(req, 0, req.length));
        Stun.Request r = Stun.parse(req, 0, req.length);
        assertNotNull(r);
        assertEquals(Stun.BINDING_REQUEST, r.type);
        assertEquals("local:remote", r.username);
        assertEquals("local", Stun.localUfrag(r.username));
        assertTrue(r.useCandidate);
        assertTrue(r.controlling);
        assertArrayEquals(TX, r.transactionId);
        assertTrue(Stun.checkIntegrity(req, 0, r, "pass-word-of-24-chars!!!"));
        assertFalse(Stun.checkIntegrity(req, 0, r, "wrong"));
        assertTrue(Stun.checkFingerprint(req, 0, r));
        req[25] ^= 1; // flip a bit in USERNAME
        Stun.Request bad = Stun.parse(req, 0, req.length);
        assertFalse(Stun.checkIntegrity(req, 0, bad, "pass-word-of-24-chars!!!"));
        assertFalse(Stun.checkFingerprint(req, 0, bad));
    }

    @Test void successResponseCarriesXorMappedAddress() {
        byte[] res = Stun.bindingSuccess(TX, new InetSocketAddress("127.0.0.1", 54321), "pw");
        Stun.Request r = Stun.parse(res, 0, res.length);
        assertNotNull(r);
        assertEquals(Stun.BINDING_SUCCESS, r.type);
        assertTrue(Stun.checkIntegrity(res, 0, r, "pw"));
        assertTrue(Stun.checkFingerprint(res, 0, r));
        // XOR-MAPPED-ADDRESS at 20: type, len, 0, family, port ^ 0x2112, addr ^ magic
        assertEquals(0x0020, ((res[20] & 0xFF) << 8) | (res[21] & 0xFF));
        int port = (((res[26] & 0xFF) << 8) | (res[27] & 0xFF)) ^ 0x2112;
        assertEquals(54321, port);
        assertEquals(127, (res[28] ^ 0x21) & 0xFF);
        assertEquals(1, (res[31] ^ 0x42) & 0xFF);
    }

    @Test void malformedIsNull() {
        assertNull(Stun.parse(new byte[19], 0, 19));
        byte[] req = Stun.bindingRequest(TX, "a:b", "pw", false);
        byte[] lying = req.clone();
        lying[3] = (byte) (lying[3] + 4);                 // length claims more than is there
        assertNull(Stun.parse(lying, 0, lying.length));
        byte[] attr = req.clone();
        attr[23] = (byte) 200;                             // USERNAME length runs past the message
        assertNull(Stun.parse(attr, 0, attr.length));
        byte[] cookie = req.clone(); cookie[4] = 0;        // no magic cookie
        assertNull(Stun.parse(cookie, 0, cookie.length));
        byte[] err = Stun.bindingError(TX, 401, "Unauthorized");
        assertEquals(Stun.BINDING_ERROR, Stun.parse(err, 0, err.length).type);
    }
}
