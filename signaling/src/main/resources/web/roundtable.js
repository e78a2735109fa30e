/*
 * Roundtable client SDK. Served at /sdk/roundtable.js; no build step, no dependencies.
 *
 *   const rt = new Roundtable({server: 'http://host:8080'});   // default: the page's origin
 *   await rt.join('meeting-id', 'Alice');                       // mic + camera
 *   rt.on('participantJoined', p => ...); rt.setMic(false); await rt.stats(); rt.leave();
 *
 * State: idle -> joining -> (lobby ->) joined -> left (or error). The server always answers and never
 * offers, so there is no glare: this SDK serialises its offers and re-offers when the server says
 * 'renegotiate'.
 *
 * Members: members() lists everyone (self included, lobby included for hosts) as
 *   {id, name, kind, role, muted, mutedBy, camera, cameraOffBy, inLobby, sharing, speaking, self}; watch-only
 *   WHEP viewers are listed too, with kind 'whep' and viewer: true (a host can remove() them).
 * Events (on(name, cb)): state, participantJoined, participantLeft, memberUpdated ({member, change}),
 *   muted, unmuted, cameraOff, cameraOn, role, sharing, speaking (member), lobby ({member, waiting}),
 *   recording ({on, by, recordingId, reason}: reason when it stopped by itself),
 *   live ({on, by, link, hls, qr, reason; for hosts also viewers, bytes, targets: [{url, state, reconnects, error}]}), locked (bool), policy ({allowSelfUnmute}), track, content ({participant, stream|null}),
 *   shareStopped ({reason}), removed / rejected / ended ({reason}), trackAdded, trackRemoved,
 *   dialOutFailed ({target, reason}: a dial-out or call back did not connect), viewerJoined / viewerLeft (member).
 * Host controls return Promises that reject with the server's reason (error.code, error.message).
 */
