'use strict';
// The live fleet page: one event stream (GET events) brings the chart's history once, a
// snapshot of the instances every second and after each fleet event, and the fleet events as
// they happen. Everything that came over the network is put in the page as text
// (textContent, attribute values), never as markup.
(() => {
  const SPAN = 10 * 60 * 1000;
  const MAX_EVENTS = 200;
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  let points = [];   // {at, users, instances}, oldest first
  let skew = 0;      // the server's clock minus this browser's

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function svg(tag, attributes, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** A name fit for a class: the fleet's own words (ready, lost, start-failed); anything else becomes "other". */
  function word(value) {
    return /^[a-z-]{1,20}$/.test(String(value)) ? value : 'other';
  }

  /** Remote text at most this long on the page. */
  const MAX_TEXT = 200;

  function cut(value) {
    const s = String(value);
    return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) + '…' : s;
  }

  function age(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + (s % 60) + ' s';
    const h = Math.floor(m / 60);
    if (h < 48) return h + ' h ' + (m % 60) + ' min';
    return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
  }

  function clock(at) {
    return new Date(at).toTimeString().slice(0, 8);
  }

  function status(text, ok) {
    const s = $('status');
    s.textContent = text;
    s.className = ok ? 'ok' : 'bad';
  }

  function showInstances(list, now) {
    const rows = list.map((i) => {
      const tr = el('tr', undefined, 'state-' + word(i.state));
      tr.dataset.instance = String(i.id);
      const address = i.host == null ? '' : i.port == null ? String(i.host) : i.host + ':' + i.port;
      const started = Date.parse(i.startedAt);
      tr.append(el('td', cut(i.id)), el('td', cut(i.state), 'state'),
        el('td', i.users + ' / ' + i.capacity, 'users'), el('td', address),
        el('td', Number.isNaN(started) ? '' : age(now - started), 'age'));
      return tr;
    });
    $('instances').tBodies[0].replaceChildren(...rows);
    $('no-instances').hidden = list.length > 0;
  }

  function showEvent(e) {
    const li = el('li', undefined, 'ev-' + word(e.event));
    li.dataset.event = String(e.event);
    li.dataset.instance = String(e.instance);
    const time = el('time', clock(e.at));
    time.dateTime = new Date(e.at).toISOString();
    li.append(time, el('span', cut(e.event), 'event'), el('span', e.instance == null ? '' : cut(e.instance), 'instance'));
    if (e.detail) li.append(el('span', cut(e.detail), 'detail'));
    const list = $('events');
    list.prepend(li);
    while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
    $('no-events').hidden = true;
  }

  /** The smallest of 2, 4, 10, 20, 40, 100… at least max: its half is a whole number too. */
  function scaleTop(max) {
    for (let unit = 1; ; unit *= 10) {
      for (const step of [2, 4, 10]) {
        if (step * unit >= max) return step * unit;
      }
    }
  }

  function drawChart(now) {
    const W = 720, H = 220, L = 44, R = 12, T = 10, B = 24;
    const from = now - SPAN;
    points = points.filter((p) => p.at >= from);
    const top = scaleTop(Math.max(1, ...points.map((p) => Math.max(p.users, p.instances))));
    const x = (t) => (L + (t - from) / SPAN * (W - L - R)).toFixed(1);
    const y = (v) => (T + (1 - v / top) * (H - T - B)).toFixed(1);
    const nodes = [];
    for (const v of [0, top / 2, top]) {
      nodes.push(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      nodes.push(svg('text', { x: L - 8, y: Number(y(v)) + 4, 'text-anchor': 'end' }, String(v)));
    }
    for (const [minutes, anchor] of [[10, 'start'], [5, 'middle'], [0, 'end']]) {
      nodes.push(svg('text', { x: x(now - minutes * 60000), y: H - 6, 'text-anchor': anchor },
        minutes === 0 ? 'now' : '−' + minutes + ' min'));
    }
    for (const series of ['users', 'instances']) {
      // a step line: a figure holds until the next sample, and the last one until now
      const coords = [];
      points.forEach((p, k) => {
        if (k > 0) coords.push(x(p.at) + ',' + y(points[k - 1][series]));
        coords.push(x(p.at) + ',' + y(p[series]));
      });
      if (points.length > 0) coords.push(x(now) + ',' + y(points[points.length - 1][series]));
      nodes.push(svg('polyline', { class: series, points: coords.join(' ') }));
    }
    $('chart').replaceChildren(...nodes);
  }

  function onSnapshot(s) {
    skew = s.at - Date.now();
    if (s.error) {
      status(String(s.error), false);
      return;
    }
    points.push({ at: s.at, users: s.users, instances: s.instances });
    $('count-instances').textContent = String(s.instances);
    $('count-users').textContent = String(s.users);
    showInstances(s.list, s.at);
    drawChart(s.at);
    status('live', true);
  }

  const source = new EventSource('events');
  source.addEventListener('history', (m) => {
    points = JSON.parse(m.data);
    drawChart(Date.now() + skew);
  });
  source.addEventListener('snapshot', (m) => onSnapshot(JSON.parse(m.data)));
  source.addEventListener('fleet', (m) => showEvent(JSON.parse(m.data)));
  source.addEventListener('error', () => status('reconnecting…', false));
})();
