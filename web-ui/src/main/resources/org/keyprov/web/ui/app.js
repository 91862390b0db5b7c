'use strict';
// keyprov operator UI. Every string from the server goes into the page as text (textContent), never
// as HTML, so device-supplied names cannot inject markup.

let me = null;
let events = null;

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'disabled') e.disabled = !!v;
    else if (k === 'checked') e.checked = !!v;
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  // every field has a name a screen reader says, not only a placeholder that typing hides
  if (['input', 'textarea', 'select'].includes(tag) && !e.hasAttribute('aria-label') && e.getAttribute('placeholder')) {
    e.setAttribute('aria-label', e.getAttribute('placeholder'));
  }
  return e;
}

// "expires in 3 h" / "expired 2 d ago", the date in the tooltip
function expiry(iso) {
  if (!iso) return '';
  const ms = new Date(iso) - Date.now();
  const abs = Math.abs(ms);
  const span = abs < 3600e3 ? Math.round(abs / 60e3) + ' min' : abs < 172800e3 ? Math.round(abs / 3600e3) + ' h' : Math.round(abs / 86400e3) + ' d';
  return el('span', { title: iso }, ms >= 0 ? 'expires in ' + span : 'expired ' + span + ' ago');
}

// the device's LwM2M registration, as the Leshan demo shows it
function registration(r) {
  if (!r) return el('p', { id: 'registration', class: 'muted' }, 'Not registered now.');
  const row = (k, v) => el('tr', {}, el('th', {}, k), el('td', {}, v));
  return el('table', { id: 'registration' }, el('tbody', {},
    row('Address', r.address), row('Lifetime', r.lifetimeSeconds + ' s'), row('Binding', r.binding + (r.queueMode ? ' (queue mode)' : '')),
    row('LwM2M version', r.lwm2mVersion), row('Registered', when(r.registeredAt)), row('Last update', when(r.lastUpdate)),
    r.node ? row('Served by node', r.node) : null,
    row('Connection results', r.reportsBySend ? 'sent by the device (LwM2M Send)'
      : r.observed ? 'observed (object 33001)' : 'not observed yet'),
    row('Objects', el('span', { class: 'links' }, r.objectLinks.join(' ')))));
}

// "2026-12-06 21:45:43" in the operator's time zone, the exact instant in the tooltip
function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = (n) => String(n).padStart(2, '0');
  const text = d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  return el('time', { datetime: iso, title: iso }, text);
}

function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.classList.add('show');
  setTimeout(() => t.classList.remove('show'), 2500);
}

async function api(method, path, body, type) {
  const headers = {};
  if (me && method !== 'GET') headers['X-CSRF-Token'] = me.csrfToken;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = type || 'application/json';
    payload = type ? body : JSON.stringify(body);
  }
  const r = await fetch('/api/v1/' + path, { method, headers, body: payload, credentials: 'same-origin' });
  if (r.status === 401 && path !== 'session') { me = null; route(); throw new Error('please log in'); }
  const ct = r.headers.get('content-type') || '';
  const data = ct.includes('json') ? await r.json() : (r.status === 204 ? null : await r.text());
  if (!r.ok && !(data && data.errors)) {
    // errors are RFC 7807 problems: detail says what was wrong and what to do
    throw new Error((data && data.detail) || ('HTTP ' + r.status));
  }
  return { status: r.status, data };
}

const canWrite = () => me && me.role !== 'auditor';

function show(at, ...nodes) {
  if (location.hash === at) $('#main').replaceChildren(...nodes);
}

function badge(text, cls) { return el('span', { class: 'badge ' + (cls || text) }, text); }

function loginPage() {
  $('#nav').hidden = true;
  const msg = el('div', { class: 'error', id: 'login-error' });
  const user = el('input', { id: 'username', placeholder: 'username', autocomplete: 'username' });
  const pass = el('input', { id: 'password', type: 'password', placeholder: 'password', autocomplete: 'current-password' });
  const form = el('form', { class: 'login', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      me = (await api('POST', 'session', { username: user.value, password: pass.value })).data;
      sessionStorage.setItem('keyprov.csrf', me.csrfToken); // for the API browser at /api/docs/
      location.hash = '#/';
      route();
    } catch (e) { msg.textContent = e.message; }
  } }, el('h1', {}, 'Log in'), user, pass, el('button', { type: 'submit', id: 'login' }, 'Log in'), msg);
  $('#main').replaceChildren(form);
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

// one of the node's counters as bars, a bar per interval, the running one last (drawn here: no
// chart library to ship for five bar charts); the caption says in words what the bars show
function chart(s, interval) {
  const total = s.points.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...s.points);
  // a fixed hour wide, the newest at the right: a node up for ten minutes fills the last sixth
  const w = 360, h = 72, slots = Math.max(3600 / interval + 1, s.points.length), bw = w / slots;
  const minutes = Math.round((s.points.length - 1) * interval / 60);
  const span = minutes >= 60 ? 'in the last hour' : 'since this node started' + (minutes ? ' (' + minutes + ' min ago)' : '');
  const bars = s.points.map((v, i) => {
    const bh = peak ? Math.max(v ? 2 : 0, v / peak * h) : 0;
    return svg('rect', { x: ((slots - s.points.length + i) * bw).toFixed(2), y: (h - bh).toFixed(2), width: Math.max(1, bw - 1).toFixed(2), height: bh.toFixed(2) },
      svg('title', {}, v + ' in ' + interval + ' s'));
  });
  return el('figure', { class: 'chart', id: 'chart-' + s.name, 'data-total': total },
    el('figcaption', {}, s.label + ': ', el('strong', { class: 'total' }, String(total)), ' ' + span,
      peak ? el('span', { class: 'muted' }, ' · at most ' + peak + ' per ' + interval + ' s') : ''),
    svg('svg', { viewBox: '0 0 ' + w + ' ' + h, role: 'img', preserveAspectRatio: 'none',
      'aria-label': s.label + ': ' + total + ' ' + span + ', at most ' + peak + ' per ' + interval + ' s' },
    svg('line', { x1: 0, y1: h - 0.5, x2: w, y2: h - 0.5, class: 'axis' }), ...bars),
    el('div', { class: 'axis-labels muted', 'aria-hidden': 'true' }, el('span', {}, '60 min ago'), el('span', {}, 'now')));
}

let chartsTimer = null; // the dashboard's charts move every 10 s while it is shown

