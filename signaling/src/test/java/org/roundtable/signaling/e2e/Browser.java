package org.roundtable.signaling.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * One headless Chromium (Debian's, with fake camera and microphone) driven by Selenium; each participant
 * is a tab, which is far cheaper on 2 cores than a browser each (shared/PITFALLS.md). It runs behind the
 * server under test ({@link Peers}).
 */
public final class Browser implements WebClient {
    public static final String CHROME = "/usr/lib/chromium/chromium";
    public static final String DRIVER = "/usr/bin/chromedriver";
    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;
    private boolean firstTabUsed;

    public Browser(String... extraArgs) throws Exception { this(Peers.NICE, extraArgs); }

    /** A browser at the given nice value ({@link Peers#BEHIND}: behind the server). */
    public Browser(int nice, String... extraArgs) throws Exception {
        if (!new File(CHROME).canExecute() || !new File(DRIVER).canExecute())
            throw new IllegalStateException("Chromium is not installed (" + CHROME + ", " + DRIVER + "): run the README's test command");
        profile = Files.createTempDirectory("rt-chrome");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROME);
        o.addArguments(List.of(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--metrics-recording-only",
                "--disable-domain-reliability", "--disable-breakpad",
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                "--allow-loopback-in-peer-connection",
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--autoplay-policy=no-user-gesture-required",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows",
                "--user-data-dir=" + profile));
        o.addArguments(List.of(extraArgs));
        service = new ChromeDriverService.Builder().usingDriverExecutable(Peers.wrapper(DRIVER, nice).toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    /** Opens url in a new tab (the first call reuses the initial one) and returns the tab's handle. */
    @Override public String open(String url) {
        if (firstTabUsed) driver.switchTo().newWindow(WindowType.TAB);
        firstTabUsed = true;
        driver.get(url);
        return driver.getWindowHandle();
    }

    @Override public Object js(String tab, String script, Object... args) {
        driver.switchTo().window(tab);
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs an async script (last argument is the callback) in a tab. */
    @Override public Object jsAsync(String tab, String script, Object... args) {
        driver.switchTo().window(tab);
        return ((JavascriptExecutor) driver).executeAsyncScript(script, args);
    }

    /** The driver, switched to a tab (for screenshots). */
    public ChromeDriver driver(String tab) {
        driver.switchTo().window(tab);
        return driver;
    }

    @Override public void closeTab(String tab) {
        driver.switchTo().window(tab);
        driver.close();
        for (String h : driver.getWindowHandles()) { driver.switchTo().window(h); break; }
    }

    @Override public void close() {
        try { driver.quit(); } finally { service.stop(); }
    }
}
