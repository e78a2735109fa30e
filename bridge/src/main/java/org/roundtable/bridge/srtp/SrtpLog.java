package org.roundtable.bridge.srtp;

import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import org.jitsi.utils.logging2.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logger jitsi-srtp's contexts are given: warnings and errors go to SLF4J ("roundtable.srtp"), debug
 * and trace are dropped here, in a method small enough to be inlined everywhere. jitsi-srtp logs its
 * replay window at debug level for every packet with a capturing lambda; with jitsi's own LoggerImpl
 * the level check sits calls deep (java.util.logging), and whether the JIT inlined it, and so removed the
 * lambda, depended on what else had run: ForwardAllocationTest saw 0.03 B per forwarded packet alone and
 * 31 B after the AES-CM tests in the same JVM. With debug a no-op the lambda is dead wherever it is made.
 * Children are this same logger (jitsi names one per context; the names are not used). Thread: any.
 */
final class SrtpLog implements Logger {
    static final SrtpLog INSTANCE = new SrtpLog();
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger("roundtable.srtp");

    private SrtpLog() {}

    @Override public Logger createChildLogger(String name, Map<String, String> context) { return this; }
    @Override public Logger createChildLogger(String name) { return this; }
    @Override public void setUseParentHandlers(boolean use) { }
    @Override public void addHandler(Handler h) { }
    @Override public void removeHandler(Handler h) { }

    @Override public boolean isTraceEnabled() { return false; }
    @Override public void trace(Object msg) { }
    @Override public void trace(Supplier<String> msg) { }
    @Override public boolean isDebugEnabled() { return false; }
    @Override public void debug(Object msg) { }
    @Override public void debug(Supplier<String> msg) { }

    @Override public boolean isInfoEnabled() { return LOG.isInfoEnabled(); }
    @Override public void info(Object msg) { LOG.info(String.valueOf(msg)); }
    @Override public void info(Supplier<String> msg) { if (LOG.isInfoEnabled()) LOG.info(msg.get()); }
    @Override public boolean isWarnEnabled() { return LOG.isWarnEnabled(); }
    @Override public void warn(Object msg) { LOG.warn(String.valueOf(msg)); }
    @Override public void warn(Supplier<String> msg) { if (LOG.isWarnEnabled()) LOG.warn(msg.get()); }
    @Override public void warn(Object msg, Throwable t) { LOG.warn(String.valueOf(msg), t); }
    @Override public void error(Object msg) { LOG.error(String.valueOf(msg)); }
    @Override public void error(Supplier<String> msg) { LOG.error(msg.get()); }
    @Override public void error(Object msg, Throwable t) { LOG.error(String.valueOf(msg), t); }

    @Override public void setLevelError() { }
    @Override public void setLevelWarn() { }
    @Override public void setLevelInfo() { }
    @Override public void setLevelDebug() { }
    @Override public void setLevelTrace() { }
    @Override public void setLevelAll() { }
    @Override public void setLevelOff() { }
    @Override public void setLevel(Level level) { }
    @Override public Level getLevel() { return Level.INFO; }
    @Override public void addContext(Map<String, String> context) { }
    @Override public void addContext(String key, String value) { }
}
