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
