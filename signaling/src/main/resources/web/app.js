/* The Roundtable web client: a join form, a tile per participant, mic/camera toggles, leave.
 * Automation: /?meeting=<id>&name=<name>&autojoin=1 joins at once (add &media=none to join receive-only, &codec=h264 to publish H.264);
 * window.roundtable is the SDK object. */
(function () {
  'use strict';
  const rt = window.roundtable = new Roundtable();
  const $ = id => document.getElementById(id);
  const q = new URLSearchParams(location.search);
  $('meeting').value = q.get('meeting') || '';
  $('name').value = q.get('name') || '';

  rt.on('state', s => {
    $('status').textContent = s;
    $('join').hidden = s === 'joining' || s === 'joined' || s === 'lobby';
    $('lobby-wait').hidden = s !== 'lobby';
    $('room').hidden = !(s === 'joining' || s === 'joined');
    renderMembers();
    if (s === 'error') $('error').textContent = rt.error ? rt.error.message : 'error';
    if (s === 'left') document.querySelectorAll('.tile.remote').forEach(t => t.remove());
  });

  function tile(p) {
    let t = document.querySelector('.tile[data-id="' + CSS.escape(p.id) + '"]');
    if (!t) {
      t = document.createElement('div');
      t.className = 'tile remote';
      t.dataset.id = p.id;
      const v = document.createElement('video');
      v.autoplay = true; v.playsInline = true;
      const l = document.createElement('div');
      l.className = 'label';
      t.append(v, l);
      $('tiles').append(t);
    }
    t.querySelector('.label').textContent = p.name + (p.muted ? ' (muted' + (p.mutedBy === 'host' ? ' by host' : '') + ')' : '');
    t.classList.toggle('cam-off', p.camera === false);
    t.classList.toggle('speaking', !!p.speaking);
    return t;
  }

  function button(label, fn) {
    const b = document.createElement('button');
    b.textContent = label;
    b.addEventListener('click', () => fn().catch(e => { $('error').textContent = e.message; }));
    return b;
  }

  /** The member list; hosts get per-member controls, and the lobby panel. */
  function renderMembers() {
    const host = rt.role === 'host' && rt.state === 'joined';
    $('host-tools').hidden = !host;
    $('lock').textContent = rt.locked ? 'Unlock' : 'Lock';
    $('lockstate').hidden = !rt.locked;
    $('rec').hidden = !rt.recording;
    $('rec-toggle').textContent = rt.recording ? 'Stop recording' : 'Record';
    $('livestate').hidden = !rt.live;
    $('live-toggle').textContent = rt.live ? 'Stop live' : 'Go live';
    $('live-panel').hidden = !rt.live;
    if (rt.live) {
      $('live-link').href = $('live-link').textContent = rt.live.link;
      if ($('live-qr').getAttribute('src') !== rt.live.qr) $('live-qr').src = rt.live.qr;
    }
    $('self-unmute').checked = rt.allowSelfUnmute;
    const list = $('member-list'), lobby = $('lobby-list');
    list.textContent = '';
    lobby.textContent = '';
    rt.members().forEach(m => {
      const li = document.createElement('li');
      li.dataset.id = m.id;
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = m.name + (m.self ? ' (you)' : '') + ' · ' + m.role + (m.muted ? ' · muted' : '') +
        (m.camera ? '' : ' · camera off') + (m.sharing ? ' · sharing' : '') + (m.speaking ? ' · speaking' : '');
      li.append(who);
      if (m.inLobby) {
        if (host) li.append(button('Admit', () => rt.admit(m.id)), button('Reject', () => rt.reject(m.id)));
        lobby.append(li);
        return;
      }
      if (m.viewer) {
        who.textContent = m.name + ' · viewer';
        if (host) li.append(button('Remove', () => rt.remove(m.id)));
        list.append(li);
        return;
      }
      if (host && !m.self) {
        li.append(button(m.muted ? 'Unmute' : 'Mute', () => m.muted ? rt.unmute(m.id) : rt.mute(m.id)),
          button(m.camera ? 'Camera off' : 'Camera on', () => m.camera ? rt.cameraOff(m.id) : rt.cameraOn(m.id)));
        const sel = document.createElement('select');
        ['host', 'presenter', 'guest'].forEach(r => { const o = document.createElement('option'); o.value = o.textContent = r; sel.append(o); });
        sel.value = m.role;
        sel.addEventListener('change', () => rt.setRole(m.id, sel.value).catch(e => { $('error').textContent = e.message; renderMembers(); }));
        li.append(sel, button('Remove', () => rt.remove(m.id)));
      }
      list.append(li);
    });
    $('lobby-panel').hidden = !host || !lobby.children.length;
    const me = rt.members().find(m => m.self);
    if (me) {
      $('mic').setAttribute('aria-pressed', String(!me.muted));
      $('mic').textContent = 'Mic ' + (me.muted ? 'off' : 'on');
      $('cam').setAttribute('aria-pressed', String(me.camera));
      $('cam').textContent = 'Camera ' + (me.camera ? 'on' : 'off');
      $('share').hidden = me.role === 'guest';
      $('share').textContent = me.sharing ? 'Stop sharing' : 'Share screen';
    }
  }

  rt.on('participantJoined', p => { tile(p); renderMembers(); });
  rt.on('memberUpdated', e => { if (!e.member.inLobby && e.member.id !== rt.id) tile(e.member); renderMembers(); });
  rt.on('participantLeft', p => { const t = document.querySelector('.tile[data-id="' + CSS.escape(p.id) + '"]'); if (t) t.remove(); renderMembers(); });
  ['lobby', 'recording', 'live', 'locked', 'policy', 'viewerJoined', 'viewerLeft'].forEach(ev => rt.on(ev, renderMembers));
  rt.on('content', e => {
    $('content').hidden = !e.stream;
    $('content-video').srcObject = e.stream;
    $('content-label').textContent = e.stream ? e.participant.name + ' is sharing' : '';
  });
  rt.on('recording', r => { if (!r.on && r.reason) $('error').textContent = 'The recording stopped: ' + r.reason; if (!r.on) setTimeout(showFiles, 500); });
  /** The meeting's recordings, for whoever may have them (needs a token: ?token=...). */
  function showFiles() {
    if (!q.get('token')) return;
    rt.files().then(files => {
      const list = $('files-list');
      list.textContent = '';
      files.forEach(f => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = f.download;
        a.textContent = f.name;
        li.appendChild(a);
        li.appendChild(document.createTextNode(' ' + f.state + (f.durationMs ? ', ' + Math.round(f.durationMs / 1000) + ' s' : '')));
        list.appendChild(li);
      });
      $('files-panel').hidden = files.length === 0;
    }).catch(e => { if (e.code !== 'forbidden') $('error').textContent = e.message; });
  }
  $('files-btn').addEventListener('click', showFiles);
  rt.on('reminder', r => { $('error').textContent = 'Reminder: "' + r.meeting.subject + '" starts in ' + Math.round(r.startsInSeconds / 60) + ' min'; });
  ['removed', 'rejected', 'ended', 'shareStopped'].forEach(ev => rt.on(ev, e => { $('error').textContent = e.reason || ev; }));
  rt.on('track', e => {
    const v = tile(e.participant).querySelector('video');
    if (v.srcObject !== e.stream) v.srcObject = e.stream;
    v.play().catch(() => {});
  });

  async function join() {
    $('error').textContent = '';
    const recvOnly = q.get('media') === 'none';   // receive-only, like a mobile viewer
    const opts = recvOnly ? {audio: false, video: false} : {};
    if (q.get('token')) opts.token = q.get('token');
    if (q.get('codec')) opts.videoCodec = q.get('codec');   // h264 or vp8
    if ($('password').value) opts.password = $('password').value;
    const p = rt.join($('meeting').value.trim(), $('name').value.trim(), opts);
    // An empty stream would never load metadata, and a media element waiting for it delays the page's load event.
    const showSelf = () => { if (rt.localStream && rt.localStream.getVideoTracks().length) $('self-video').srcObject = rt.localStream; };
    setTimeout(showSelf, 0);
    $('self-tile').hidden = recvOnly;
    try { await p; showSelf(); } catch (e) { $('error').textContent = e.message; }
  }

  $('join').addEventListener('submit', e => { e.preventDefault(); join(); });
  function toggle(btn, kind) {
    const on = btn.getAttribute('aria-pressed') !== 'true';
    (kind === 'audio' ? rt.setMic(on) : rt.setCamera(on)).catch(e => { $('error').textContent = e.message; }).then(renderMembers);
  }
  $('share').addEventListener('click', () => {
    const me = rt.members().find(m => m.self);
    (me && me.sharing ? rt.stopShare() : rt.shareScreen()).catch(e => { $('error').textContent = e.message; }).then(renderMembers);
  });
  $('mute-all').addEventListener('click', () => rt.muteAll().catch(e => { $('error').textContent = e.message; }));
  $('unmute-all').addEventListener('click', () => rt.unmuteAll().catch(e => { $('error').textContent = e.message; }));
  $('lock').addEventListener('click', () => (rt.locked ? rt.unlock() : rt.lock()).catch(e => { $('error').textContent = e.message; }));
  $('live-toggle').addEventListener('click', () => {
    const url = $('live-rtmp').value.trim();
    (rt.live ? rt.stopLive() : rt.startLive({rtmp: url ? [url] : []})).then(renderMembers).catch(e => { $('error').textContent = e.message; });
  });
  /** Hosts see each push's state every few seconds while live. */
  setInterval(() => {
    if (!rt.live || rt.role !== 'host' || rt.state !== 'joined') return;
    rt.liveStatus().then(s => {
      const ul = $('live-targets');
      ul.textContent = '';
      const li = document.createElement('li');
      li.textContent = s.viewers + ' viewer(s)';
      ul.appendChild(li);
      (s.targets || []).forEach(t => {
        const l = document.createElement('li');
        l.textContent = t.url + ': ' + t.state + (t.reconnects ? ' (' + t.reconnects + ' reconnects)' : '') + (t.error && t.state !== 'live' ? ': ' + t.error : '');
        ul.appendChild(l);
      });
    }).catch(() => {});
  }, 3000);
  $('rec-toggle').addEventListener('click', () => (rt.recording ? rt.stopRecording() : rt.startRecording()).catch(e => { $('error').textContent = e.message; }));
  $('self-unmute').addEventListener('change', () => rt.setPolicy($('self-unmute').checked).catch(e => { $('error').textContent = e.message; }));
  $('end-all').addEventListener('click', () => rt.endForAll().catch(e => { $('error').textContent = e.message; }));
  $('mic').addEventListener('click', () => toggle($('mic'), 'audio'));
  $('cam').addEventListener('click', () => toggle($('cam'), 'video'));
  $('leave').addEventListener('click', () => rt.leave());
  window.addEventListener('pagehide', () => { if (rt.state === 'joined') rt.leave(); });

  if (q.get('autojoin') === '1' && $('meeting').value && $('name').value) join();
})();
