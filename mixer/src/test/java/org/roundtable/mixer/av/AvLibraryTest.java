package org.roundtable.mixer.av;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;

class AvLibraryTest {
    @Test
    void theLoadedFfmpegIsNotAGplBuild() {
        String conf = AvLibrary.configuration();
        assertFalse(conf.contains("--enable-gpl"), conf);
        assertFalse(AvLibrary.isGpl(conf));
        String licence = avcodec.avcodec_license().getString();   // "LGPL version 3 or later" (--enable-version3)
        assertTrue(licence.startsWith("LGPL"), licence);
    }

    /**
     * The server calls prepare() at start: FFmpeg's libraries are then in JavaCPP's cache, ready for a first
     * recording, but not loaded (~16 MB of PSS a server that never records should not carry). A JVM of its
     * own, since this one may have loaded them already.
     */
    @Test
    void prepareExtractsTheLibrariesWithoutLoadingThem() throws Exception {
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AvPrepareProbe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(out.contains("mapped=false"), "prepare() loaded FFmpeg's libraries: " + out);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cached=(\\S+)").matcher(out);
        assertTrue(m.find() && !m.group(1).equals("none") && java.nio.file.Files.size(java.nio.file.Path.of(m.group(1))) > 1_000_000,
                "libavcodec is extracted into JavaCPP's cache: " + out);
    }

    @Test
    void gplConfigurationsAreRecognised() {
        assertTrue(AvLibrary.isGpl("--prefix=.. --enable-shared --enable-gpl --enable-libx264"));
        assertTrue(AvLibrary.isGpl("--ENABLE-GPL"));
        assertFalse(AvLibrary.isGpl("--prefix=.. --enable-version3 --enable-libopenh264"));
    }

    @Test
    void theCodecsTheRecorderNeedsAreThere() {
        AvLibrary.ensureLoaded();
        assertNotNull(avcodec.avcodec_find_encoder_by_name("libopenh264"), "OpenH264 encoder");
        assertNotNull(avcodec.avcodec_find_encoder_by_name("aac"), "FFmpeg AAC encoder");
        assertNotNull(avcodec.avcodec_find_decoder(avcodec.AV_CODEC_ID_H264), "H.264 decoder");
        assertNotNull(avcodec.avcodec_find_decoder(avcodec.AV_CODEC_ID_VP8), "VP8 decoder");
        assertTrue(avcodec.avcodec_find_encoder_by_name("libx264") == null, "x264 (GPL) must not be linked");
    }
}
