// aktiver studio: draws the flow's current screen from its data (texts,
// fields, actions) as a phone shell would, and the tester's panels beside
// it. No flow logic: every button posts the flow's own Action JSON.
'use strict';
const $ = (id) => document.getElementById(id);
let state = null;
let viewKey = '';
let shownScreen = '';
let framesShown = -1;
let portraitShown = false;
let peopleKey = '';
let draftTimer = null;

// The values an action takes: [field, label key, input type].
const FIELDS = {
  submit_national_id: [['value', 'field_value_national_id', 'text']],
  submit_phone: [['value', 'field_value_phone', 'text']],
  submit_sms_code: [['code', 'field_code_sms', 'text']],
  submit_activation_code: [['code', 'field_code_activation', 'text']],
  submit_code_unit: [['otp', 'field_otp', 'text'], ['password', 'field_password', 'password']],
  sign_agreement: [['password', 'field_password', 'password']],
  submit_new_password: [['password', 'field_new_password', 'password'],
    ['repeat', 'field_repeat', 'password'], ['current', 'field_current', 'password']],
};
const TOP_BAR = ['back', 'cancel'];
const SILENT = ['draft_password'];

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'dataset') Object.assign(e.dataset, v); else e.setAttribute(k, v);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

// Redraws a part only when what it shows changed: polling must not take
// the keyboard focus away or swap buttons under the pointer.
const drawn = {};
function changed(part, value) {
  const key = JSON.stringify(value);
  if (drawn[part] === key) return false;
  drawn[part] = key;
  return true;
}

function status(msg) { $('status').textContent = msg || ''; }

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  };
  let j = {};
  try {
    const r = await fetch(path, init);
    j = await r.json().catch(() => ({}));
    status(r.ok ? '' : (j.error || ('HTTP ' + r.status)));
  } catch (e) { status(String(e)); }
  await refresh();
  return j;
}

function act(action) { return api('/api/act', action); }

function label(key) { return (state && state.labels[key]) || key.replace(/_/g, ' '); }

function renderScreen(s) {
  const v = s.view, sc = v.screen, root = $('screen');
  root.textContent = '';
  root.lang = s.lang;
  root.dataset.screen = v.name;
  $('screen-name').textContent = v.name;
  const t = v.texts;
  const h = el('h2', { id: 'screen-title', tabindex: '-1' }, t.title ? t.title.text : v.name);
  root.append(h);
  if (t.body) root.append(el('p', { id: 'screen-body' }, t.body.text));
  if (t.error) root.append(el('p', { class: 'error', role: 'alert', id: 'screen-error' }, t.error.text));
  // Password rules: every rule's text, ticked when the draft meets it.
  const met = {};
  for (const r of sc.rules || []) met['rule_' + r.rule] = r.met;
  const rules = el('ul', { class: 'rules', 'aria-label': 'password rules' });
  for (const [role, text] of Object.entries(t)) {
    if (['title', 'body', 'error'].includes(role)) continue;
    if (role in met) {
      rules.append(el('li', { class: met[role] ? 'met' : 'unmet', 'data-role': role },
        (met[role] ? '\u2713 ' : '\u2717 ') + text.text));
      continue;
    }
    root.append(el('p', { class: role.startsWith('violation') ? 'error' : '', 'data-role': role }, text.text));
  }
  if (rules.children.length) root.append(rules);
  // The screen's own data, generically: long texts in a box, the rest listed.
  const dl = el('dl');
  for (const [k, val] of Object.entries(sc)) {
    if (['screen', 'error', 'methods', 'violations', 'rules'].includes(k)) continue;
    if ((k === 'text' || k === 'terms') && typeof val === 'string') {
      root.append(el('div', { class: 'box', tabindex: '0', 'aria-label': k }, val));
    } else if (k === 'progress') {
      root.append(el('progress', { max: '100', value: String(val), 'aria-label': 'progress' }));
    } else {
      const shown = val !== null && typeof val === 'object' ? JSON.stringify(val) : String(val);
      dl.append(el('dt', {}, k.replace(/_/g, ' ')), el('dd', {}, shown));
    }
  }
  if (dl.children.length) root.append(dl);
  const actions = el('div', { class: 'actions' });
  for (const a of v.actions) {
    if (TOP_BAR.includes(a) || SILENT.includes(a)) continue;
    if (FIELDS[a]) {
      root.append(form(a, sc, v.actions.includes('draft_password')));
    } else if (a === 'choose_method') {
      for (const m of sc.methods || []) {
        actions.append(button(label('method_' + m), { action: a, method: m }, 'm-' + m));
      }
    } else if (a === 'choose_document') {
      for (const d of ['passport', 'id_card']) {
        actions.append(button(label('document_' + d), { action: a, document: d }, 'd-' + d));
      }
    } else if (a === 'set_accepted' || a === 'set_password_visible') {
      const key = a === 'set_accepted' ? 'accepted' : 'visible';
      const wrap = el('div', { class: 'check' });
      const box = el('input', { type: 'checkbox', id: 'c-' + a });
      box.checked = !!sc[key];
      box.addEventListener('change', () => act({ action: a, [key]: box.checked }));
      wrap.append(box, el('label', { for: 'c-' + a }, label(a)));
      root.append(wrap);
    } else {
      actions.append(button(label(a), { action: a }, 'a-' + a));
    }
  }
  root.append(actions);
  for (const a of TOP_BAR) $(a).disabled = !v.actions.includes(a);
  $('back').textContent = label('back');
  $('cancel').textContent = label('cancel');
  if (v.name !== shownScreen) {
    shownScreen = v.name;
    const first = root.querySelector('input[type=text], input[type=password]');
    (first || h).focus();
  }
}