async function dashboard() {
  const at = location.hash; // a late answer must not draw over the page the operator moved to
  const [d, c] = await Promise.all([api('GET', 'dashboard'), api('GET', 'dashboard/charts')]).then((r) => r.map((x) => x.data));
  if (!chartsTimer) {
    chartsTimer = setInterval(() => {
      if (location.hash === '#/' || location.hash === '') dashboard().catch(() => {});
      else { clearInterval(chartsTimer); chartsTimer = null; }
    }, c.intervalSeconds * 1000);
  }
  const card = (label, n, id) => el('div', { class: 'card' }, el('div', { class: 'muted' }, label), el('div', { class: 'n', id }, n));
  const recent = el('tbody', { id: 'recent' });
  for (const e of d.recent) recent.append(eventRow(e.at, e.action, e.subject, e.detail));
  show(at,
    el('h1', {}, 'Dashboard'),
    el('div', { class: 'cards' }, card('Devices', d.devices, 'count-devices'), card('Devices online', d.online, 'count-online')),
    el('p', { class: 'muted', id: 'counts-note' }, 'Each device has one assignment per Enabler it is given; the counts below are of assignments.'),
    el('div', { class: 'cards' }, card('Assignments provisioned', d.provisioned, 'count-provisioned'),
      card('Assignments failed (provisioning or Enabler connection)', d.failed, 'count-failed'),
      card('Assignments with an expired key', d.expired, 'count-expired'), card('Assignments pending', d.pending, 'count-pending')),
    el('h1', {}, 'This node, the last hour'),
    c.series.length ? el('div', { class: 'charts', id: 'charts' }, c.series.map((x) => chart(x, c.intervalSeconds)))
      : el('p', { class: 'muted', id: 'charts' }, 'This server keeps no counters: no charts.'),
    el('h1', {}, 'Recent events'),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'When'), el('th', {}, 'What'), el('th', {}, 'Subject'), el('th', {}, 'Detail'))), recent));
}

function eventRow(at, action, subject, detail) {
  return el('tr', {}, el('td', { class: 'when' }, when(at)), el('td', {}, action), el('td', {}, subject), el('td', {}, detail));
}

// created: the DM PSK of a device just created, shown once: kept across the page's redraws (its own,
// live updates) until the operator says it is saved, never stored anywhere else
let devicesState = { search: '', state: '', enabler: '', sort: 'endpoint', after: '', history: [], created: null, selected: new Set() };
let enablerNames = { at: 0, names: [] }; // for the filter, fetched again after 30 s
const FORMATS = ['TLV', 'JSON', 'SENML_JSON', 'SENML_CBOR', 'TEXT', 'OPAQUE', 'CBOR'];
const STATES = ['pending', 'provisioned', 'failed', 'expired', 'unsupported', 'sim'];

let devicesDrawn = 0; // a list asked for earlier must not draw over one asked for later

async function devices() {
  const at = location.hash; // a late answer must not draw over the page the operator moved to
  const asked = ++devicesDrawn;
  const q = new URLSearchParams({ search: devicesState.search, state: devicesState.state, enabler: devicesState.enabler, sort: devicesState.sort, after: devicesState.after, limit: '50' });
  const page = (await api('GET', 'devices?' + q)).data;
  if (Date.now() - enablerNames.at > 30000) {
    enablerNames = { at: Date.now(), names: (await api('GET', 'enablers')).data.items.map((e) => e.fqdn) };
  }
  const selected = devicesState.selected; // kept across the page's live redraws
  const bulkBar = el('div', { class: 'toolbar', id: 'bulk' });
  const drawBulk = () => bulkBar.replaceChildren(
    el('span', { id: 'bulk-count' }, selected.size + ' selected'),
    ...[['reprovision', 'Re-provision', 'Re-provision every assignment of'], ['revoke', 'Revoke keys', 'Revoke every key of'], ['delete', 'Delete', 'Delete']].map(([action, label, verb]) =>
      el('button', { class: 'secondary', id: 'bulk-' + action, disabled: !canWrite() || selected.size === 0, onclick: async () => {
        const n = selected.size;
        if (!confirm(verb + ' ' + n + ' device' + (n === 1 ? '' : 's') + '?')) return;
        try {
          const r = (await api('POST', 'devices/bulk', { action, endpoints: [...selected] })).data;
          toast(label + ': ' + r.done + ' of ' + n + ' done' + (r.failed.length ? '; ' + r.failed.map((f) => f.endpoint + ': ' + f.detail).join('; ') : ''));
          selected.clear();
          devices();
        } catch (e) { toast(e.message); }
      } }, label)));
  drawBulk();
  const rows = page.items.map((d) => el('tr', { 'data-endpoint': d.endpoint },
    el('td', {}, el('input', { type: 'checkbox', class: 'pick', 'aria-label': 'Select ' + d.endpoint, checked: selected.has(d.endpoint),
      onchange: (ev) => { if (ev.target.checked) selected.add(d.endpoint); else selected.delete(d.endpoint); drawBulk(); } })),
    el('td', {}, el('a', { href: '#/devices/' + encodeURIComponent(d.endpoint) }, d.endpoint)),
    el('td', {}, d.online ? badge('online') : ''),
    // each badge names its Enabler and says its state in words, besides its colour
    el('td', { class: 'states' }, d.assignments.map((a) => badge(a.enabler + ': ' + a.state, a.state))),
    el('td', { class: 'wide' }, d.dmPskIdentity),
    el('td', { class: 'when wide' }, when(d.createdAt))));
  // a column the list sorts on: pressed once ascending, again descending, back to the first page
  const sortable = (label, key, cls) => {
    const desc = devicesState.sort === '-' + key;
    const on = desc || devicesState.sort === key;
    return el('th', { class: cls, 'aria-sort': on ? (desc ? 'descending' : 'ascending') : 'none' },
      el('button', { type: 'button', class: 'sort', id: 'sort-' + key, title: 'Sort by ' + label.toLowerCase(), onclick: () => {
        // from the order now, not the drawn one: a second press before the redraw reverses it
        devicesState = { ...devicesState, sort: devicesState.sort === key ? '-' + key : key, after: '', history: [] };
        devices();
      } }, label, on ? (desc ? ' ▼' : ' ▲') : ''));
  };
  const search = el('input', { id: 'search', placeholder: 'endpoint or DM identity contains…', value: devicesState.search });
  const option = (value, text, chosen) => { const o = el('option', { value }, text); o.selected = value === chosen; return o; };
  const stateFilter = el('select', { id: 'filter-state', 'aria-label': 'Only devices with an assignment in state' },
    option('', 'any state', devicesState.state), STATES.map((v) => option(v, v, devicesState.state)));
  const enablerFilter = el('select', { id: 'filter-enabler', 'aria-label': 'Only devices assigned to Enabler' },
    option('', 'any Enabler', devicesState.enabler), enablerNames.names.map((v) => option(v, v, devicesState.enabler)));
  const create = el('form', { class: 'inline', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      const body = { endpoint: $('#new-endpoint').value };
      // a factory bootstrap PSK instead: the bootstrap server gives the DM PSK, nobody sees it
      if ($('#new-bs-psk').value) body.bsPsk = $('#new-bs-psk').value.trim();
      const r = (await api('POST', 'devices', body)).data;
      devicesState.created = r.dmPsk ? { endpoint: r.endpoint, dmPsk: r.dmPsk } : null;
      if (!r.dmPsk) toast(r.endpoint + ' added; it gets its DM PSK when it bootstraps');
      devices();
    } catch (e) { toast(e.message); }
  } }, el('input', { id: 'new-endpoint', placeholder: 'new device endpoint' }),
  el('input', { id: 'new-bs-psk', placeholder: 'factory bootstrap PSK, hex (optional)', size: 36, autocomplete: 'off' }),
  el('button', { type: 'submit', disabled: !canWrite() }, 'Create device'));
  if (asked !== devicesDrawn) return;
  show(at,
    el('h1', {}, 'Devices'),
    el('form', { class: 'toolbar', onsubmit: (ev) => { ev.preventDefault(); devicesState = { ...devicesState, search: search.value, state: stateFilter.value, enabler: enablerFilter.value, after: '', history: [] }; devices(); } },
      search, stateFilter, enablerFilter, el('button', { type: 'submit', class: 'secondary', id: 'apply-search' }, 'Search'),
      el('a', { href: '/api/v1/devices.csv', id: 'export-devices' }, 'Export CSV (devices and assignments)')),
    create, el('div', { id: 'created' }, devicesState.created && el('div', { class: 'secret' },
      'DM PSK for ' + devicesState.created.endpoint + ' (shown once, flash it to the device): ',
      el('code', { id: 'created-psk' }, devicesState.created.dmPsk), ' ',
      el('button', { class: 'secondary', id: 'dismiss-created', onclick: () => { devicesState.created = null; $('#created').replaceChildren(); } }, 'I have saved it'))),
    bulkBar,
    el('table', { id: 'devices' }, el('thead', {}, el('tr', {}, el('th', {}, ''), sortable('Endpoint', 'endpoint'), el('th', {}, ''), el('th', {}, 'Enablers'), el('th', { class: 'wide' }, 'DM PSK identity'), sortable('Created', 'created', 'wide'))), el('tbody', {}, rows)),
    el('div', { class: 'toolbar' },
      el('button', { class: 'secondary', disabled: devicesState.history.length === 0, onclick: () => { devicesState.after = devicesState.history.pop(); devices(); } }, 'Previous'),
      el('button', { class: 'secondary', id: 'next', disabled: !page.next, onclick: () => { devicesState.history.push(devicesState.after); devicesState.after = page.next; devices(); } }, 'Next')));
}

