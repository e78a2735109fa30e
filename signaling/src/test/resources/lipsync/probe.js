/*
 * Lip-sync capture probe (LipSyncRecordingTest). Runs in the sending page: window.lipsync.start(stream) reads
 * clones of the stream's camera and microphone tracks with MediaStreamTrackProcessor and notes when each
 * flash (mean luma of a frame rises above the threshold) and each beep (first sample above 0.05 after
 * 300 ms of quiet) was captured. window.lipsync.result() gives those instants on one clock.
 *
 * Clocks (Chromium 156, measured): VideoFrame.timestamp is CLOCK_MONOTONIC in µs (seconds since boot),
 * AudioData.timestamp is performance.now() in µs: NOT the same clock. Both tracks' timestamps are
 * mapped onto performance.now() by the smallest (arrival - timestamp) seen over the run, which is the
 * clock offset plus the track's least delivery delay (about a millisecond for both), so the mapped
 * instants keep the timestamps' precision and none of the main thread's jank.
 */
(function () {
  'use strict';
  if (window.lipsync) return;
  const L = window.lipsync = {
    flashes: [],            // {ts: µs (video clock), now: ms at arrival, gapMs: since the previous frame, y, prevY}
    beeps: [],              // {ts: µs (audio clock) of the first loud sample, now, gapMs: audio missing just before}
    v: {frames: 0, minLag: Infinity, maxGapMs: 0, gaps: 0, info: null, first: null, last: null},
    a: {chunks: 0, minLag: Infinity, maxGapMs: 0, gaps: 0, info: null, first: null, last: null},
    errors: [],
    lumaThreshold: 128,
  };

  L.start = function (stream, lumaThreshold) {
    if (lumaThreshold) L.lumaThreshold = lumaThreshold;
    const vt = stream.getVideoTracks()[0].clone(), at = stream.getAudioTracks()[0].clone();
    L.videoSettings = vt.getSettings();
    L.audioSettings = at.getSettings();
    readVideo(new MediaStreamTrackProcessor({track: vt}).readable.getReader());
    readAudio(new MediaStreamTrackProcessor({track: at}).readable.getReader());
  };

  async function readVideo(reader) {
    let prevY = -1, prevTs = null;
    try {
      for (;;) {
        const {value: f, done} = await reader.read();
        if (done) break;
        const now = performance.now();
        try {
          const ts = f.timestamp;
          if (!L.v.info) L.v.info = {format: f.format, codedWidth: f.codedWidth, codedHeight: f.codedHeight,
              visible: [f.visibleRect.x, f.visibleRect.y, f.visibleRect.width, f.visibleRect.height], firstTs: ts, firstNow: now};
          const y = await meanLuma(f);
          L.v.frames++;
          L.v.minLag = Math.min(L.v.minLag, now - ts / 1000);
          const gapMs = prevTs === null ? 0 : (ts - prevTs) / 1000;
          if (gapMs > 50) L.v.gaps++;
          L.v.maxGapMs = Math.max(L.v.maxGapMs, gapMs);
          if (L.v.first === null) L.v.first = ts;
          L.v.last = ts;
          if (prevY >= 0 && prevY < L.lumaThreshold && y >= L.lumaThreshold)
            L.flashes.push({ts: ts, now: now, gapMs: gapMs, y: y, prevY: prevY});
          prevY = y;
          prevTs = ts;
        } finally {
          f.close();
        }
      }
    } catch (e) {
      L.errors.push('video: ' + e);
    }
  }

  let canvas = null;
  async function meanLuma(f) {
    if (f.format === 'I420' || f.format === 'I420A' || f.format === 'NV12' || f.format === 'I422' || f.format === 'I444') {
      const buf = new Uint8Array(f.allocationSize());
      const layout = await f.copyTo(buf);
      const st = layout[0].stride, off = layout[0].offset, r = f.visibleRect;
      let s = 0, n = 0;
      for (let y = r.y; y < r.y + r.height; y += 2) for (let x = r.x; x < r.x + r.width; x += 2) { s += buf[off + y * st + x]; n++; }
      return s / n;
    }
    // RGB formats: draw small and take BT.601 luma
    if (!canvas) canvas = new OffscreenCanvas(32, 24);
    const g = canvas.getContext('2d', {willReadFrequently: true});
    g.drawImage(f, 0, 0, 32, 24);
    const p = g.getImageData(0, 0, 32, 24).data;
    let s = 0;
    for (let i = 0; i < p.length; i += 4) s += 16 + (65.481 * p[i] + 128.553 * p[i + 1] + 24.966 * p[i + 2]) / 255;
    return s / (p.length / 4);
  }

  async function readAudio(reader) {
    let quiet = 0, loud = false, expectTs = null;
    try {
      for (;;) {
        const {value: d, done} = await reader.read();
        if (done) break;
        const now = performance.now();
        try {
          const ts = d.timestamp, sr = d.sampleRate, n = d.numberOfFrames;
          if (!L.a.info) L.a.info = {format: d.format, sampleRate: sr, channels: d.numberOfChannels, frames: n, firstTs: ts, firstNow: now};
          L.a.chunks++;
          L.a.minLag = Math.min(L.a.minLag, now - ts / 1000);
          const gapMs = expectTs === null ? 0 : (ts - expectTs) / 1000;
          if (Math.abs(gapMs) > 1) L.a.gaps++;
          L.a.maxGapMs = Math.max(L.a.maxGapMs, Math.abs(gapMs));
          if (L.a.first === null) L.a.first = ts;
          L.a.last = ts;
          expectTs = ts + n * 1e6 / sr;
          const x = new Float32Array(n);
          d.copyTo(x, {planeIndex: 0, format: 'f32-planar'});
          for (let i = 0; i < n; i++) {
            if (Math.abs(x[i]) > 0.05) {
              if (!loud && quiet >= 0.3 * sr) L.beeps.push({ts: ts + i * 1e6 / sr, now: now, gapMs: gapMs});
              loud = true;
              quiet = 0;
            } else if (++quiet > 0.02 * sr) {
              loud = false;
            }
          }
        } finally {
          d.close();
        }
      }
    } catch (e) {
      L.errors.push('audio: ' + e);
    }
  }

  /**
   * Everything on performance.now()'s clock, in ms: flashes and beeps (mapped capture instants and arrival
   * instants), the per-track mapping, counts and gaps.
   */
  L.result = function () {
    const vmap = L.v.minLag, amap = L.a.minLag;
    return {
      flashes: L.flashes.map(e => ({t: e.ts / 1000 + vmap, now: e.now, gapMs: e.gapMs, y: e.y, prevY: e.prevY})),
      beeps: L.beeps.map(e => ({t: e.ts / 1000 + amap, now: e.now, gapMs: e.gapMs})),
      videoMapMs: vmap, audioMapMs: amap,
      video: {frames: L.v.frames, gaps: L.v.gaps, maxGapMs: L.v.maxGapMs, info: L.v.info,
              spanMs: L.v.first === null ? 0 : (L.v.last - L.v.first) / 1000, settings: L.videoSettings},
      audio: {chunks: L.a.chunks, gaps: L.a.gaps, maxGapMs: L.a.maxGapMs, info: L.a.info,
              spanMs: L.a.first === null ? 0 : (L.a.last - L.a.first) / 1000, settings: L.audioSettings},
      now: performance.now(),
      errors: L.errors,
    };
  };
})();
