package org.roundtable.streaming.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import javax.imageio.ImageIO;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The live link's pages over a real Jetty on 127.0.0.1: the viewer page (the subject escaped: a host's
 * subject cannot script viewers' pages), status.json, the QR code (decodes to the link), the vendored
 * player; a revoked token 403, an unknown one 404; HLS paths are left to the next handler.
 */
class LivePagesTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void pagesStatusQrAndRefusals() throws Exception {
        LiveDirectory d = new LiveDirectory(Clock.systemUTC());
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        server.setHandler(new Handler.Sequence(new LiveHandler(d), new Handler.Abstract.NonBlocking() {
            @Override public boolean handle(org.eclipse.jetty.server.Request rq, org.eclipse.jetty.server.Response rs, org.eclipse.jetty.util.Callback cb) {
                rs.setStatus(299);           // "the next handler": HLS
                cb.succeeded();
                return true;
            }
        }));
        server.start();
        try {
            String base = "http://127.0.0.1:" + c.getLocalPort();
            LiveDirectory.Channel ch = d.open("m1", "Q3 review </script><script>alert(1)</script> & \"more\"");
            HttpResponse<String> page = get(base + "/live/" + ch.token);
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
            assertFalse(page.body().contains("<script>alert(1)"), "the subject is escaped in the page");
            assertTrue(page.body().contains("Q3 review &lt;/script&gt;"), "and shown in the title");
            assertTrue(page.body().contains("/live/assets/hls.light.min.js"));
            HttpResponse<String> status = get(base + "/live/" + ch.token + "/status.json");
            assertEquals("no-cache", status.headers().firstValue("Cache-Control").orElse(""));
            assertTrue(status.body().startsWith("{\"state\":\"waiting\""), status.body());
            assertFalse(status.body().contains("</script>"), "escaped in JSON too");
            assertEquals(200, get(base + "/live/assets/hls.light.min.js").statusCode());
            assertEquals(200, get(base + "/live/assets/hls.js-LICENSE").statusCode());
            assertEquals(404, get(base + "/live/assets/../viewer.html").statusCode());

            HttpResponse<byte[]> qr = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/live/" + ch.token + "/qr.png")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("image/png", qr.headers().firstValue("Content-Type").orElse(""));
            assertEquals(base + "/live/" + ch.token, decode(qr.body()), "the QR code is the link");
            // and any link decodes, whatever its token
            for (int i = 0; i < 40; i++) {
                String link = base + "/live/" + d.open("m" + i, "x").token;
                assertEquals(link, decode(QrCodes.png(link, 320)), "QR code of " + link);
            }

            assertEquals(299, get(base + "/live/" + ch.token + "/index.m3u8").statusCode(), "the playlist is the HLS handler's");
            LiveDirectory.Channel renewed = d.revoke(ch);
            assertEquals(403, get(base + "/live/" + ch.token).statusCode());
            assertEquals(403, get(base + "/live/" + ch.token + "/qr.png").statusCode());
            assertEquals(200, get(base + "/live/" + renewed.token + "/status.json").statusCode());
            assertEquals(404, get(base + "/live/nope").statusCode());
            d.end(renewed);
            assertTrue(get(base + "/live/" + renewed.token + "/status.json").body().contains("\"ended\""));
        } finally {
            server.stop();
        }
    }

    /** Reads a QR code PNG as a phone's scanner would: the whole picture, trying hard. */
    static String decode(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int w = img.getWidth(), h = img.getHeight();
        java.util.Map<com.google.zxing.DecodeHintType, Object> hints = java.util.Map.of(com.google.zxing.DecodeHintType.TRY_HARDER, Boolean.TRUE,
                com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE);
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(w, h, img.getRGB(0, 0, w, h, null, 0, w)))), hints).getText();
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