async function deviceDetail(endpoint) {
  const at = location.hash; // a late answer must not draw over the page the operator moved to
  let d;
  try {
    d = (await api('GET', 'devices/' + encodeURIComponent(endpoint))).data;
  } catch (e) {
    // never leave the previous device's page (and its Delete button) under this address
    show(at, el('h1', {}, 'No such device'),
      el('p', { id: 'device-missing' }, e.message, ' · ', el('a', { href: '#/devices' }, 'all devices')));
    return;
  }
  const enablers = (await api('GET', 'enablers')).data.items;
  const rows = d.assignments.map((a) => el('tr', { 'data-enabler': a.enabler },
    el('td', {}, a.enabler), el('td', {}, badge(a.state, a.state)), el('td', {}, a.detail),
    el('td', { class: 'key' }, a.keyVersion ? ['version ' + a.keyVersion, el('br'), expiry(a.keyExpiresAt)] : ''),
    el('td', {}, a.lastConnectionResult || ''),
    el('td', {}, el('button', { class: 'secondary', disabled: !canWrite(), onclick: async () => {
      await api('POST', 'devices/' + encodeURIComponent(endpoint) + '/assignments/' + encodeURIComponent(a.enabler) + '/reprovision', {});
      toast('provisioning again'); route();
    } }, 'Re-provision now'), ' ',
    el('button', { class: 'secondary revoke-key', disabled: !canWrite() || !a.keyVersion, onclick: async () => {
      try {
        const r = await api('POST', 'devices/' + encodeURIComponent(endpoint) + '/assignments/' + encodeURIComponent(a.enabler) + '/revoke', {});
        toast(r.data.revoked + ' key(s) revoked; the device gets a new one'); route();
      } catch (e) { toast(e.message); }
    } }, 'Revoke key'), ' ',
    el('button', { class: 'secondary unassign', disabled: !canWrite(), onclick: async () => {
      try {
        await api('DELETE', 'devices/' + encodeURIComponent(endpoint) + '/assignments/' + encodeURIComponent(a.enabler));
        toast('Enabler ' + a.enabler + ' taken off; its keys no longer work'); route();
      } catch (e) { toast(e.message); }
    } }, 'Unassign'))));
  const select = el('select', { id: 'assign-enabler', 'aria-label': 'Enabler to assign' }, enablers.map((e) => el('option', { value: e.fqdn }, e.fqdn)));
  const btid = el('input', { id: 'revoke-btid', placeholder: 'B-TID to revoke', size: 40 });
  show(at,
    el('h1', {}, 'Device ', el('span', { id: 'device-name' }, d.endpoint), ' ', d.online ? badge('online') : badge('offline', '')),
    el('p', { class: 'muted' }, 'IMPI ', d.impi, ' · DM PSK identity ', d.dmPskIdentity, ' · created ', when(d.createdAt)),
    el('table', { id: 'assignments' }, el('thead', {}, el('tr', {}, el('th', {}, 'Enabler'), el('th', {}, 'State'), el('th', {}, 'Detail'), el('th', {}, 'Key'), el('th', {}, 'Last connection'), el('th', {}, ''))), el('tbody', {}, rows)),
    registration(d.registration),
    objectBrowser(endpoint, d),
    dmCredential(endpoint, d),
    el('form', { class: 'inline', onsubmit: async (ev) => { ev.preventDefault();
      try { await api('POST', 'devices/' + encodeURIComponent(endpoint) + '/assignments', { enabler: select.value }); route(); } catch (e) { toast(e.message); } } },
      select, el('button', { type: 'submit', disabled: !canWrite() }, 'Assign Enabler')),
    el('form', { class: 'inline', onsubmit: async (ev) => { ev.preventDefault();
      try { await api('POST', 'keys/revoke', { btid: btid.value }); toast('key revoked'); route(); } catch (e) { toast(e.message); } } },
      btid, el('button', { type: 'submit', id: 'revoke', disabled: !canWrite() }, 'Revoke key')),
    el('div', { class: 'toolbar' }, el('button', { class: 'secondary', id: 'delete-device', disabled: !canWrite(), onclick: async () => {
      if (!confirm('Delete ' + endpoint + '?')) return;
      await api('DELETE', 'devices/' + encodeURIComponent(endpoint)); location.hash = '#/devices'; } }, 'Delete device')));
}

