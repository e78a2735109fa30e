package org.roundtable.mixer.video;

/** The video codecs the recording composer takes in. Thread: any; immutable. */
public enum VideoCodec { VP8, H264 }
