package org.roundtable.signaling.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One headless Firefox ESR (Debian's {@code firefox-esr}, fake camera and microphone) driven over WebDriver
 * BiDi, which Firefox serves itself on {@code --remote-debugging-port}: no geckodriver. Each member is a
 * tab. Script results travel as JSON text (stringified in the page) and come back as Jackson's plain
 * Java values (Map, List, Number, String, Boolean), like Selenium's. The page's console goes to stdout
 * as {@code [firefox] ...}. See shared/harness/firefox/README.md for the prefs and why each is needed.
 */
public final class Firefox implements WebClient {
    public static final String BINARY = "/usr/bin/firefox-esr";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prefs for WebRTC in a loopback-only namespace, and nothing in the background that reaches out. */
    private static final String PREFS = String.join("\n",
            "user_pref('media.navigator.streams.fake', true);",
            "user_pref('media.navigator.permission.disabled', true);",
            "user_pref('media.navigator.permission.fake', true);",     // without it no candidates in a netns without a default route
            "user_pref('media.peerconnection.ice.loopback', true);",
            "user_pref('media.peerconnection.ice.obfuscate_host_addresses', false);",
            "user_pref('media.getusermedia.screensharing.enabled', true);",
            "user_pref('media.autoplay.default', 0);",
            "user_pref('media.autoplay.blocking_policy', 0);",
            "user_pref('dom.min_background_timeout_value', 4);",      // background tabs keep their timers
            "user_pref('dom.timeout.enable_budget_timer_throttling', false);",
            "user_pref('remote.active-protocols', 1);",
            "user_pref('network.proxy.type', 0);",
            "user_pref('network.dns.disableIPv6', true);",
            "user_pref('browser.shell.checkDefaultBrowser', false);",
            "user_pref('browser.startup.page', 0);",
            "user_pref('browser.startup.homepage', 'about:blank');",
            "user_pref('browser.startup.homepage_override.mstone', 'ignore');",
            "user_pref('startup.homepage_welcome_url', 'about:blank');",
            "user_pref('startup.homepage_welcome_url.additional', '');",
            "user_pref('browser.aboutwelcome.enabled', false);",
            "user_pref('browser.newtabpage.enabled', false);",
            "user_pref('browser.tabs.warnOnClose', false);",
            "user_pref('browser.sessionstore.resume_from_crash', false);",
            "user_pref('datareporting.policy.dataSubmissionEnabled', false);",
            "user_pref('datareporting.healthreport.uploadEnabled', false);",
            "user_pref('toolkit.telemetry.enabled', false);",
            "user_pref('toolkit.telemetry.unified', false);",
            "user_pref('toolkit.telemetry.server', '');",
            "user_pref('app.update.auto', false);",
            "user_pref('app.update.enabled', false);",
            "user_pref('app.normandy.enabled', false);",
            "user_pref('app.shield.optoutstudies.enabled', false);",
            "user_pref('extensions.update.enabled', false);",
            "user_pref('browser.safebrowsing.malware.enabled', false);",
            "user_pref('browser.safebrowsing.phishing.enabled', false);",
            "user_pref('browser.safebrowsing.downloads.enabled', false);",
            "user_pref('network.captive-portal-service.enabled', false);",
            "user_pref('network.connectivity-service.enabled', false);",
            "user_pref('media.gmp-manager.updateEnabled', false);",
            "user_pref('messaging-system.rsexperimentloader.enabled', false);", "");

    private final Process process;
    private final Path profile;
    private final WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> contexts = new ArrayList<>();
    private boolean firstTabUsed;

    /** extraPrefs: more user.js lines, e.g. {@code user_pref('media.peerconnection.ice.tcp', true);}. */
    public Firefox(String... extraPrefs) throws Exception {
        if (!new File(BINARY).canExecute()) throw new IllegalStateException("Firefox ESR is not installed (" + BINARY + "): run the README's test command");
        profile = Files.createTempDirectory("rt-firefox");
        Files.writeString(profile.resolve("user.js"), PREFS + String.join("\n", extraPrefs) + "\n");
        int port = E2e.freeTcpPort();
        ProcessBuilder pb = new ProcessBuilder(Peers.command(BINARY, "--headless", "--no-remote", "--profile", profile.toString(),
                "--remote-debugging-port", String.valueOf(port), "about:blank"))
                .redirectErrorStream(true).redirectOutput(profile.resolve("firefox.log").toFile());
        pb.environment().put("HOME", profile.toString());
        pb.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
        process = pb.start();
        WebSocket socket = null;
        long end = System.currentTimeMillis() + 30_000;
        while (socket == null) {
            try {
                socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(2))
                        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/session"), new Listener()).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (!process.isAlive() || System.currentTimeMillis() > end) {
                    process.destroyForcibly();
                    throw new IllegalStateException("Firefox's WebDriver BiDi did not come up: " + Files.readString(profile.resolve("firefox.log")), e);
                }
                Thread.sleep(200);
            }
        }
        ws = socket;
        ObjectNode caps = JSON.createObjectNode();
        caps.putObject("capabilities").putObject("alwaysMatch").put("acceptInsecureCerts", true);
        send("session.new", caps);
        ObjectNode sub = JSON.createObjectNode();
        sub.putArray("events").add("log.entryAdded");
        send("session.subscribe", sub);
        for (JsonNode c : send("browsingContext.getTree", JSON.createObjectNode()).path("contexts")) contexts.add(c.path("context").asText());
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode m = JSON.readTree(text);
                    if (m.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                        if (f != null) f.complete(m);
                    } else if ("log.entryAdded".equals(m.path("method").asText())) {
                        JsonNode p = m.path("params");
                        System.out.println("[firefox] " + p.path("level").asText() + " " + p.path("text").asText());
                    }
                } catch (Exception e) {
                    System.out.println("[firefox] unreadable BiDi message: " + e);
                }
            }
            w.request(1);
            return null;
        }
    }

    private JsonNode send(String method, ObjectNode params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id).put("method", method).set("params", params);
        try {
            ws.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
            JsonNode r = f.get(60, TimeUnit.SECONDS);
            if ("error".equals(r.path("type").asText()))
                throw new IllegalStateException(method + ": " + r.path("error").asText() + ": " + r.path("message").asText());
            return r.path("result");
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(method + " failed", e);
        } finally {
            pending.remove(id);
        }
    }

    @Override public String open(String url) {
        String ctx;
        if (!firstTabUsed && !contexts.isEmpty()) {
            ctx = contexts.get(0);
        } else {
            ObjectNode p = JSON.createObjectNode().put("type", "tab");
            ctx = send("browsingContext.create", p).path("context").asText();
            contexts.add(ctx);
        }
        firstTabUsed = true;
        send("browsingContext.navigate", JSON.createObjectNode().put("context", ctx).put("url", url).put("wait", "complete"));
        return ctx;
    }

    @Override public Object js(String tab, String script, Object... args) {
        return call(tab, "function() { const r = (function() {" + script + "\n}).apply(null, arguments);"
                + " return JSON.stringify(r === undefined ? null : r); }", args);
    }

    @Override public Object jsAsync(String tab, String script, Object... args) {
        return call(tab, "function() { const a = Array.from(arguments); return new Promise(done => { a.push(done);"
                + " (function() {" + script + "\n}).apply(null, a); }).then(r => JSON.stringify(r === undefined ? null : r)); }", args);
    }

    private Object call(String tab, String function, Object... args) {
        ObjectNode p = JSON.createObjectNode();
        p.put("functionDeclaration", function).put("awaitPromise", true).put("resultOwnership", "none");
        p.putObject("target").put("context", tab);
        ArrayNode a = p.putArray("arguments");
        for (Object o : args) {
            ObjectNode v = a.addObject();
            if (o == null) v.put("type", "null");
            else if (o instanceof Boolean bo) v.put("type", "boolean").put("value", bo);
            else if (o instanceof Number n) v.put("type", "number").put("value", n.doubleValue());
            else v.put("type", "string").put("value", o.toString());
        }
        JsonNode r = send("script.callFunction", p);
        if ("exception".equals(r.path("type").asText()))
            throw new IllegalStateException("script failed in Firefox: " + r.path("exceptionDetails").path("text").asText());
        try {
            return JSON.readValue(r.path("result").path("value").asText("null"), Object.class);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable script result", e);
        }
    }

    /** A real mouse click on the element (the page gets a user activation, as getDisplayMedia needs). */
    public void click(String tab, String cssSelector) {
        ObjectNode q = JSON.createObjectNode();
        q.put("expression", "document.querySelector(" + JSON.valueToTree(cssSelector) + ")").put("awaitPromise", false).put("resultOwnership", "root");
        q.putObject("target").put("context", tab);
        JsonNode r = send("script.evaluate", q);
        String id = r.path("result").path("sharedId").asText(null);
        if (id == null) throw new IllegalStateException("no element " + cssSelector + ": " + r);
        ObjectNode a = JSON.createObjectNode().put("context", tab);
        ObjectNode mouse = a.putArray("actions").addObject().put("type", "pointer").put("id", "mouse");
        ArrayNode steps = mouse.putArray("actions");
        ObjectNode move = steps.addObject().put("type", "pointerMove").put("x", 0).put("y", 0);
        move.putObject("origin").put("type", "element").putObject("element").put("sharedId", id);
        steps.addObject().put("type", "pointerDown").put("button", 0);
        steps.addObject().put("type", "pointerUp").put("button", 0);
        send("input.performActions", a);
    }

    @Override public void closeTab(String tab) {
        send("browsingContext.close", JSON.createObjectNode().put("context", tab));
        contexts.remove(tab);
    }

    @Override public void close() {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Firefox is going anyway
        }
        List<ProcessHandle> children = process.descendants().toList();   // content processes
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            children.forEach(ProcessHandle::destroyForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (Exception e) {
            // a temp directory
        }
    }
}
