/*
 * Roundtable client SDK. Served at /sdk/roundtable.js; no build step, no dependencies.
 *
 *   const rt = new Roundtable({server: 'http://host:8080'});   // default: the page's origin
 *   await rt.join('meeting-id', 'Alice');                       // mic + camera
 *   rt.on('participantJoined', p => ...); rt.setMic(false); await rt.stats(); rt.leave();
 *
 * State: idle -> joining -> joined -> left (or error). The server always answers and never offers, so
 * there is no glare: this SDK serialises its offers and re-offers when the server says 'renegotiate'.
 */
(function (global) {
  'use strict';

  class Roundtable {
    constructor(opts) {
      opts = opts || {};
      const origin = opts.server || global.location.origin;
      this.wsUrl = origin.replace(/^http/, 'ws') + '/ws';
      this.state = 'idle';
      this.id = null;
      this.meeting = null;
      this.error = null;
      this.localStream = null;
      this._participants = new Map();   // id -> {id, name, kind, audio, video, stream}
      this._handlers = {};
      this._rid = 0;
      this._waiting = new Map();
      this._want = {audio: 0, video: 0};
      this._negotiating = false;
      this._again = false;
      this._midOwner = new Map();       // mid -> participant id (from the answer's msid)
      this._midSsrc = new Map();        // mid -> primary SSRC (from the answer)
    }

    on(event, cb) { (this._handlers[event] = this._handlers[event] || []).push(cb); return this; }
    off(event, cb) { const l = this._handlers[event] || []; const i = l.indexOf(cb); if (i >= 0) l.splice(i, 1); return this; }
    _emit(event, arg) { (this._handlers[event] || []).forEach(cb => { try { cb(arg); } catch (e) { console.error(e); } }); }
    _setState(s) { if (this.state !== s) { this.state = s; this._emit('state', s); } }

    /** Participants other than me: [{id, name, kind, audio, video, stream}] */
    participants() { return Array.from(this._participants.values()); }

    /** opts: {audio: true, video: true} by default; both false joins receive-only. */
    async join(meeting, name, opts) {
      opts = Object.assign({audio: true, video: true}, opts || {});
      if (this.state !== 'idle' && this.state !== 'left' && this.state !== 'error') throw new Error('already ' + this.state);
      this._setState('joining');
      this.meeting = meeting;
      try {
        if (opts.audio || opts.video) {
          this.localStream = opts.stream || await navigator.mediaDevices.getUserMedia({audio: !!opts.audio, video: !!opts.video});
        } else {
          this.localStream = new MediaStream();
        }
        await this._connect();
        const joined = await this._request({type: 'join', meeting: meeting, name: name});
        this.id = joined.participantId;
        if (joined.tracks) this._want = {audio: joined.tracks.audio, video: joined.tracks.video};
        (joined.participants || []).forEach(p => this._addParticipant(p));
        const pc = this.pc = new RTCPeerConnection({bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: opts.iceServers || []});
        pc.ontrack = e => this._onTrack(e);
        pc.onicecandidate = e => { if (e.candidate) this._send({type: 'candidate', candidate: e.candidate.toJSON()}); };
        pc.onconnectionstatechange = () => {
          if (pc.connectionState === 'connected' && this.state === 'joining') this._setState('joined');
          if (pc.connectionState === 'failed' && this.state !== 'left') this._fail(new Error('media connection failed'));
        };
        this.localStream.getTracks().forEach(t => pc.addTransceiver(t, {direction: 'sendonly', streams: [this.localStream]}));
        if (pc.getTransceivers().length === 0 && this._want.audio + this._want.video === 0) {
          // receive-only and nothing to receive yet: joined; media starts with the first 'renegotiate'
          this._setState('joined');
          return;
        }
        await this._negotiate();
        await new Promise((resolve, reject) => {
          if (pc.connectionState === 'connected') return resolve();
          const t = setTimeout(() => reject(new Error('media connection timed out')), 20000);
          this.on('state', s => { if (s === 'joined') { clearTimeout(t); resolve(); } else if (s === 'error' || s === 'left') { clearTimeout(t); reject(this.error || new Error(s)); } });
        });
        this._setState('joined');
      } catch (e) {
        this._fail(e);
        throw e;
      }
    }

    setMic(on) { return this._setTrack('audio', on); }
    setCamera(on) { return this._setTrack('video', on); }
    _setTrack(kind, on) {
      if (this.localStream) this.localStream.getTracks().filter(t => t.kind === kind).forEach(t => { t.enabled = !!on; });
      if (this.state === 'joined' || this.state === 'joining') return this._request({type: 'media', kind: kind, enabled: !!on}).then(() => true);
      return Promise.resolve(true);
    }

    leave() {
      if (this.state === 'left') return Promise.resolve();
      const p = (this.ws && this.ws.readyState === 1) ? this._request({type: 'leave'}).catch(() => {}) : Promise.resolve();
      return p.then(() => this._close('left'));
    }

    /** {participants: [{id, name, audio: {packetsReceived}, video: {framesDecoded}}]} from getStats(). */
    async stats() {
      const out = new Map();
      this._participants.forEach(p => out.set(p.id, {id: p.id, name: p.name, audio: {packetsReceived: 0}, video: {framesDecoded: 0, framesReceived: 0}}));
      if (!this.pc) return {participants: Array.from(out.values())};
      const trackMid = new Map();
      this.pc.getTransceivers().forEach(t => { if (t.mid != null && t.receiver.track) trackMid.set(t.receiver.track.id, t.mid); });
      const report = await this.pc.getStats();
      report.forEach(s => {
        if (s.type !== 'inbound-rtp') return;
        const mid = s.mid != null ? s.mid : trackMid.get(s.trackIdentifier);
        const owner = this._midOwner.get(mid);
        if (!owner || !out.has(owner)) return;
        if (this._midSsrc.get(mid) !== undefined && this._midSsrc.get(mid) !== s.ssrc) return;  // stale stream of an earlier sender
        const e = out.get(owner);
        if (s.kind === 'audio') e.audio.packetsReceived += s.packetsReceived || 0;
        else { e.video.framesDecoded += s.framesDecoded || 0; e.video.framesReceived += s.framesReceived || 0; }
      });
      return {participants: Array.from(out.values())};
    }

    // ---------------------------------------------------------------- internals

    _connect() {
      return new Promise((resolve, reject) => {
        const ws = this.ws = new WebSocket(this.wsUrl);
        ws.onopen = () => {
          // keep the session alive through idle proxies and the server's idle timeout
          this._ping = setInterval(() => this._send({type: 'ping'}), 20000);
          resolve();
        };
        ws.onerror = () => reject(new Error('cannot reach the signalling server'));
        ws.onclose = () => {
          clearInterval(this._ping); if (this.state === 'joined' || this.state === 'joining') this._fail(new Error('signalling connection lost')); };
        ws.onmessage = ev => this._onMessage(JSON.parse(ev.data));
      });
    }

    _send(msg) { if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(msg)); }

    _request(msg) {
      const rid = ++this._rid;
      msg.rid = rid;
      return new Promise((resolve, reject) => {
        this._waiting.set(rid, {resolve, reject});
        this._send(msg);
        setTimeout(() => { if (this._waiting.delete(rid)) reject(new Error('no reply to ' + msg.type)); }, 15000);
      });
    }

    _onMessage(m) {
      if (m.rid !== undefined && this._waiting.has(m.rid)) {
        const w = this._waiting.get(m.rid);
        this._waiting.delete(m.rid);
        if (m.type === 'error') { const e = new Error(m.message); e.code = m.code; w.reject(e); } else w.resolve(m);
        return;
      }
      switch (m.type) {
        case 'participantJoined': this._addParticipant(m.participant); break;
        case 'participantLeft': {
          const p = this._participants.get(m.participantId);
          if (p) { this._participants.delete(m.participantId); this._emit('participantLeft', p); }
          break;
        }
        case 'participantUpdated': {
          const p = this._participants.get(m.participant.id);
          if (p) { Object.assign(p, {audio: m.participant.audio, video: m.participant.video}); this._emit('participantUpdated', p); }
          break;
        }
        case 'renegotiate':
          this._want = {audio: m.audio, video: m.video};
          if (this.pc) this._negotiate().catch(e => console.warn('renegotiation failed', e));
          break;
        case 'trackAdded': this._emit('trackAdded', m); break;
        case 'trackRemoved': this._emit('trackRemoved', m); break;
        case 'left': this._close('left'); break;
        case 'error': console.warn('server error', m); this._emit('serverError', m); break;
      }
    }

    _addParticipant(p) {
      if (p.id === this.id || this._participants.has(p.id)) return;
      const e = Object.assign({stream: null}, p);
      this._participants.set(p.id, e);
      this._emit('participantJoined', e);
    }

    _onTrack(e) {
      const sid = e.streams && e.streams[0] ? e.streams[0].id : null;
      const p = sid && this._participants.get(sid);
      if (!p) return;
      if (!p.stream) p.stream = new MediaStream();
      p.stream.getTracks().filter(t => t.kind === e.track.kind).forEach(t => p.stream.removeTrack(t));
      p.stream.addTrack(e.track);
      this._emit('track', {participant: p, track: e.track, stream: p.stream});
    }

    async _negotiate() {
      if (this._negotiating) { this._again = true; return; }
      this._negotiating = true;
      try {
        do {
          this._again = false;
          const pc = this.pc;
          for (const kind of ['audio', 'video']) {
            const have = pc.getTransceivers().filter(t => t.receiver.track.kind === kind && t.direction === 'recvonly').length;
            for (let i = have; i < this._want[kind]; i++) pc.addTransceiver(kind, {direction: 'recvonly'});
          }
          if (pc.getTransceivers().length === 0) break;
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          const ans = await this._request({type: 'offer', sdp: pc.localDescription.sdp});
          await pc.setRemoteDescription({type: 'answer', sdp: ans.sdp});
          this._readAnswer(ans.sdp);
        } while (this._again && this.state !== 'left');
      } finally {
        this._negotiating = false;
      }
    }

    _readAnswer(sdp) {
      this._midOwner.clear();
      this._midSsrc.clear();
      let mid = null;
      sdp.split(/\r?\n/).forEach(l => {
        if (l.startsWith('m=')) mid = null;
        else if (l.startsWith('a=mid:')) mid = l.substring(6).trim();
        else if (l.startsWith('a=msid:') && mid) this._midOwner.set(mid, l.substring(7).split(' ')[0]);
        else if (l.startsWith('a=ssrc:') && mid && !this._midSsrc.has(mid)) this._midSsrc.set(mid, Number(l.substring(7).split(' ')[0]));
      });
    }

    _fail(e) {
      this.error = e;
      this._close('error');
    }

    _close(state) {
      if (this.pc) { try { this.pc.close(); } catch (e) { /* closed */ } }
      if (this.ws) { try { this.ws.close(); } catch (e) { /* closed */ } }
      if (this.localStream) this.localStream.getTracks().forEach(t => t.stop());
      this._participants.forEach(p => this._emit('participantLeft', p));
      this._participants.clear();
      this._waiting.forEach(w => w.reject(new Error('session closed')));
      this._waiting.clear();
      this._setState(state);
    }
  }

  global.Roundtable = Roundtable;
})(typeof window !== 'undefined' ? window : globalThis);