// the LwM2M object browser: read any object the device lists, write, execute, delete an instance
// what the object browser shows, kept across redraws of the device page (live events redraw it)
let browsed = null; // { endpoint, path, a, format, observing: Set of paths }

function objectBrowser(endpoint, d) {
  const base = 'devices/' + encodeURIComponent(endpoint) + '/lwm2m';
  if (!browsed || browsed.endpoint !== endpoint) browsed = { endpoint, path: '', a: null, format: '', observing: new Set() };
  const result = el('div', { id: 'object-result' });
  const pathInput = el('input', { id: 'object-path', placeholder: 'path, e.g. /3/0', size: 16 });
  // read, observe and write go in the content format chosen; execute and delete carry none
  const call = async (method, path, body, formatted) => {
    try {
      const q = formatted && browsed.format ? '?format=' + encodeURIComponent(browsed.format) : '';
      const a = (await api(method, base + path.replace(/^\/?/, '/') + q, body)).data;
      return a;
    } catch (e) { toast(e.message); return null; }
  };
  const show = (path, a) => {
    if (!a) return;
    browsed.path = path; browsed.a = a;
    const status = el('p', { id: 'object-status', class: a.success ? 'muted' : 'error' },
      path + ': ' + a.coapCode + ' ' + a.code + (a.error ? ' (' + a.error + ')' : '') + (a.format ? ' · answered in ' + a.format : ''));
    const rows = a.resources.map((r) => {
      const writable = r.operations.includes('W') && !r.multiple;
      const value = el('input', { class: 'write-value', 'aria-label': 'value for ' + r.path, size: 24 });
      return el('tr', { 'data-path': r.path },
        el('td', {}, r.path), el('td', {}, r.name), el('td', { class: 'value' }, Object.values(r.values).join(', ')),
        el('td', {}, r.operations),
        el('td', {}, r.operations.includes('R') ? el('button', { class: 'secondary observe', disabled: browsed.observing.has(r.path), onclick: async (ev) => {
          const a = await call('POST', r.path + '/observe', {}, true);
          if (a && a.success) { browsed.observing.add(r.path); ev.target.textContent = 'Observing'; ev.target.disabled = true; toast('observing ' + r.path + ': new values show here'); }
          else if (a) { toast(r.path + ': ' + a.coapCode + ' ' + a.code); }
        } }, browsed.observing.has(r.path) ? 'Observing' : 'Observe') : '', ' ',
          writable && canWrite() ? [value, ' ', el('button', { class: 'secondary write', onclick: async () => {
          const written = value.value;
          value.value = '';
          show(r.path, await call('PUT', r.path, { value: written }, true));
        } }, 'Write')] : ''));
    });
    result.replaceChildren(status, a.resources.length ? el('table', { id: 'object-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Path'), el('th', {}, 'Name'), el('th', {}, 'Value'), el('th', {}, 'Ops'), el('th', {}, ''))),
      el('tbody', {}, rows)) : '');
  };
  const read = async (path) => { pathInput.value = path; show(path, await call('GET', path, undefined, true)); };
  // every format the browser knows, those the registration lists marked: Leshan keeps only the
  // mandatory ones once a device updates its object links, so the device's answer is the proof
  const listed = (d.registration && d.registration.contentFormats) || [];
  const formatChoice = el('select', { id: 'object-format', 'aria-label': 'Content format', onchange: (ev) => { browsed.format = ev.target.value; } },
    [['', 'format: device\'s choice'], ...FORMATS.map((f) => [f, f + (listed.includes(f) ? ' (registered)' : '')])].map(([v, t]) => { const o = el('option', { value: v }, t); o.selected = v === browsed.format; return o; }));
  if (browsed.a) { pathInput.value = browsed.path; show(browsed.path, browsed.a); }
  const links = ((d.registration && d.registration.objectLinks) || [])
    .map((l) => l.replace(/^<([^>]*)>.*$/, '$1')).filter((p) => /^\/\d+(\/\d+)?$/.test(p));
  return el('section', { id: 'objects' },
    el('h2', {}, 'Objects'),
    d.registration ? el('div', { class: 'links' }, links.map((p) => el('button', { class: 'secondary object-link', onclick: () => read(p) }, p))) :
      el('p', { class: 'muted' }, 'The device is not registered: nothing to browse.'),
    el('form', { class: 'inline', onsubmit: async (ev) => { ev.preventDefault(); await read(pathInput.value); } },
      pathInput, formatChoice, el('button', { type: 'submit', class: 'secondary', id: 'object-read', disabled: !d.registration }, 'Read'),
      el('input', { id: 'object-value', placeholder: 'value to write (write-only resources too)', size: 30, autocomplete: 'off' }),
      el('button', { type: 'button', class: 'secondary', id: 'object-write', disabled: !d.registration || !canWrite(), onclick: async () => {
        const written = $('#object-value').value;
        $('#object-value').value = ''; // it may be a key: not left on screen
        show(pathInput.value, await call('PUT', pathInput.value, { value: written }, true));
      } }, 'Write'),
      el('button', { type: 'button', class: 'secondary', id: 'object-execute', disabled: !d.registration || !canWrite(), onclick: async () => {
        show(pathInput.value, await call('POST', pathInput.value, {}));
      } }, 'Execute'),
      el('button', { type: 'button', class: 'secondary', id: 'object-delete', disabled: !d.registration || !canWrite(), onclick: async () => {
        if (!confirm('Delete instance ' + pathInput.value + ' on ' + endpoint + '?')) return;
        show(pathInput.value, await call('DELETE', pathInput.value));
      } }, 'Delete instance')),
    result);
}

