package org.roundtable.mixer.av;

import java.util.Locale;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads FFmpeg (the bytedeco presets' natives) once and checks its licence before anything is encoded:
 * the server is Apache-2.0 and may link only an LGPL FFmpeg. The plain {@code ffmpeg-…-linux-x86_64}
 * jar is built {@code --enable-version3} without {@code --enable-gpl} (LGPL v3+); the
 * {@code linux-x86_64-gpl} jar adds x264/x265 and is refused. When both jars are on a classpath (the
 * signaling tests, bench), JavaCPP loads the -gpl natives whatever their order, so the check reads the
 * configuration of the library actually loaded.
 * Thread: any; {@link #ensureLoaded()} is idempotent and synchronised.
 */
public final class AvLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(AvLibrary.class);
    /** Set to {@code true} only in tests that knowingly run with the -gpl jar (never in the server). */
    public static final String ALLOW_GPL_PROPERTY = "roundtable.av.allowGpl";
    private static volatile boolean loaded;
    private static String configuration;

    private AvLibrary() {}

    /**
     * Loads the natives, logs the FFmpeg version and configuration, quiets FFmpeg's own logging (errors
     * reach us as return codes; a stream of bad input must not flood stderr) and refuses a GPL build.
     *
     * @throws IllegalStateException if the loaded avcodec was configured with {@code --enable-gpl}
     */
    public static synchronized void ensureLoaded() {
        if (loaded) return;
        // every preset we use, now: JavaCPP extracts each library to its cache on first load, and a first
        // recording should not wait for (or fail on) 50 MB of extraction mid-meeting
        org.bytedeco.javacpp.Loader.load(avutil.class);
        org.bytedeco.javacpp.Loader.load(avcodec.class);
        org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.global.avformat.class);
        org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.global.swscale.class);
        org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.global.swresample.class);
        String conf = avcodec.avcodec_configuration().getString();
        String licence = avcodec.avcodec_license().getString();
        String version = avutil.av_version_info().getString();
        LOG.info("FFmpeg {} ({}), configuration: {}", version, licence, conf);
        if (isGpl(conf) && !Boolean.getBoolean(ALLOW_GPL_PROPERTY)) {
            throw new IllegalStateException("the loaded FFmpeg is a GPL build (" + licence + "): the server may"
                    + " use only the LGPL org.bytedeco:ffmpeg:linux-x86_64 jar, not linux-x86_64-gpl");
        }
        avutil.av_log_set_level(avutil.AV_LOG_FATAL);
        configuration = conf;
        loaded = true;
    }

    /**
     * Gets FFmpeg ready to load without loading it: extracts its libraries into JavaCPP's cache (65 MB, about
     * 0.4 s the first time on a machine, a look at the files after that), so a first recording's
     * {@link #ensureLoaded} takes ~0.2 s instead of several, and says at once when a GPL build is on the
     * class path. Loading it (its libraries mapped, their relocations written, 190 classes) costs about
     * 16 MB of the process's PSS, which a server that never records should not carry. Touches no FFmpeg class
     * (their initialisers load the natives). Any thread; the server calls it once at start, off its main thread.
     */
    public static void prepare() throws java.io.IOException {
        String platform = org.bytedeco.javacpp.Loader.getPlatform();
        org.bytedeco.javacpp.Loader.cacheResources("/org/bytedeco/ffmpeg/" + platform + "/");
        if (AvLibrary.class.getResource("/org/bytedeco/ffmpeg/" + platform + "-gpl/") != null && !Boolean.getBoolean(ALLOW_GPL_PROPERTY)) {
            LOG.error("a GPL FFmpeg (org.bytedeco:ffmpeg:{}-gpl) is on the class path: JavaCPP would load it, and recordings and"
                    + " live streams will refuse to start; the server may use only the LGPL {} jar", platform, platform);
        }
    }

    /** avcodec's configure line, as the loaded library reports it. */
    public static String configuration() {
        ensureLoaded();
        return configuration;
    }

    /** Whether a configure line builds a GPL FFmpeg. */
    public static boolean isGpl(String configureLine) {
        return configureLine.toLowerCase(Locale.ROOT).contains("--enable-gpl");
    }

    /** FFmpeg's text for an error code. */
    public static String errorString(int code) {
        byte[] buf = new byte[128];
        if (avutil.av_strerror(code, buf, buf.length) < 0) return "error " + code;
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A copy of a codec context's extradata (its global header). */
    static byte[] extradata(org.bytedeco.ffmpeg.avcodec.AVCodecContext c) {
        if (c == null || c.extradata() == null || c.extradata_size() <= 0) return new byte[0];
        byte[] b = new byte[c.extradata_size()];
        c.extradata().get(b);
        return b;
    }

    /** Throws an {@link AvException} for a negative return code; returns it otherwise. */
    static int check(int ret, String what) throws AvException {
        if (ret < 0) throw new AvException(what, ret);
        return ret;
    }
}
