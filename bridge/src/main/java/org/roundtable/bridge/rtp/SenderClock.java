package org.roundtable.bridge.rtp;

/**
 * A publisher's RTP clock mapped to its wall clock, from its RTCP sender reports (RFC 3550 6.4.1: each
 * SR pairs an NTP time with the RTP time of the same instant): what lets a recording (or a receiver)
 * put one member's audio and video on one time line, whatever delay each took to arrive. The rate is a
 * least-squares fit over the last 8 reports (so a sender's clock that runs slightly fast or slow is
 * followed), clamped to 0.5% of nominal; a report that disagrees with the fit by more than 40 ms is
 * ignored as an outlier unless three in a row do (then the sender restarted its clock: start over).
 * Thread: update on the media loop; captureMs from any thread (an immutable snapshot behind a volatile).
 */
public final class SenderClock {
    private static final int N = 8;
    private final int clockRate;
    private final double[] ntp = new double[N];
    private final long[] rtp = new long[N];
    private int count, next, outliers;
    private long lastRtp32 = -1, rtpUnwrapped;

    private record Fit(long rtpBase, double ntpMsBase, double msPerTick) {}
    private volatile Fit fit;

    public SenderClock(int clockRate) { this.clockRate = clockRate; }

    /** An SR: its 64-bit NTP time (seconds since 1900 and fraction) and RTP time stamp. Media loop. */
    public void update(long ntpSeconds, long ntpFraction, long rtpTs) {
        double ms = ntpSeconds * 1000.0 + (ntpFraction & 0xFFFFFFFFL) * 1000.0 / 4294967296.0;
        long r = unwrap(rtpTs & 0xFFFFFFFFL);
        Fit f = fit;
        if (f != null) {
            double predicted = f.ntpMsBase + (r - f.rtpBase) * f.msPerTick;
            if (Math.abs(predicted - ms) > 40) {
                if (++outliers < 3) return;
                count = 0;                         // three in a row: a new clock
            }
        }
        outliers = 0;
        ntp[next] = ms;
        rtp[next] = r;
        next = (next + 1) % N;
        if (count < N) count++;
        fit = fit(ms, r);
    }

    private long unwrap(long ts) {
        if (lastRtp32 < 0) { lastRtp32 = ts; rtpUnwrapped = ts; return ts; }
        long d = (ts - lastRtp32) & 0xFFFFFFFFL;
        if (d >= 0x80000000L) d -= 0x100000000L;
        rtpUnwrapped += d;
        lastRtp32 = ts;
        return rtpUnwrapped;
    }

    private Fit fit(double lastMs, long lastRtp) {
        double nominal = 1000.0 / clockRate;
        double rate = nominal;
        if (count >= 3) {
            double mr = 0, mn = 0;
            for (int i = 0; i < count; i++) { mr += rtp[i] - lastRtp; mn += ntp[i] - lastMs; }
            mr /= count;
            mn /= count;
            double sxy = 0, sxx = 0;
            for (int i = 0; i < count; i++) {
                double x = rtp[i] - lastRtp - mr, y = ntp[i] - lastMs - mn;
                sxy += x * y;
                sxx += x * x;
            }
            if (sxx > 0) rate = Math.max(nominal * 0.995, Math.min(nominal * 1.005, sxy / sxx));
        }
        return new Fit(lastRtp, lastMs, rate);
    }

    /**
     * The sender's wall-clock time (ms, NTP epoch) at which the media with this RTP time stamp was
     * captured, or NaN before the first report. Time stamps within 2^31 ticks of the last report.
     */
    public double captureMs(long rtpTs) {
        Fit f = fit;
        if (f == null) return Double.NaN;
        long d = ((rtpTs & 0xFFFFFFFFL) - (f.rtpBase & 0xFFFFFFFFL)) & 0xFFFFFFFFL;
        if (d >= 0x80000000L) d -= 0x100000000L;
        return f.ntpMsBase + d * f.msPerTick;
    }

    public boolean known() { return fit != null; }
}
