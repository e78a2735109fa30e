package org.roundtable.mixer.av;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link AvLibraryTest}: calls {@link AvLibrary#prepare} and prints whether
 * FFmpeg's libraries are now mapped into the process ("mapped=...") and where its avcodec lies in
 * JavaCPP's cache ("cached=...", or "cached=none").
 */
public final class AvPrepareProbe {
    public static void main(String[] args) throws Exception {
        AvLibrary.prepare();
        boolean mapped = Files.readString(Path.of("/proc/self/maps")).contains("libavcodec");
        String cached;
        try (var s = Files.walk(org.bytedeco.javacpp.Loader.getCacheDir().toPath())) {
            cached = s.filter(p -> p.getFileName().toString().startsWith("libavcodec.so")).map(Path::toString).findFirst().orElse("none");
        }
        System.out.println("mapped=" + mapped);
        System.out.println("cached=" + cached);
    }
}