// the device's DM credential: factory bootstrap credential, DM PSK version, bootstrap and rotation
function dmCredential(endpoint, d) {
  const b = d.bootstrap || {};
  const row = (k, v) => el('tr', {}, el('th', {}, k), el('td', {}, v));
  const bsPsk = el('input', { id: 'bs-psk', placeholder: 'factory bootstrap PSK, hex', size: 36, autocomplete: 'off' });
  return el('section', { id: 'dm-credential' },
    el('h2', {}, 'DM credential'),
    el('table', {}, el('tbody', {},
      row('DM PSK', 'identity ' + d.dmPskIdentity + ', version ' + (b.dmPskVersion || 1)),
      row('Factory bootstrap credential', b.bsPskIdentity ? 'identity ' + b.bsPskIdentity + ', version ' + b.bsPskVersion : 'none (the DM PSK was flashed)'),
      b.newBsPskIdentity ? row('New factory credential', 'identity ' + b.newBsPskIdentity + ', written at the next bootstrap; the current one works until the device bootstraps with it') : null,
      row('Last bootstrap', b.bootstrappedAt ? when(b.bootstrappedAt) : 'never'),
      b.newDmPskIssuedAt ? row('New DM PSK', ['issued ', when(b.newDmPskIssuedAt), ', not used yet: the current one works until the device registers with it']) : null,
      b.rotationRequestedAt ? row('Rotation', ['asked for ', when(b.rotationRequestedAt)]) : null)),
    el('div', { class: 'toolbar' },
      el('button', { class: 'secondary', id: 'rotate-dm-psk', disabled: !canWrite() || !b.bsPskIdentity,
        title: b.bsPskIdentity ? '' : 'needs a factory bootstrap credential', onclick: async () => {
          try { const r = await api('POST', 'devices/' + encodeURIComponent(endpoint) + '/dm-rotation', {}); toast('DM PSK rotation: ' + r.data.message); route(); } catch (e) { toast(e.message); }
        } }, 'Rotate DM PSK'),
      el('button', { class: 'secondary', id: 'rotate-bs-psk', disabled: !canWrite() || !b.bsPskIdentity, onclick: async () => {
          try { const r = await api('POST', 'devices/' + encodeURIComponent(endpoint) + '/bs-rotation', {}); toast(r.data.message); route(); } catch (e) { toast(e.message); }
        } }, 'Rotate factory credential'),
      el('form', { class: 'inline', onsubmit: async (ev) => { ev.preventDefault();
        try { await api('POST', 'devices/' + encodeURIComponent(endpoint) + '/bootstrap-psk', { bsPsk: bsPsk.value.trim() }); toast('factory bootstrap credential set'); route(); } catch (e) { toast(e.message); } } },
        bsPsk, el('button', { type: 'submit', class: 'secondary', id: 'set-bs-psk', disabled: !canWrite() }, b.bsPskIdentity ? 'Replace factory credential' : 'Set factory credential'))));
}

