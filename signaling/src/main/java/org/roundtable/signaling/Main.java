package org.roundtable.signaling;

/** {@code java -jar roundtable.jar [--http-port N] [--media-port N] [--config FILE]} */
public final class Main {
    public static void main(String[] args) throws Exception {
        Integer http = null, media = null;
        String config = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--http-port" -> http = Integer.parseInt(args[++i]);
                case "--media-port" -> media = Integer.parseInt(args[++i]);
                case "--config" -> config = args[++i];
                case "-h", "--help" -> {
                    System.out.println("usage: roundtable [--http-port N] [--media-port N] [--config FILE]");
                    return;
                }
                default -> {
                    System.err.println("unknown argument: " + args[i]);
                    System.exit(2);
                }
            }
        }
        // Production: no leak-tracking stack traces on the media path (tests run with paranoid detection).
        if (System.getProperty("io.netty.leakDetection.level") == null)
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        ServerConfig cfg;
        try {
            cfg = ServerConfig.load(config, http, media);
        } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
            // a value out of range or a missing or mistyped key: one line that names it, not a stack trace
            System.err.println("bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        RoundtableServer s = new RoundtableServer(cfg).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try { s.close(); } catch (Exception ignored) { /* exiting */ }
        }));
        System.out.println("Roundtable is running: open " + s.url() + "  (media udp/tcp port " + s.bridge.udpPort() + ")");
        Thread.currentThread().join();
    }
}