(function (global) {
  'use strict';

  class Roundtable {
    constructor(opts) {
      opts = opts || {};
      const origin = opts.server || global.location.origin;
      this.wsUrl = origin.replace(/^http/, 'ws') + '/ws';
      this._httpOrigin = origin;
      this._token = null;
      this.recordingId = null;
      this.state = 'idle';
      this.id = null;
      this.meeting = null;
      this.error = null;
      this.localStream = null;
      this._participants = new Map();   // id -> member (everyone but me, lobby included for hosts)
      this._self = null;                // my own member entry
      this._viewers = new Map();        // id -> watch-only WHEP viewer (listed in members(), not participants())
      this.role = null;
      this.locked = false;
      this.recording = false;
      this.live = null;                 // {on, link, hls, qr, ...} while the meeting is live
      this.allowSelfUnmute = true;
      this._screen = null;
      this._screenTx = null;
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

    /** Participants in the meeting other than me (not the lobby): [member + {stream, contentStream}] */
    participants() { return Array.from(this._participants.values()).filter(p => !p.inLobby); }

    /** Everyone: me, the other members, and (for hosts) those waiting in the lobby. */
    members() {
      const strip = m => ({id: m.id, name: m.name, kind: m.kind, role: m.role, muted: m.muted, mutedBy: m.mutedBy,
        camera: m.camera, cameraOffBy: m.cameraOffBy, inLobby: m.inLobby, sharing: m.sharing, speaking: m.speaking, phone: !!m.phone, self: m.id === this.id});
      const list = [];
      if (this._self) list.push(strip(this._self));
      this._participants.forEach(m => list.push(strip(m)));
      this._viewers.forEach(m => list.push(Object.assign(strip(m), {viewer: true})));
      return list;
    }

    // ---- host controls (reject with the server's reason when refused)
    muteAll() { return this._control('muteAll'); }
    unmuteAll() { return this._control('unmuteAll'); }
    mute(id) { return this._control('mute', {target: id}); }
    unmute(id) { return this._control('unmute', {target: id}); }
    cameraOff(id) { return this._control('cameraOff', {target: id}); }
    cameraOn(id) { return this._control('cameraOn', {target: id}); }
    setRole(id, role) { return this._control('setRole', {target: id, role: role}); }
    remove(id) { return this._control('remove', {target: id}); }
    lock() { return this._control('lock'); }
    unlock() { return this._control('unlock'); }
    admit(id) { return this._control('admit', {target: id}); }
    reject(id) { return this._control('reject', {target: id}); }
    endForAll() {
      // the 'ended' event can overtake the reply and close this session: that is success too
      return this._control('endForAll').catch(e => { if (this.error && this.error.code === 'ended') return true; throw e; });
    }
    setPolicy(allowSelfUnmute) { return this._control('setPolicy', {allowSelfUnmute: !!allowSelfUnmute}); }
    startRecording() { return this._control('startRecording'); }
    /** Calls a phone or SIP address into the meeting (hosts with the dial_out permission). */
    dialOut(target) { return this._control('dialOut', {target: target}); }
    /** Asks the server to call my phone; once answered it carries my voice instead of this microphone. */
    callMeBack(target) { return this._control('callMeBack', {target: target}); }
    stopRecording() { return this._control('stopRecording'); }
    /**
     * Publishes the meeting live (hosts): built-in low-latency HLS at the live link, and opts.rtmp pushes
     * (rtmp:// or rtmps:// URLs with their stream keys: a CDN, YouTube...). Resolves to {link, hls, qr}:
     * the viewer page, its playlist and a QR code PNG of the link (absolute URLs). Again while live: adds
     * the RTMP targets not yet pushed to and resolves to the same links.
     */
    startLive(opts) {
      return this._live({action: 'start', rtmp: (opts && opts.rtmp) || []}).then(j => ({link: j.link, hls: j.hls, qr: j.qr}));
    }
    /** Ends the live stream (hosts): viewers see that it ended. */
    stopLive() { return this._live({action: 'stop'}).then(() => true); }
    /** Revokes the live link (hosts): the old link is refused (403) and a new one is given, {link, hls, qr}. */
    revokeLiveLink() { return this._live({action: 'revoke'}).then(j => ({link: j.link, hls: j.hls, qr: j.qr})); }
    /** The host's view of the live stream: {on, link, hls, qr, by, startedAt, viewers, bytes, targets: [{url, state, reconnects, bytes, framesDropped, error}]}. */
    liveStatus() { return this._live({action: 'status'}); }
    _live(msg) {
      if (this.state !== 'joined') return Promise.reject(Object.assign(new Error('not in a meeting'), {code: 'bad_state'}));
      return this._request(Object.assign({type: 'live'}, msg)).then(j => {
        ['link', 'hls', 'qr'].forEach(k => { if (j[k]) j[k] = new URL(j[k], this._httpOrigin).href; });
        return j;
      });
    }
    /**
     * The meeting's files (recordings) for whoever may have them: the member who recorded, the meeting's
     * creator and co-hosts. Needs the token given to join(). Resolves to [{id, kind, mime, name, state,
     * started, stopped, durationMs, bytes, recordedBy, url, download}]; download is a link signed for an hour.
     */
    async files(meetingId) {
      const id = meetingId || this.meeting;
      if (!this._token) throw Object.assign(new Error('files need a signed-in user (join with a token)'), {code: 'unauthorized'});
      const r = await fetch(this._httpOrigin + '/api/meetings/' + encodeURIComponent(id) + '/files', {headers: {Authorization: 'Bearer ' + this._token}});
      const j = await r.json();
      if (!r.ok) throw Object.assign(new Error(j.message || ('HTTP ' + r.status)), {code: j.code});
      return j.files.map(f => Object.assign(f, {url: this._httpOrigin + f.url, download: this._httpOrigin + f.download}));
    }
    _control(action, extra) {
      if (this.state !== 'joined') return Promise.reject(Object.assign(new Error('not in a meeting'), {code: 'bad_state'}));
      return this._request(Object.assign({type: 'control', action: action}, extra || {})).then(() => true);
    }

    /**
     * Shares the screen as a second video stream (hosts and presenters). opts.stream shares that
     * MediaStream's video instead of asking the browser for a screen (a canvas, a window the app chose).
     */
    async shareScreen(opts) {
      if (this.state !== 'joined') throw Object.assign(new Error('not in a meeting'), {code: 'bad_state'});
      if (this._screenTx) return true;
      await this._request({type: 'share', active: true});
      let stream;
      try {
        stream = opts && opts.stream ? opts.stream : await navigator.mediaDevices.getDisplayMedia({video: true, audio: false});
      } catch (e) {
        this._request({type: 'share', active: false}).catch(() => {});
        throw e;
      }
      const track = stream.getVideoTracks()[0];
      track.onended = () => this.stopShare().catch(() => {});
      this._screen = stream;
      this._screenTx = this.pc.addTransceiver(track, {direction: 'sendonly', streams: [stream]});
      await this._negotiate();
      return true;
    }

    async stopShare() {
      const had = this._endLocalShare();
      if (this.state === 'joined') await this._request({type: 'share', active: false});
      if (had && this.pc) await this._negotiate();
      return true;
    }

    _endLocalShare() {
      if (!this._screenTx) return false;
      const tx = this._screenTx;
      this._screenTx = null;
      if (this._screen) this._screen.getTracks().forEach(t => t.stop());
      this._screen = null;
      try { tx.sender.replaceTrack(null); tx.direction = 'inactive'; } catch (e) { /* pc closed */ }
      return true;
    }

    /** Leaves; a host may name who becomes host (otherwise the longest-present member does). */
    leaveAndTransfer(id) { return this.leave(id); }

    /**
     * Joins a meeting by id or meeting number. opts: {audio: true, video: true} by default (both false
     * joins receive-only), token (the account system's JWT), password (for guests), videoCodec ('h264' or
     * 'vp8': what to publish the camera in while every member can decode it; default: the server's).
     */
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
        const req = {type: 'join', meeting: meeting, name: name};
        if (opts.token) { req.token = opts.token; this._token = opts.token; }
        if (opts.password) req.password = opts.password;
        if (opts.videoCodec) req.videoCodec = opts.videoCodec;
        let joined = await this._request(req);
        this.meeting = joined.meeting || meeting;
        this.id = joined.participantId;
        if (joined.type === 'lobby') {
          this._setState('lobby');
          joined = await new Promise((resolve, reject) => { this._admission = {resolve, reject}; });
          this._setState('joining');
        }
        this._applyJoined(joined);
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

    _applyJoined(j) {
      this.role = j.role || 'guest';
      this.locked = !!j.locked;
      this.recording = !!j.recording;
      this.live = j.live ? Object.assign({}, j.live, {on: true}) : null;
      if (this.live) ['link', 'hls', 'qr'].forEach(k => { if (this.live[k]) this.live[k] = new URL(this.live[k], this._httpOrigin).href; });
      this.allowSelfUnmute = j.allowSelfUnmute !== false;
      if (j.tracks) this._want = {audio: j.tracks.audio, video: j.tracks.video};
      (j.members || j.participants || []).forEach(p => {
        if (p.id === this.id) this._self = Object.assign({}, p);
        else this._addParticipant(p);
      });
      if (!this._self) this._self = {id: this.id, name: '', role: this.role, muted: false, camera: true, inLobby: false, sharing: false, speaking: false};
    }

    /**
     * Identifies this client's user without joining a meeting, so the server can send it reminders
     * ('reminder' events: {meeting: {id, number, subject, start}, startsInSeconds}).
     */
    async hello(token) {
      if (!this.ws || this.ws.readyState !== 1) await this._connect();
      return this._request({type: 'hello', token: token});
    }

    setMic(on) { return this._setTrack('audio', on); }
    setCamera(on) { return this._setTrack('video', on); }
    _setTrack(kind, on) {
      const local = t => { if (this.localStream) this.localStream.getTracks().filter(x => x.kind === kind).forEach(x => { x.enabled = t; }); };
      if (this.state === 'joined') {
        // muting is immediate; unmuting waits for the server (a host may forbid it)
        if (!on) local(false);
        return this._request({type: 'media', kind: kind, enabled: !!on}).then(() => { local(!!on); return true; });
      }
      local(!!on);
      return Promise.resolve(true);
    }

    leave(transferTo) {
      if (this.state === 'left') return Promise.resolve();
      const msg = {type: 'leave'};
      if (transferTo) msg.transferTo = transferTo;
      const p = (this.ws && this.ws.readyState === 1) ? this._request(msg).catch(() => {}) : Promise.resolve();
      return p.then(() => this._close('left'));
    }

    /** {participants: [{id, name, audio: {packetsReceived, totalAudioEnergy}, video: {framesDecoded, framesReceived, packetsReceived}}], content} from getStats(). */
    async stats() {
      const out = new Map();
      this.participants().forEach(p => out.set(p.id, {id: p.id, name: p.name, audio: {packetsReceived: 0, totalAudioEnergy: 0}, video: {framesDecoded: 0, framesReceived: 0, packetsReceived: 0}}));
      const content = {framesDecoded: 0, from: null};
      if (!this.pc) return {participants: Array.from(out.values())};
      const trackMid = new Map();
      this.pc.getTransceivers().forEach(t => { if (t.mid != null && t.receiver.track) trackMid.set(t.receiver.track.id, t.mid); });
      const report = await this.pc.getStats();
      report.forEach(s => {
        if (s.type !== 'inbound-rtp') return;
        const mid = s.mid != null ? s.mid : trackMid.get(s.trackIdentifier);
        let owner = this._midOwner.get(mid);
        if (owner && owner.endsWith('.content')) {
          if (this._midSsrc.get(mid) !== s.ssrc) return;
          content.framesDecoded += s.framesDecoded || 0;
          content.from = owner.substring(0, owner.length - 8);
          return;
        }
        if (!owner || !out.has(owner)) return;
        if (this._midSsrc.get(mid) !== undefined && this._midSsrc.get(mid) !== s.ssrc) return;  // stale stream of an earlier sender
        const e = out.get(owner);
        if (s.kind === 'audio') { e.audio.packetsReceived += s.packetsReceived || 0; e.audio.totalAudioEnergy += s.totalAudioEnergy || 0; }
        else { e.video.framesDecoded += s.framesDecoded || 0; e.video.framesReceived += s.framesReceived || 0; e.video.packetsReceived += s.packetsReceived || 0; }
      });
      return {participants: Array.from(out.values()), content: content};
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
          clearInterval(this._ping);
          this.ws = null; if (this.state === 'joined' || this.state === 'joining') this._fail(new Error('signalling connection lost')); };
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
          const v = this._viewers.get(m.participantId);
          if (v) { this._viewers.delete(m.participantId); this._emit('viewerLeft', v); break; }
          const p = this._participants.get(m.participantId);
          if (p) { this._participants.delete(m.participantId); this._emit('participantLeft', p); }
          break;
        }
        case 'participantUpdated': this._updated(m.participant, m.change); break;
        case 'admitted':
          if (this._admission) { this._admission.resolve(m); this._admission = null; }
          break;
        case 'lobbyJoined': {
          const e = Object.assign({stream: null, contentStream: null}, m.participant);
          this._participants.set(e.id, e);
          this._emit('lobby', {member: e, waiting: true});
          break;
        }
        case 'lobbyLeft': {
          const e = this._participants.get(m.participantId);
          if (e && e.inLobby) {
            if (!m.admitted) this._participants.delete(m.participantId);
            this._emit('lobby', {member: e, waiting: false, admitted: !!m.admitted});
          }
          break;
        }
        case 'reminder': this._emit('reminder', {meeting: m.meeting, startsInSeconds: m.startsInSeconds}); break;
        case 'recording':
          this.recording = m.on;
          if (m.recordingId) this.recordingId = m.recordingId;
          this._emit('recording', {on: m.on, by: m.by, recordingId: m.recordingId, reason: m.reason});
          break;
        case 'live': {
          ['link', 'hls', 'qr'].forEach(k => { if (m[k]) m[k] = new URL(m[k], this._httpOrigin).href; });
          this.live = m.on ? m : null;
          const e = Object.assign({}, m);
          delete e.type;
          this._emit('live', e);
          break;
        }
        case 'locked': this.locked = m.locked; this._emit('locked', m.locked); break;
        case 'dialOutFailed': this._emit('dialOutFailed', {target: m.target, reason: m.reason}); break;
        case 'policy': this.allowSelfUnmute = m.allowSelfUnmute; this._emit('policy', {allowSelfUnmute: m.allowSelfUnmute}); break;
        case 'speaking': this._emit('activeSpeaker', m.participantId); break;
        case 'shareStopped':
          if (this._endLocalShare() && this.pc) this._negotiate().catch(() => {});
          this._emit('shareStopped', {reason: m.reason});
          break;
        case 'removed': case 'rejected': case 'ended':
          this.error = Object.assign(new Error(m.reason || m.type), {code: m.type});
          this._emit(m.type, {reason: m.reason});
          if (this._admission) { this._admission.reject(this.error); this._admission = null; }
          this._close('left');
          break;
        case 'renegotiate':
          this._want = {audio: m.audio, video: m.video};
          if (this.pc) this._negotiate().catch(e => console.warn('renegotiation failed', e));
          break;
        case 'trackAdded': this._emit('trackAdded', m); break;
        case 'trackRemoved':
          if (m.trackId && m.trackId.indexOf('-content-') > 0) {
            const owner = this._participants.get(m.trackId.substring(0, m.trackId.indexOf('-content-')));
            if (owner && owner.contentStream) { owner.contentStream = null; this._emit('content', {participant: owner, stream: null}); }
          }
          this._emit('trackRemoved', m);
          break;
        case 'left': this._close('left'); break;
        case 'error': console.warn('server error', m); this._emit('serverError', m); break;
      }
    }

    _addParticipant(p) {
      if (p.id === this.id) return;
      if (p.kind === 'whep') { this._viewers.set(p.id, p); this._emit('viewerJoined', p); return; }
      const known = this._participants.get(p.id);
      if (known && !known.inLobby) return;
      const e = Object.assign(known || {stream: null, contentStream: null}, p);
      this._participants.set(p.id, e);
      if (!e.inLobby) this._emit('participantJoined', e);
    }

    _updated(p, change) {
      let e;
      if (p.id === this.id) {
        e = this._self = Object.assign(this._self || {}, p);
        this.role = p.role;
        // the server is the authority on my microphone and camera
        if (this.localStream) {
          this.localStream.getAudioTracks().forEach(t => { t.enabled = !p.muted; });
          this.localStream.getVideoTracks().forEach(t => { t.enabled = p.camera; });
        }
        if (change === 'role' && p.role === 'guest' && this._screenTx) { this._endLocalShare(); this._negotiate().catch(() => {}); }
      } else {
        e = this._participants.get(p.id);
        if (!e) return;
        Object.assign(e, p);
      }
      this._emit('memberUpdated', {member: e, change: change});
      this._emit('participantUpdated', e);
      if (change) this._emit(change, e);
    }

    _onTrack(e) {
      const sid = e.streams && e.streams[0] ? e.streams[0].id : null;
      if (sid && sid.endsWith('.content')) {
        const owner = this._participants.get(sid.substring(0, sid.length - 8));
        if (!owner) return;
        owner.contentStream = e.streams[0];
        this._emit('content', {participant: owner, stream: owner.contentStream});
        return;
      }
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
            const have = pc.getTransceivers().filter(t => t.receiver.track.kind === kind && t.direction === 'recvonly' && t !== this._screenTx).length;
            for (let i = have; i < this._want[kind]; i++) pc.addTransceiver(kind, {direction: 'recvonly'});
          }
          if (pc.getTransceivers().length === 0) break;
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          const content = this._screenTx && this._screenTx.mid != null ? [this._screenTx.mid] : [];
          const ans = await this._request({type: 'offer', sdp: pc.localDescription.sdp, content: content});
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
      if (this.state === 'left' || (this.state === 'error' && state === 'error')) return;
      this._endLocalShare();
      clearInterval(this._ping);
      if (this.pc) { try { this.pc.close(); } catch (e) { /* closed */ } }
      if (this.ws) { try { this.ws.close(); } catch (e) { /* closed */ } }
      if (this.localStream) this.localStream.getTracks().forEach(t => t.stop());
      this._participants.forEach(p => { if (!p.inLobby) this._emit('participantLeft', p); });
      this._participants.clear();
      this._viewers.clear();
      this._waiting.forEach(w => w.reject(new Error('session closed')));
      this._waiting.clear();
      this._setState(state);
    }
  }

  global.Roundtable = Roundtable;
})(typeof window !== 'undefined' ? window : globalThis);
