package org.roundtable.signaling.sip;

import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's logging routed to SLF4J (its default loggers need log4j 1.2, which we do not ship):
 * warnings and errors only; SIP message traces are off. Thread-safe.
 */
public final class SipLoggers {
    private SipLoggers() {}
    static final Logger LOG = LoggerFactory.getLogger("roundtable.sip.stack");

    public static final class Stack implements gov.nist.core.StackLogger {
        @Override public void logStackTrace() { }
        @Override public void logStackTrace(int level) { }
        @Override public int getLineCount() { return 0; }
        @Override public void logException(Throwable t) { LOG.warn("SIP stack: {}", t.toString()); }
        @Override public void logDebug(String m) { }
        @Override public void logDebug(String m, Exception e) { }
        @Override public void logTrace(String m) { }
        @Override public void logFatalError(String m) { LOG.error("SIP stack: {}", m); }
        @Override public void logError(String m) { LOG.warn("SIP stack: {}", m); }
        @Override public boolean isLoggingEnabled() { return true; }
        @Override public boolean isLoggingEnabled(int level) { return level <= TRACE_WARN; }
        @Override public void logError(String m, Exception e) { LOG.warn("SIP stack: {}: {}", m, e.toString()); }
        @Override public void logWarning(String m) { LOG.debug("SIP stack: {}", m); }
        @Override public void logInfo(String m) { }
        @Override public void disableLogging() { }
        @Override public void enableLogging() { }
        @Override public void setBuildTimeStamp(String s) { }
        @Override public void setStackProperties(Properties p) { }
        @Override public String getLoggerName() { return "roundtable.sip.stack"; }
    }

    public static final class Server implements gov.nist.core.ServerLogger {
        @Override public void closeLogFile() { }
        @Override public void logMessage(gov.nist.javax.sip.message.SIPMessage m, String from, String to, boolean sender, long time) { }
        @Override public void logMessage(gov.nist.javax.sip.message.SIPMessage m, String from, String to, String status, boolean sender, long time) { }
        @Override public void logMessage(gov.nist.javax.sip.message.SIPMessage m, String from, String to, String status, boolean sender) { }
        @Override public void logException(Exception e) { LOG.warn("SIP: {}", e.toString()); }
        @Override public void setStackProperties(Properties p) { }
        @Override public void setSipStack(SipStack s) { }
    }
}
