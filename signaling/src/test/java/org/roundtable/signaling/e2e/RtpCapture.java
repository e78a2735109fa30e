package org.roundtable.signaling.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a peer that reports nothing itself (sipp) was sent: tcpdump captures the UDP datagrams to one
 * port on loopback, and this reads the pcap back as RTP packets. Needs tcpdump (ops/test.sh installs it)
 * and root, so it runs in the test namespace only.
 */
final class RtpCapture implements AutoCloseable {
    /** One captured RTP packet: payload type and payload. */
    record Rtp(int pt, byte[] payload) {}

    private final Path file;
    private final Process tcpdump;

    RtpCapture(int udpPort) throws Exception {
        file = Files.createTempFile("rt-capture", ".pcap");
        Path log = Files.createTempFile("rt-capture", ".log");
        // -U: write each packet at once; -Z root: keep the rights to write where the test asked
        tcpdump = new ProcessBuilder("tcpdump", "-i", "lo", "-n", "-U", "-Z", "root", "-w", file.toString(), "udp and dst port " + udpPort)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(E2e.waitFor(5_000, () -> { try { return Files.readString(log).contains("listening on"); } catch (Exception e) { return false; } }),
                "tcpdump started: " + Files.readString(log));
    }

    /** Stops the capture and returns its RTP packets (version 2, not RTCP). */
    List<Rtp> stop() throws Exception {
        close();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Rtp> out = new ArrayList<>();
        if (b.remaining() < 24) return out;
        int magic = b.getInt(0);
        b.order(magic == 0xa1b2c3d4 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int link = b.getInt(20);   // 1: Ethernet (lo), 113: Linux cooked
        int l2 = link == 1 ? 14 : link == 113 ? 16 : 0;
        b.position(24);
        while (b.remaining() >= 16) {
            b.getInt(); b.getInt();
            int caplen = b.getInt();
            b.getInt();
            if (caplen > b.remaining()) break;
            int at = b.position();
            b.position(at + caplen);
            int ip = at + l2;
            if (caplen < l2 + 20 || (b.get(ip) & 0xF0) != 0x40 || b.get(ip + 9) != 17) continue;
            int udp = ip + (b.get(ip) & 0x0F) * 4, rtp = udp + 8, len = at + caplen - rtp;
            if (len < 12 || (b.get(rtp) & 0xC0) != 0x80) continue;
            int pt = b.get(rtp + 1) & 0x7F;
            if (pt >= 72 && pt <= 79) continue;   // RTCP
            int header = 12 + 4 * (b.get(rtp) & 0x0F);
            if (len <= header) continue;
            byte[] payload = new byte[len - header];
            b.get(rtp + header, payload);
            out.add(new Rtp(pt, payload));
        }
        return out;
    }

    @Override public void close() throws Exception {
        if (!tcpdump.isAlive()) return;
        tcpdump.destroy();
        if (!tcpdump.waitFor(5, TimeUnit.SECONDS)) tcpdump.destroyForcibly();
    }
}
