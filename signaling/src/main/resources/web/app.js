/* The Roundtable web client: a join form, a tile per participant, mic/camera toggles, leave.
 * Automation: /?meeting=<id>&name=<name>&autojoin=1 joins at once (add &media=none to join receive-only);
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
    $('join').hidden = s === 'joining' || s === 'joined';
    $('room').hidden = !(s === 'joining' || s === 'joined');
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
    t.querySelector('.label').textContent = p.name + (p.audio === false ? ' (muted)' : '');
    t.classList.toggle('cam-off', p.video === false);
    return t;
  }

  rt.on('participantJoined', p => tile(p));
  rt.on('participantUpdated', p => tile(p));
  rt.on('participantLeft', p => { const t = document.querySelector('.tile[data-id="' + CSS.escape(p.id) + '"]'); if (t) t.remove(); });
  rt.on('track', e => {
    const v = tile(e.participant).querySelector('video');
    if (v.srcObject !== e.stream) v.srcObject = e.stream;
    v.play().catch(() => {});
  });

  async function join() {
    $('error').textContent = '';
    const recvOnly = q.get('media') === 'none';   // receive-only, like a mobile viewer
    const p = rt.join($('meeting').value.trim(), $('name').value.trim(), recvOnly ? {audio: false, video: false} : undefined);
    // An empty stream would never load metadata, and a media element waiting for it delays the page's load event.
    const showSelf = () => { if (rt.localStream && rt.localStream.getVideoTracks().length) $('self-video').srcObject = rt.localStream; };
    setTimeout(showSelf, 0);
    $('self-tile').hidden = recvOnly;
    try { await p; showSelf(); } catch (e) { $('error').textContent = e.message; }
  }

  $('join').addEventListener('submit', e => { e.preventDefault(); join(); });
  function toggle(btn, kind) {
    const on = btn.getAttribute('aria-pressed') !== 'true';
    btn.setAttribute('aria-pressed', String(on));
    btn.textContent = (kind === 'audio' ? 'Mic ' : 'Camera ') + (on ? 'on' : 'off');
    (kind === 'audio' ? rt.setMic(on) : rt.setCamera(on)).catch(e => { $('error').textContent = e.message; });
  }
  $('mic').addEventListener('click', () => toggle($('mic'), 'audio'));
  $('cam').addEventListener('click', () => toggle($('cam'), 'video'));
  $('leave').addEventListener('click', () => rt.leave());
  window.addEventListener('pagehide', () => { if (rt.state === 'joined') rt.leave(); });

  if (q.get('autojoin') === '1' && $('meeting').value && $('name').value) join();
})();