function button(text, action, id) {
  const b = el('button', { type: 'button', id, 'data-action': action.action }, text);
  b.addEventListener('click', () => act(action));
  return b;
}

function form(action, sc, drafts) {
  const f = el('form', { id: 'form-' + action, 'data-action': action });
  for (const [name, key, type] of FIELDS[action]) {
    if (name === 'current' && !sc.current_required) continue;
    const id = 'f-' + action + '-' + name;
    f.append(el('label', { for: id }, label(key)));
    const input = el('input', {
      id, name, autocomplete: 'off',
      type: type === 'password' && !sc.visible ? 'password' : 'text',
    });
    if (drafts && (name === 'password' || name === 'repeat')) {
      input.addEventListener('input', () => {
        clearTimeout(draftTimer);
        draftTimer = setTimeout(() => {
          const d = new FormData(f);
          act({ action: 'draft_password', password: d.get('password'), repeat: d.get('repeat') || '' });
        }, 400);
      });
    }
    f.append(input);
  }
  const label_key = action === 'submit_new_password' || action === 'sign_agreement' ? action : 'submit';
  f.append(el('button', { type: 'submit', id: 'submit-' + action }, label(label_key)));
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(draftTimer);
    const body = { action };
    for (const [k, val] of new FormData(f).entries()) body[k] = val;
    act(body);
  });
  return f;
}

function renderPanels(s) {
  const L = label;
  const faults = $('faults');
  if (changed('faults', [s.lang, s.faults])) faults.textContent = '';
  else s = Object.assign({}, s, { faults: null });
  for (const f of s.faults || []) {
    const b = el('button', { type: 'button', class: 'secondary', id: 'fault-' + f, 'data-fault': f }, L('fault_' + f));
    b.addEventListener('click', () => api('/api/fault', { fault: f }));
    faults.append(b);
  }
  if (s.faults && !s.faults.length) faults.append(el('p', { class: 'muted' }, '-'));
  $('network').textContent = s.network_up ? 'Network: up' : 'Network: DOWN';
  const sms = $('sms');
  if (changed('sms', s.sms)) {
  sms.textContent = '';
  for (const m of s.sms) {
    const li = el('li');
    li.append(el('span', { class: 'sms-code' }, m.code), ' ', el('span', { class: 'muted' }, m.text + ' (' + m.age_s + ' s ago)'));
    sms.append(li);
  }
  if (!s.sms.length) sms.append(el('li', { class: 'muted' }, 'empty'));
  }
  const p = s.person;
  $('person').textContent = p.national_id + ' · ' + p.phone + ' · ' + p.document +
    (p.has_password ? ' · has a password' : ' · no password yet');
  const key = s.people.map((x) => x.national_id).join(',');
  if (key !== peopleKey) {
    peopleKey = key;
    const sel = $('people');
    sel.textContent = '';
    for (const x of s.people) {
      const o = el('option', { value: x.national_id }, x.national_id + ' (' + x.bank + ', ' + x.methods.join('/') +
        (x.face_check === 'fail' ? ', face fails' : '') + ')');
      sel.append(o);
    }
    sel.value = p.national_id;
    $('doc').value = p.document;
  }
  renderCamera(s);
  renderChip(s);
  const code = $('code');
  if (changed('code', [s.activation_code, s.code_unit_otp])) {
  code.textContent = '';
  if (s.code_unit_otp) code.append(el('p', { id: 'code-unit' }, 'Code unit shows: ' + s.code_unit_otp));
  if (s.activation_code) {
    const c = s.activation_code;
    code.append(el('p', {}, 'Code: '), el('img', { src: 'data:image/png;base64,' + c.png_b64, alt: 'QR code of the activation code' }));
    code.firstChild.append(el('strong', { id: 'activation-code' }, c.code));
    code.append(el('p', { class: 'muted' }, 'QR text: ' + c.qr_payload));
  }
  }
  if (changed('log', s.log.length)) $('log').textContent = s.log.join('\n');
  const ev = $('events');
  if (changed('events', s.events)) {
    ev.textContent = '';
    for (const e of s.events) ev.append(el('li', {}, e));
  }
  status(s.error ? s.error : $('status').textContent);
}

