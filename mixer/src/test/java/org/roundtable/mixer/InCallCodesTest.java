package org.roundtable.mixer;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.roundtable.bridge.rtp.Rfc4733;

class InCallCodesTest {
    static List<String> feed(String keys, long gapMs) {
        InCallCodes c = new InCallCodes();
        List<String> out = new ArrayList<>();
        long t = 0;
        for (char k : keys.toCharArray()) { String code = c.key(k, t += gapMs); if (code != null) out.add(code); }
        return out;
    }

    @Test void ourCodesAndNothingElse() {
        assertEquals(List.of("*7"), feed("*7", 200));
        assertEquals(List.of("*8", "#7", "#9"), feed("*8#7#9", 200));
        assertEquals(List.of("*45", "*46", "*44"), feed("*45*46*44", 200));
        assertEquals(List.of(), feed("*66*1234", 200), "leave voicemail: the PBX's");
        assertEquals(List.of(), feed("*97*5*98*0*0*3*1*62*200*67", 200), "pickup, park, retrieve, mobile: the PBX's");
        assertEquals(List.of("*7"), feed("1234*7", 200), "digits before a code do not matter");
        assertEquals(List.of(), feed("*7", 5000), "an unfinished code times out");
        assertEquals(List.of("#9"), feed("#1#9", 200));
    }

    @Test void rfc4733ReportsEachKeyOnce() {
        Rfc4733 r = new Rfc4733();
        StringBuilder keys = new StringBuilder();
        long ts = 1000;
        for (int event : new int[] {10, 7}) {               // '*', '7'
            for (int i = 1; i <= 6; i++) {                  // growing duration, then 3 end packets
                byte[] p = Rfc4733.payload(event, i > 3, 10, i * 160);
                char k = r.onPacket(ts, p, 0, p.length);
                if (k != 0) keys.append(k);
            }
            ts += 1600;
        }
        assertEquals("*7", keys.toString());
        assertEquals(0, r.onPacket(ts, new byte[] {1, 2}, 0, 2), "malformed");
        assertEquals(1, r.malformed);
        assertEquals('#', Rfc4733.key(11));
        assertEquals('D', Rfc4733.key(15));
        assertEquals(0, Rfc4733.key(16), "tones are not keys");
    }
}
