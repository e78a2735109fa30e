/**
 * RTMP push: the meeting's composed program sent to a CDN, YouTube, Bilibili or nginx-rtmp, by our own
 * pure-Java publisher (no FFmpeg). One {@link org.roundtable.streaming.rtmp.RtmpPush} per target, fed as a
 * {@link org.roundtable.streaming.LiveSink}:
 * <pre>{@code
 * RtmpUrl url = RtmpUrl.parse(server, key);           // IllegalArgumentException with a reason (and no key) when bad
 * RtmpPush push = new RtmpPush(url, RtmpOptions.DEFAULTS, composition::requestKeyFrame, rtmpMetrics);
 * push.open(tracks); ... push.frame(f) ... push.close();   // all on the composition thread, none blocks
 * push.stats();                                        // state, reconnects, bytes, frames, last error, live since
 * }</pre>
 * Layers, bottom up: {@code ByteSink}, {@code Amf0}, {@code ChunkWriter}/{@code ChunkReader}, {@code Handshake},
 * {@code FlvTags}; {@code RtmpConnection} (socket, TLS, reading thread, watchdog); {@code RtmpPublisher}
 * (commands, media); {@code RtmpPush} (queue, thread, reconnects, state); {@code RtmpMetrics} (/metrics).
 */
package org.roundtable.streaming.rtmp;
