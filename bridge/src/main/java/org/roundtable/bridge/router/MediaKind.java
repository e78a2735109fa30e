package org.roundtable.bridge.router;

public enum MediaKind {
    AUDIO, VIDEO;
    public String sdp() { return this == AUDIO ? "audio" : "video"; }
    public static MediaKind of(String s) { return "audio".equals(s) ? AUDIO : "video".equals(s) ? VIDEO : null; }
}
