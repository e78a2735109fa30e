package org.roundtable.mixer;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class G711Test {
    @Test void knownValuesAndRoundTrip() {
        assertEquals(0, G711.ulawToLinear(0xFF));
        assertEquals(-32124, G711.ulawToLinear(0x00));
        assertEquals(32124, G711.ulawToLinear(0x80));
        assertEquals(8, G711.alawToLinear(0xD5));
        assertEquals(-8, G711.alawToLinear(0x55));
        for (int b = 0; b < 256; b++) {
            if (b != 0x7F) assertEquals((byte) b, G711.linearToUlaw(G711.ulawToLinear(b)), "µ-law code " + b);
            assertEquals((byte) b, G711.linearToAlaw(G711.alawToLinear(b)), "A-law code " + b);
        }
    }

    @Test void quantisationErrorIsSmall() {
        for (int x = -32000; x <= 32000; x += 97) {
            int u = G711.ulawToLinear(G711.linearToUlaw(x)), a = G711.alawToLinear(G711.linearToAlaw(x));
            int tol = Math.max(16, Math.abs(x) / 16);
            assertTrue(Math.abs(u - x) <= tol, "µ-law " + x + " -> " + u);
            assertTrue(Math.abs(a - x) <= tol, "A-law " + x + " -> " + a);
        }
    }
}
