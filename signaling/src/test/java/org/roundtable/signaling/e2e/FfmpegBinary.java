package org.roundtable.signaling.e2e;

import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The ffmpeg binary from the bytedeco FFmpeg jar (the LGPL build the mixer ships: it has the WHIP muxer and OpenH264; Debian's
 * ffmpeg 5.1 has none), unpacked once with its libraries. Run it with LD_LIBRARY_PATH set to {@link #dir()}.
 */
final class FfmpegBinary {
    private static final String PREFIX = "org/bytedeco/ffmpeg/linux-x86_64/";
    private static Path dir;

    static synchronized Path dir() throws Exception {
        if (dir != null) return dir;
        URL u = FfmpegBinary.class.getClassLoader().getResource(PREFIX + "ffmpeg");
        if (u == null) throw new IllegalStateException("bytedeco ffmpeg jar is not on the test classpath");
        Path out = Files.createTempDirectory("rt-ffmpeg");
        try (JarFile jar = ((JarURLConnection) u.openConnection()).getJarFile()) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                JarEntry je = e.nextElement();
                if (je.isDirectory() || !je.getName().startsWith(PREFIX)) continue;
                Path f = out.resolve(je.getName().substring(PREFIX.length()));
                try (InputStream in = jar.getInputStream(je)) { Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING); }
                f.toFile().setExecutable(true);
            }
        }
        dir = out;
        return dir;
    }

    static ProcessBuilder command(String... args) throws Exception {
        Path d = dir();
        String[] cmd = new String[args.length + 1];
        cmd[0] = d.resolve("ffmpeg").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LD_LIBRARY_PATH", d.toString());
        return pb;
    }
}