function renderCamera(s) {
  const c = s.camera, btns = $('camera-buttons');
  const filming = ['mrz_scan', 'activation_code'].includes(s.view.name) ? s.view.name : '';
  if (changed('camera-buttons', [s.lang, filming])) {
    btns.textContent = '';
    const shots = filming === 'mrz_scan'
      ? [['film', 'film', { until_read: false }], ['film-until-read', 'film_until_read', { until_read: true }]]
      : filming === 'activation_code'
        ? [['film-qr', 'film_qr', { qr: 'bank' }], ['film-nothing', 'film_nothing', { qr: 'nothing' }]]
        : [];
    for (const [id, k, body] of shots) {
      const b = el('button', { type: 'button', id }, label(k));
      b.addEventListener('click', () => api('/api/film', body));
      btns.append(b);
    }
  }
  $('camera-info').textContent = c.frames
    ? 'Frames: ' + c.frames + ' · feedback: ' + c.feedback + ' · camera: ' + c.fault + (c.box ? ' · MRZ box found' : ' · no MRZ box')
    : 'No frame yet (camera: ' + c.fault + ')';
  if (c.frames && c.frames !== framesShown) {
    framesShown = c.frames;
    const img = $('frame');
    img.src = '/api/frame.png?n=' + c.frames;
    img.hidden = false;
    const svg = $('frame-box');
    svg.setAttribute('viewBox', '0 0 ' + c.width + ' ' + c.height);
    svg.textContent = '';
    if (c.box) {
      const poly = document.createElementNS('http://www.w3.org/2000/svg', 'polygon');
      poly.setAttribute('points', c.box.map((q) => q.join(',')).join(' '));
      svg.append(poly);
    }
  }
}

function renderChip(s) {
  const c = s.chip;
  $('chip-progress').value = c.progress !== null ? c.progress : (c.read_and_verified ? 100 : 0);
  const tbl = $('chip-steps');
  if (changed('chip-steps', c.steps)) for (const r of Array.from(tbl.rows)) r.remove();
  else c.steps = [];
  for (const st of c.steps) {
    const tr = tbl.insertRow();
    tr.insertCell().textContent = st.step.replace(/_/g, ' ');
    tr.insertCell().textContent = st.step === 'passive_authentication' ? 'on the phone' : st.commands + ' commands';
    const res = tr.insertCell();
    res.textContent = st.result.replace(/_/g, ' ');
    res.className = 'result-' + st.result;
  }
  const outcome = c.read_and_verified ? 'read and verified by the phone'
    : (s.view.name === 'failed' ? 'failed: ' + s.view.screen.code : 'not read yet');
  $('chip-info').textContent = c.apdus + ' commands, ' + c.link_ms + ' ms on a 424 kbit/s link · ' + outcome +
    (c.face_mismatch ? ' · face check will fail' : '');
  if (s.portrait && !portraitShown) {
    portraitShown = true;
    $('portrait').src = '/api/portrait?t=' + Date.now();
    $('portrait').hidden = false;
  } else if (!s.portrait && portraitShown) {
    portraitShown = false;
    $('portrait').hidden = true;
  }
}

async function refresh() {
  try {
    const r = await fetch('/api/state');
    state = await r.json();
  } catch (e) { status(String(e)); return; }
  const key = state.lang + JSON.stringify(state.view);
  if (key !== viewKey) { viewKey = key; renderScreen(state); }
  renderPanels(state);
  $('lang').value = state.lang;
  document.body.dataset.running = state.running ? 'yes' : 'no';
}

async function loop() {
  await refresh();
  setTimeout(loop, state && (state.running || state.view.busy) ? 300 : 900);
}

$('back').addEventListener('click', () => act({ action: 'back' }));
$('cancel').addEventListener('click', () => act({ action: 'cancel' }));
$('lang').addEventListener('change', () => api('/api/lang', { lang: $('lang').value }));
$('issue-code').addEventListener('click', () => api('/api/activation_code', {}));
$('reset-form').addEventListener('submit', (e) => {
  e.preventDefault();
  api('/api/reset', { national_id: $('people').value, document: $('doc').value });
});
$('make-form').addEventListener('submit', (e) => {
  e.preventDefault();
  peopleKey = '';
  api('/api/make_person', { has_password: $('make-password').checked, face_fails: $('make-face-fails').checked });
});
loop();