async function enablersPage() {
  const at = location.hash; // a late answer must not draw over the page the operator moved to
  const list = (await api('GET', 'enablers')).data.items;
  const allow = [];
  const allowBox = el('div', { id: 'allow-list' });
  const addAllow = (v) => {
    const input = el('input', { class: 'allow', value: v || '', placeholder: 'coaps://host:port/path', size: 40 });
    const row = el('div', { class: 'toolbar' }, input, el('button', { type: 'button', class: 'secondary', onclick: () => { row.remove(); } }, 'Remove'));
    allow.push(input); allowBox.append(row);
  };
  const form = el('form', { id: 'enabler-form', onsubmit: async (ev) => {
    ev.preventDefault();
    const body = { fqdn: $('#enabler-fqdn').value, uri: $('#enabler-uri').value,
      allowList: [...document.querySelectorAll('#allow-list input.allow')].map((i) => i.value).filter((v) => v) };
    if ($('#enabler-ua').value) body.uaSecurityProtocolId = $('#enabler-ua').value;
    if ($('#enabler-lifetime').value) body.keyLifetimeSeconds = Number($('#enabler-lifetime').value);
    body.atBootstrap = $('#enabler-at-bootstrap').checked;
    try {
      const exists = list.some((e) => e.fqdn === body.fqdn.toLowerCase());
      await api(exists ? 'PUT' : 'POST', exists ? 'enablers/' + encodeURIComponent(body.fqdn) : 'enablers', body);
      toast('Enabler saved'); route();
    } catch (e) { $('#enabler-error').textContent = e.message; }
  } },
    el('div', { class: 'toolbar' }, el('input', { id: 'enabler-fqdn', placeholder: 'NAF FQDN' }), el('input', { id: 'enabler-uri', placeholder: 'coaps://host:port or tls://host:port', size: 36 }),
      el('input', { id: 'enabler-ua', placeholder: 'Ua id (hex, optional)' }), el('input', { id: 'enabler-lifetime', placeholder: 'key lifetime (s)' }),
      el('label', {}, el('input', { type: 'checkbox', id: 'enabler-at-bootstrap' }), ' written at a device\'s first bootstrap')),
    el('div', { class: 'muted' }, 'URL allow-list (empty: the Enabler URI)'), allowBox,
    el('div', { class: 'toolbar' }, el('button', { type: 'button', class: 'secondary', onclick: () => addAllow('') }, 'Add URL'),
      el('button', { type: 'submit', id: 'save-enabler', disabled: !canWrite() }, 'Save Enabler')),
    el('div', { class: 'error', id: 'enabler-error' }));
  addAllow('');
  const rows = list.map((e) => el('tr', { 'data-enabler': e.fqdn }, el('td', {}, e.fqdn), el('td', {}, e.uri), el('td', { class: 'wide' }, e.uaSecurityProtocolId),
    el('td', { class: 'wide' }, e.allowList.join(' · ')), el('td', { class: 'wide' }, String(e.keyLifetimeSeconds)),
    el('td', {}, el('button', { class: 'secondary', onclick: () => {
      $('#enabler-fqdn').value = e.fqdn; $('#enabler-uri').value = e.uri; $('#enabler-ua').value = e.uaSecurityProtocolId;
      $('#enabler-lifetime').value = e.keyLifetimeSeconds; $('#enabler-at-bootstrap').checked = !!e.atBootstrap; allowBox.replaceChildren(); e.allowList.forEach(addAllow);
    } }, 'Edit'), ' ',
    el('button', { class: 'secondary delete-enabler', disabled: !canWrite(), onclick: async () => {
      if (!confirm('Delete Enabler ' + e.fqdn + '? It is taken off every device it is assigned to, and its keys stop working at once.')) return;
      try {
        const r = await api('DELETE', 'enablers/' + encodeURIComponent(e.fqdn));
        toast('Enabler ' + e.fqdn + ' deleted; taken off ' + r.data.devices + ' device(s)'); route();
      } catch (err) { toast(err.message); }
    } }, 'Delete'))));
  const creds = (await api('GET', 'enabler-credentials')).data.items;
  const credFqdn = el('select', { id: 'credential-enabler', 'aria-label': 'Enabler of the credential' }, list.map((e) => el('option', { value: e.fqdn }, e.fqdn)));
  const credBox = el('div', { id: 'credential-secret' });
  const credentials = el('section', {}, el('h1', {}, 'Enabler credentials'),
    el('p', { class: 'muted' }, 'An Enabler presents its credential to the Key Manager lookup API. The secret is shown once.'),
    el('form', { class: 'inline', onsubmit: async (ev) => { ev.preventDefault();
      try {
        const r = (await api('POST', 'enabler-credentials', { nafFqdn: credFqdn.value })).data;
        credBox.replaceChildren(el('div', { class: 'secret' }, 'Credential ' + r.label + ' for ' + r.nafFqdn + ' (shown once): ' + r.secret));
      } catch (e) { toast(e.message); } } }, credFqdn, el('button', { type: 'submit', id: 'issue-credential', disabled: !canWrite() }, 'Issue credential')),
    credBox,
    el('table', { id: 'credentials' }, el('tbody', {}, creds.map((k) => el('tr', {}, el('td', {}, k.label), el('td', {}, k.nafFqdn), el('td', { class: 'when' }, when(k.createdAt)),
      el('td', {}, k.revokedAt ? 'revoked ' + k.revokedAt : el('button', { class: 'secondary', disabled: !canWrite(), onclick: async () => {
        await api('POST', 'enabler-credentials/' + encodeURIComponent(k.label) + '/revoke'); route(); } }, 'Revoke')))))));
  show(at, el('h1', {}, 'Enablers'), form,
    el('table', { id: 'enablers' }, el('thead', {}, el('tr', {}, el('th', {}, 'FQDN'), el('th', {}, 'URI'), el('th', { class: 'wide' }, 'Ua id'), el('th', { class: 'wide' }, 'Allow-list'), el('th', { class: 'wide' }, 'Key lifetime (s)'), el('th', {}, ''))), el('tbody', {}, rows)), credentials);
}

function importPage() {
  const text = el('textarea', { id: 'csv', placeholder: 'endpoint,dm_psk_identity,dm_psk_hex,enablers\n…' });
  const file = el('input', { id: 'csv-file', 'aria-label': 'CSV file', type: 'file', accept: '.csv,text/csv', onchange: async () => { text.value = await file.files[0].text(); } });
  const mode = el('select', { id: 'import-mode', 'aria-label': 'Import mode' }, el('option', { value: 'all' }, 'all or nothing'), el('option', { value: 'valid' }, 'import the valid rows'));
  const bar = el('progress', { id: 'import-progress', max: '1', value: '0', 'aria-label': 'Import progress' });
  const status = el('span', { id: 'import-status', class: 'muted', role: 'status' });
  const report = el('div', { id: 'import-report' });
  const at = location.hash;
  const done = (job) => {
    const errors = job.errors || [];
    const more = job.errorCount > errors.length ? ' (the first ' + errors.length + ' shown)' : '';
    report.replaceChildren(el('p', { id: 'import-summary' }, job.imported + ' device(s) imported, ' + job.errorCount + ' error(s)' + more
        + (job.state === 'failed' ? ': the import stopped' : job.mode === 'all' && job.errorCount ? ': nothing was imported, mend the lines below and import again' : '')),
      el('table', {}, el('tbody', {}, errors.map((e) => el('tr', {}, el('td', {}, e.line > 0 ? 'line ' + e.line : 'file'), el('td', {}, e.message))))));
  };
  const run = async () => {
    // one upload for the whole file; the server imports it as a job (in one transaction in mode
    // all) and says how far it has come, from whichever node this page asks
    report.replaceChildren();
    bar.removeAttribute('value'); // indeterminate until the job says how many rows it has
    status.textContent = 'uploading…';
    let job = (await api('POST', 'imports?mode=' + mode.value, text.value, 'text/csv')).data;
    let moved = Date.now(), seen = -1;
    while (job.state === 'running') {
      bar.max = Math.max(1, job.rows); bar.value = job.done;
      status.textContent = 'importing: ' + job.done + ' of ' + job.rows + ' rows';
      if (job.done !== seen) { seen = job.done; moved = Date.now(); }
      if (Date.now() - moved > 120000) {
        // a job writes its progress every few hundred rows: its server stopped while it ran
        status.textContent = 'no progress for 2 min: the server running this import may have stopped (in mode all nothing was imported); see the audit log';
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
      if (location.hash !== at) return; // the job goes on; its outcome is in the audit log
      job = (await api('GET', 'imports/' + job.id)).data;
    }
    bar.max = 1; bar.value = 1;
    status.textContent = job.state === 'done' ? 'done: ' + job.rows + ' rows' : 'stopped';
    done(job);
  };
  $('#main').replaceChildren(el('h1', {}, 'Import devices from CSV'), el('p', { class: 'muted' }, 'Header: endpoint,dm_psk_identity,dm_psk_hex[,enablers] for devices flashed with a DM PSK, or endpoint,bs_psk_identity,bs_psk_hex[,enablers] for devices with a factory bootstrap credential — commas or semicolons, quoted fields and Excel\'s "CSV UTF-8" accepted; several enablers separated by ; or , inside their field'),
    file, text, el('div', { class: 'toolbar' }, mode, el('button', { id: 'import', disabled: !canWrite(), onclick: () => run().catch((e) => { status.textContent = ''; bar.value = 0; toast(e.message); }) }, 'Import'), bar, status), report);
}

// the audit log's filters and page: newest first, 100 a page, older pages by the last id shown
let auditState = { device: '', enabler: '', action: '', before: '', history: [] };

async function auditPage() {
  const at = location.hash; // a late answer must not draw over the page the operator moved to
  const f = { device: auditState.device, enabler: auditState.enabler, action: auditState.action };
  const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v));
  const page = new URLSearchParams(q);
  page.set('limit', '100');
  if (auditState.before) page.set('before', auditState.before);
  const items = (await api('GET', 'audit?' + page)).data;
  const device = el('input', { id: 'f-device', placeholder: 'device / subject', value: f.device });
  const enabler = el('input', { id: 'f-enabler', placeholder: 'Enabler FQDN', value: f.enabler });
  const action = el('input', { id: 'f-action', placeholder: 'action, e.g. key.lookup', value: f.action });
  const last = items.length === 100 ? items[items.length - 1].id : null;
  show(at, el('h1', {}, 'Audit log'),
    el('form', { class: 'toolbar', onsubmit: (ev) => { ev.preventDefault(); auditState = { device: device.value.trim(), enabler: enabler.value.trim(), action: action.value.trim(), before: '', history: [] }; auditPage(); } },
      device, enabler, action,
      el('button', { type: 'submit', class: 'secondary', id: 'apply-audit' }, 'Filter'), el('a', { href: '/api/v1/audit.csv?' + q, id: 'export' }, 'Export CSV')),
    el('table', { id: 'audit' }, el('thead', {}, el('tr', {}, el('th', {}, 'When'), el('th', { class: 'wide' }, 'Actor'), el('th', {}, 'Action'), el('th', {}, 'Subject'), el('th', { class: 'wide' }, 'Detail'))),
      el('tbody', {}, items.map((e) => el('tr', {}, el('td', { class: 'when' }, when(e.at)), el('td', { class: 'wide' }, e.actor), el('td', {}, e.action), el('td', {}, e.subject), el('td', { class: 'wide' }, e.detail))))),
    el('div', { class: 'toolbar' },
      el('button', { class: 'secondary', id: 'audit-newer', disabled: auditState.history.length === 0, onclick: () => { auditState.before = auditState.history.pop(); auditPage(); } }, 'Newer'),
      el('button', { class: 'secondary', id: 'audit-older', disabled: !last, onclick: () => { auditState.history.push(auditState.before); auditState.before = String(last); auditPage(); } }, 'Older')));
}

