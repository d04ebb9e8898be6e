// The live dashboard: polls /_strata/dashboard.json once a second and draws it. Every value from the
// data is set as text (never as markup). Feature panels are listed in the data's "panels": each is
// polled from its own source and drawn from its JSON, so a feature adds one without touching this file.
(function () {
  'use strict';
  const DATA = '/_strata/dashboard.json';
  const POLL_MS = 1000;
  const HISTORY = 60;
  const SVG = 'http://www.w3.org/2000/svg';
  const history = new Map(); // "group/name" -> recent req/s, oldest first
  const panelViews = new Map(); // source -> section element

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function badge(state) {
    return el('span', { class: 'badge ' + state, 'data-state': state }, state.replace('_', ' '));
  }

  function num(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    return Number(v).toFixed(digits);
  }

  function serving(state) {
    return state === 'healthy' || state === 'slow_start' || state === 'up' || state === 'serving';
  }

  async function fetchJson(url) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 2000);
    try {
      const r = await fetch(url, { cache: 'no-store', signal: ctl.signal });
      if (!r.ok) throw new Error(url + ': ' + r.status);
      return await r.json();
    } finally {
      clearTimeout(timer);
    }
  }

  function sparkline(values) {
    const s = svg('svg', { class: 'spark', viewBox: '0 0 120 22', preserveAspectRatio: 'none' });
    const max = Math.max(1, ...values);
    const step = 120 / (HISTORY - 1);
    const offset = HISTORY - values.length;
    const points = values.map((v, i) => ((offset + i) * step).toFixed(1) + ',' + (21 - (v / max) * 20).toFixed(1));
    s.append(svg('polyline', { points: points.join(' ') }));
    s.append(svg('title', {}, 'peak ' + max.toFixed(1) + ' req/s'));
    return s;
  }

  function drawEndpoints(data) {
    const body = document.querySelector('#endpoints tbody');
    const rows = [];
    for (const g of data.upstreams) {
      for (const e of g.endpoints) {
        const key = g.name + '/' + e.name;
        const h = history.get(key) || [];
        h.push(e.rps);
        if (h.length > HISTORY) h.shift();
        history.set(key, h);
        const latency = e.latency_ms || {};
        rows.push(el('tr', { class: 'endpoint ' + e.state, 'data-node': e.name, 'data-state': e.state },
          el('td', {}, g.name + (g.panic ? ' (panic)' : '')), el('td', { class: 'name' }, e.name),
          el('td', {}, e.address),
          el('td', {}, badge(e.state), e.degraded ? el('span', { class: 'degraded' }, e.degraded) : ''),
          el('td', { class: 'num' }, num(e.weight, 2)),
          el('td', { class: 'num' }, e.in_flight), el('td', { class: 'num rps' }, num(e.rps, 1)),
          el('td', {}, sparkline(h)),
          el('td', { class: 'num' }, num(e.error_rate * 100, 1) + ' %'),
          el('td', { class: 'num' }, num(latency.p50, 1)), el('td', { class: 'num' }, num(latency.p90, 1)),
          el('td', { class: 'num' }, num(latency.p99, 1)), el('td', { class: 'num' }, e.ejections),
          el('td', { class: 'num' }, e.connections)));
      }
    }
    body.replaceChildren(...rows);
  }

  function drawNodes(data) {
    const section = document.getElementById('nodes-section');
    const nodes = data.topology.nodes;
    section.hidden = nodes.length === 0;
    document.querySelector('#nodes tbody').replaceChildren(...nodes.map(n =>
      el('tr', { class: 'node ' + n.state, 'data-node': n.name, 'data-state': n.state },
        el('td', {}, n.name), el('td', {}, n.role), el('td', {}, n.url), el('td', { class: 'num' }, n.pid),
        el('td', {}, badge(n.state)))));
  }

  function drawEvents(data) {
    document.getElementById('events').replaceChildren(...data.events.map(e =>
      el('li', { class: 'event ' + e.kind },
        el('time', { datetime: new Date(e.time).toISOString() }, new Date(e.time).toLocaleTimeString()),
        el('span', { class: 'kind' }, e.kind.replace('_', ' ')), el('span', { class: 'subject' }, e.subject + ': '),
        el('span', {}, e.detail))));
  }

  // The stage as columns: client, gateway(s), app nodes (the endpoints), then everything else the
  // topology names (the database; later a cache, a limiter, replicas), each coloured by its state.
  function drawTopology(data) {
    const picture = document.getElementById('topology');
    const gateways = data.topology.nodes.filter(n => n.role === 'gateway')
      .map(n => ({ name: n.name, sub: 'gateway', state: n.state }));
    if (!gateways.some(g => g.name === data.gateway.name)) {
      gateways.unshift({ name: data.gateway.name, sub: 'gateway · ' + num(data.gateway.rps, 1) + ' req/s',
        state: data.gateway.state === 'serving' ? 'up' : 'draining' });
    }
    for (const g of gateways) {
      if (g.name === data.gateway.name) {
        g.sub = 'gateway · ' + num(data.gateway.rps, 1) + ' req/s';
        if (data.gateway.state !== 'serving') g.state = 'draining';
      }
    }
    const apps = [];
    const named = new Set();
    for (const g of data.upstreams) {
      for (const e of g.endpoints) {
        named.add(e.name);
        apps.push({ name: e.name, sub: e.state.replace('_', ' ') + ' · ' + (e.degraded ? e.degraded + ' · ' : '')
          + num(e.rps, 1) + ' req/s', state: e.state });
      }
    }
    for (const n of data.topology.nodes) {
      if (n.role === 'links' && !named.has(n.name)) apps.push({ name: n.name, sub: 'links', state: n.state });
    }
    const rest = data.topology.nodes.filter(n => n.role !== 'gateway' && n.role !== 'links')
      .map(n => ({ name: n.name, sub: n.role + (n.state === 'up' ? '' : ' · down'), state: n.state }));
    const columns = [[{ name: 'client', sub: 'you', state: 'up' }], gateways, apps];
    if (rest.length) columns.push(rest);

    const width = picture.clientWidth || 1000;
    const rowH = 52;
    const height = Math.max(...columns.map(c => c.length)) * rowH + 20;
    picture.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    picture.style.height = height + 'px';
    const colW = width / columns.length;
    const boxW = Math.min(170, colW - 30);
    const pos = columns.map((col, ci) => col.map((n, ri) => ({
      n, x: ci * colW + (colW - boxW) / 2, y: (height - col.length * rowH) / 2 + ri * rowH + 6 })));
    const parts = [];
    for (let ci = 0; ci + 1 < pos.length; ci++) {
      for (const a of pos[ci]) {
        for (const b of pos[ci + 1]) {
          const dead = !serving(a.n.state) || !serving(b.n.state);
          parts.push(svg('path', { class: 'link' + (dead ? ' dead' : ''),
            d: 'M' + (a.x + boxW) + ',' + (a.y + 20) + ' C' + (a.x + boxW + 40) + ',' + (a.y + 20) + ' ' +
              (b.x - 40) + ',' + (b.y + 20) + ' ' + b.x + ',' + (b.y + 20) }));
        }
      }
    }
    const colours = { healthy: '--up', up: '--up', slow_start: '--slow', ejected: '--ejected', unhealthy: '--down',
      down: '--down', draining: '--draining' };
    const style = getComputedStyle(document.documentElement);
    for (const col of pos) {
      for (const p of col) {
        const colour = style.getPropertyValue(colours[p.n.state] || '--muted').trim() || '#888';
        const g = svg('g', { class: 'node ' + p.n.state, 'data-node': p.n.name, 'data-state': p.n.state });
        g.append(svg('rect', { x: p.x, y: p.y, width: boxW, height: 40, fill: '#fff', stroke: colour }));
        g.append(svg('text', { x: p.x + boxW / 2, y: p.y + 17, fill: colour }, p.n.name));
        g.append(svg('text', { x: p.x + boxW / 2, y: p.y + 32, class: 'sub' }, p.n.sub));
        parts.push(g);
      }
    }
    picture.replaceChildren(...parts);
    const t = data.topology;
    document.getElementById('topology-note').textContent = t.source
      ? 'Nodes from ' + t.source + (t.problem ? ' (' + t.problem + ')' : '')
      : 'The gateway and its endpoints; set admin.dashboard.topology to show the whole stage.';
  }

  function drawPanelBody(section, json) {
    const body = el('div', { class: 'panel-body' });
    const list = Array.isArray(json) ? json
      : Object.values(json).find(v => Array.isArray(v) && v.length && typeof v[0] === 'object');
    if (list && list.length && typeof list[0] === 'object') {
      const keys = [...new Set(list.flatMap(o => Object.keys(o)))];
      body.append(el('table', {}, el('thead', {}, el('tr', {}, ...keys.map(k => el('th', {}, k)))),
        el('tbody', {}, ...list.map(o => el('tr', {}, ...keys.map(k => el('td', {}, show(o[k]))))))));
    }
    if (!Array.isArray(json)) {
      const scalars = Object.entries(json).filter(([, v]) => v === null || typeof v !== 'object');
      if (scalars.length) {
        body.prepend(el('table', {}, el('tbody', {}, ...scalars.map(([k, v]) =>
          el('tr', {}, el('th', {}, k), el('td', {}, show(v)))))));
      }
    }
    section.querySelector('.panel-body').replaceWith(body);
  }

  function show(v) {
    return v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  function drawPanels(data) {
    const holder = document.getElementById('panels');
    const wanted = new Set(data.panels.map(p => p.source));
    for (const [source, section] of panelViews) {
      if (!wanted.has(source)) {
        section.remove();
        panelViews.delete(source);
      }
    }
    for (const p of data.panels) {
      let section = panelViews.get(p.source);
      if (!section) {
        section = el('section', { class: 'panel', 'data-source': p.source }, el('h2', {}, p.title),
          el('div', { class: 'panel-body' }));
        holder.append(section);
        panelViews.set(p.source, section);
      }
      fetchJson(p.source).then(json => drawPanelBody(section, json))
        .catch(err => section.querySelector('.panel-body').replaceChildren(el('p', { class: 'note' }, String(err))));
    }
  }

  function drawSummary(data) {
    document.getElementById('gateway-name').textContent = 'dashboard · gateway ' + data.gateway.name;
    const eps = data.upstreams.flatMap(g => g.endpoints);
    const up = eps.filter(e => serving(e.state)).length;
    document.getElementById('summary').textContent = num(data.gateway.rps, 1) + ' req/s · ' +
      data.gateway.in_flight + ' in flight · ' + up + '/' + eps.length + ' endpoints serving';
  }

  async function poll() {
    const status = document.getElementById('status');
    try {
      const data = await fetchJson(DATA);
      drawSummary(data);
      drawTopology(data);
      drawEndpoints(data);
      drawNodes(data);
      drawEvents(data);
      drawPanels(data);
      status.textContent = 'live · ' + new Date(data.time).toLocaleTimeString();
      status.className = 'status live';
    } catch (err) {
      status.textContent = 'gateway unreachable (' + err.message + ')';
      status.className = 'status stale';
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  poll();
})();