async function accountPage() {
  const at = location.hash; // a late answer must not draw over the page the operator moved to
  const msg = el('div', { class: 'error', id: 'password-error' });
  const current = el('input', { id: 'current-password', type: 'password', autocomplete: 'current-password', placeholder: 'current password' });
  const next = el('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', placeholder: 'new password (12+ characters)' });
  const form = el('form', { id: 'password-form', class: 'toolbar', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', 'session/password', { current: current.value, password: next.value });
      current.value = ''; next.value = ''; msg.textContent = '';
      toast('Password changed');
    } catch (e) { msg.textContent = e.message; }
  } }, current, next, el('button', { type: 'submit', id: 'change-password' }, 'Change password'));
  const parts = [el('h1', {}, 'My account'),
    el('p', { class: 'muted' }, me.username + ' (' + me.role + '). Changing your password ends your other sessions.'), form, msg];
  parts.push(...await tokensSection());
  if (me.role === 'admin') parts.push(...await operatorsSection());
  show(at, ...parts);
}

/** Personal API tokens: for scripts, sent as Authorization: Bearer; the secret is shown once. */
async function tokensSection() {
  const list = (await api('GET', 'tokens')).data.items;
  const secret = el('div', { id: 'token-secret' });
  const err = el('div', { class: 'error', id: 'token-error' });
  const name = el('input', { id: 'token-name', placeholder: 'e.g. ci-deploy', autocomplete: 'off' });
  const roles = ['admin', 'operator', 'auditor'].slice(['admin', 'operator', 'auditor'].indexOf(me.role));
  const scope = el('select', { id: 'token-scope' }, roles.map((r) => el('option', { value: r }, r)));
  const form = el('form', { id: 'token-form', class: 'toolbar', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      const t = (await api('POST', 'tokens', { name: name.value.trim(), scope: scope.value })).data;
      name.value = ''; err.textContent = '';
      secret.replaceChildren(el('div', { class: 'secret' }, 'Token ' + t.name + ' (' + t.scope + '), shown once — send it as Authorization: Bearer ', el('code', { id: 'token-value' }, t.secret)));
      tokenRows(tbody, (await api('GET', 'tokens')).data.items);
    } catch (e) { err.textContent = e.message; }
  } }, el('label', {}, 'Name ', name), el('label', {}, 'Scope ', scope), el('button', { type: 'submit', id: 'issue-token' }, 'Issue token'));
  const tbody = el('tbody', {});
  tokenRows(tbody, list);
  return [el('h1', {}, 'API tokens'),
    el('p', { class: 'muted' }, 'For scripts: no session or CSRF token needed. The API is described at ', el('a', { href: '/api/docs/' }, '/api/docs/'), '.'),
    form, err, secret,
    el('table', { id: 'tokens' }, el('thead', {}, el('tr', {}, ['Name', 'Operator', 'Scope', 'Issued', 'State', ''].map((h) => el('th', { class: h === 'Operator' || h === 'Issued' ? 'wide' : null }, h)))), tbody)];
}

function tokenRows(tbody, list) {
  tbody.replaceChildren(...list.map((t) => el('tr', {}, el('td', {}, t.name), el('td', { class: 'wide' }, t.username), el('td', {}, t.scope),
    el('td', { class: 'when wide' }, when(t.createdAt)), el('td', {}, t.revokedAt ? badge('revoked') : badge('active', 'provisioned')),
    el('td', {}, t.revokedAt ? '' : el('button', { class: 'secondary', onclick: async () => {
      if (!confirm('Revoke the token ' + t.name + '? Scripts using it are refused at once.')) return;
      try { await api('DELETE', 'tokens/' + encodeURIComponent(t.id)); toast('Token revoked'); route(); } catch (e) { toast(e.message); }
    } }, 'Revoke')))));
}

async function operatorsSection() {
  const list = (await api('GET', 'operators')).data.items;
  const secret = el('div', { id: 'reset-secret' });
  const err = el('div', { class: 'error', id: 'operator-error' });
  const name = el('input', { id: 'operator-username', placeholder: 'username' });
  const pass = el('input', { id: 'operator-password', type: 'password', autocomplete: 'new-password', placeholder: 'password (12+ characters)' });
  const role = el('select', { id: 'operator-role', 'aria-label': 'Role' }, ['operator', 'auditor', 'admin'].map((r) => el('option', { value: r }, r)));
  const create = el('form', { id: 'operator-form', class: 'toolbar', onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', 'operators', { username: name.value, password: pass.value, role: role.value });
      toast('Operator created'); route();
    } catch (e) { err.textContent = e.message; }
  } }, name, pass, role, el('button', { type: 'submit', id: 'create-operator' }, 'Create operator'));
  const reset = async (username) => {
    const r = (await api('POST', 'operators/' + encodeURIComponent(username) + '/password-reset')).data;
    secret.replaceChildren(el('div', { class: 'secret' }, 'New password for ' + r.username + ' (shown once): ' + r.password));
  };
  const remove = async (username) => {
    if (!confirm('Delete the account ' + username + '? Its sessions end at once.')) return;
    await api('DELETE', 'operators/' + encodeURIComponent(username));
    toast('Operator deleted'); route();
  };
  const rows = list.map((o) => el('tr', {}, el('td', {}, o.username), el('td', {}, o.role),
    el('td', {}, o.username === me.username ? '' : [
      el('button', { class: 'secondary', onclick: () => reset(o.username).catch((e) => toast(e.message)) }, 'Reset password'), ' ',
      el('button', { class: 'secondary', onclick: () => remove(o.username).catch((e) => toast(e.message)) }, 'Delete')])));
  return [el('h1', {}, 'Operators'), create, err, secret, el('table', { id: 'operators' }, el('tbody', {}, rows))];
}

// where devices, Enablers and operators reach this server, and what it runs on
async function serverPage() {
  const at = location.hash;
  const i = (await api('GET', 'server')).data;
  const row = (k, v) => el('tr', {}, el('th', {}, k), el('td', {}, v));
  show(at,
    el('h1', {}, 'Server'),
    el('table', { id: 'server-info' }, el('tbody', {},
      row('Version', i.version),
      i.endpoints.map((e) => row(e.name, el('code', {}, e.uri))),
      row('HTTPS certificate SHA-256', el('code', { id: 'certificate-sha256', class: 'links' }, i.certificateSha256)),
      row('Certificate', el('a', { href: '/api/v1/server/certificate.pem', download: 'keyprov-https.pem', id: 'certificate-download' }, 'Download (PEM), for Enablers to pin')),
      row('Node', i.node || 'one node'),
      row('Database', i.database),
      row('Devices registered here', String(i.registered)),
      row('Started', when(i.startedAt)))));
}

function listen() {
  if (events) return;
  events = new EventSource('/api/v1/events');
  events.onmessage = (m) => {
    const e = JSON.parse(m.data);
    const h = location.hash;
    if (e.type === 'notify') {
      // a value the object browser observes: into its row, without redrawing the page
      if (h.startsWith('#/devices/') && decodeURIComponent(h.slice(10)) === e.endpoint) {
        const space = e.detail.indexOf(' ');
        const cell = document.querySelector('#object-table tr[data-path="' + CSS.escape(e.detail.slice(0, space)) + '"] td.value');

        const path = e.detail.slice(0, space);
        const value = e.detail.slice(space + 1);
        const r = browsed && browsed.a && browsed.a.resources.find((x) => x.path === path);
        if (r) r.values = { 0: value };
        if (cell) { cell.textContent = value; cell.classList.add('changed'); }
      }
      return;
    }
    if (e.type === 'updated') {
      // a fleet updates all the time: only the page of that device shows it (its last update)
      if (h.startsWith('#/devices/') && decodeURIComponent(h.slice(10)) === e.endpoint) deviceDetail(e.endpoint).catch(() => {});
      return;
    }
    if (h === '#/' || h === '') {
      const body = $('#recent');
      const device = e.type === 'registered' || e.type === 'deregistered';
      if (body) { body.prepend(eventRow(new Date().toISOString(), (device ? 'device.' : 'provisioning.') + e.type, e.endpoint, device ? e.detail : e.enabler + ': ' + e.detail)); }
      dashboard().catch(() => {});
    } else if (h === '#/devices') {
      devices().catch(() => {});
    } else if (h.startsWith('#/devices/') && decodeURIComponent(h.slice(10)) === e.endpoint) {
      deviceDetail(e.endpoint).catch(() => {});
    }
  };
}

// After an action completes, pages re-render through route(): it draws the page the operator is on
// now, which is not the one the action started from if they moved on meanwhile.
async function route() {
  if (!me) {
    try { me = (await api('GET', 'session')).data; sessionStorage.setItem('keyprov.csrf', me.csrfToken); } catch (e) { me = null; }
  }
  if (!me) { loginPage(); return; }
  $('#nav').hidden = false;
  $('#who').textContent = me.username + ' (' + me.role + ')';
  listen();
  const h = location.hash || '#/';
  // a DM PSK shown once stays through the list's redraws, never beyond the list
  if (h !== '#/devices') devicesState.created = null;
  try {
    if (h === '#/') await dashboard();
    else if (h === '#/devices') await devices();
    else if (h.startsWith('#/devices/')) await deviceDetail(decodeURIComponent(h.slice(10)));
    else if (h === '#/enablers') await enablersPage();
    else if (h === '#/import') importPage();
    else if (h === '#/audit') await auditPage();
    else if (h === '#/account') await accountPage();
    else if (h === '#/server') await serverPage();
  } catch (e) { toast(e.message); }
}

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', () => {
  $('#logout').addEventListener('click', async () => { await api('DELETE', 'session'); sessionStorage.removeItem('keyprov.csrf'); me = null; devicesState.created = null; if (events) { events.close(); events = null; } location.hash = '#/'; route(); });
  route();
});
