// The cages console: polls the admin API of the host that served it and draws what it says. Everything it
// shows comes from admin endpoints; with an admin token set it asks for the token once, keeps it in this tab's
// sessionStorage and sends it as "Authorization: Bearer" (never in a URL).
'use strict';
(function () {
  const TOKEN_KEY = 'cages.adminToken';
  const MINUTE_EVERY_MS = 2000;
  const HOUR_EVERY_MS = 10000;
  const CHART_WIDTH = 380, CHART_HEIGHT = 190;

  class Unauthorized extends Error {}

  /** What the page knows, for people poking at it from the browser's console (and the browser test). */
  const state = {
    refreshes: 0,
    history: { minute: null, hour: null },
    charts: { minute: {}, hour: {} },
    // The swaps drawn as markers by each window's latest chart draw.
    markers: { minute: [], hour: [] },
    errors: [],
  };
  window.cagesConsole = {
    state,
    /** The columns of one chart as uPlot has them: [times, series...]. */
    data: (win, chart) => state.charts[win][chart] ? state.charts[win][chart].data : null,
    markers: (win) => state.markers[win].slice(),
  };

  const $ = (id) => document.getElementById(id);

  async function api(path, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = Object.assign({}, opts.headers || {});
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      opts.headers['Authorization'] = 'Bearer ' + token;
    }
    const response = await fetch(path, opts);
    if (response.status === 401) {
      throw new Unauthorized('the admin API wants a token');
    }
    return response;
  }

  async function json(path) {
    const response = await api(path);
    const body = await response.json();
    if (!response.ok) {
      throw new Error(path + ': ' + response.status + ' ' + (body.message || body.error || ''));
    }
    return body;
  }

  function setStatus(text, kind) {
    const s = $('status');
    s.textContent = text;
    s.dataset.state = kind;
  }

  // --- tables ---

  function cell(row, text, cls) {
    const td = row.insertCell();
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (cls) {
      td.className = cls;
    }
    return td;
  }

  function fill(tableId, items, columns, empty) {
    const body = $(tableId).tBodies[0];
    body.replaceChildren();
    if (items.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = $(tableId).tHead.rows[0].cells.length;
      td.className = 'empty';
      td.textContent = empty;
      return;
    }
    for (const item of items) {
      const row = body.insertRow();
      for (const column of columns) {
        column(row, item);
      }
    }
  }

  // The flock table: the health monitor's matrix (GET /health/flock) when there is one, with each host's load from
  // the directory (GET /flock); a host gone from the flock stays listed, down, until the monitor forgets it.
  function renderFlock(flock, cages, health) {
    const rows = [];
    const selfName = health ? health.host : null;
    const load = new Map(flock.map((m) => [m.name, m]));
    const seen = new Set();
    if (health) {
      for (const e of health.entries) {
        const m = load.get(e.host);
        seen.add(e.host + '/' + e.cage);
        rows.push({ host: e.host + (e.host === selfName ? ' (this host)' : ''), cage: e.cage, version: e.version || '',
          inFlight: m ? m.inFlight : '', queued: m ? m.queued : '', health: e.status, reason: e.reason, since: e.since });
      }
    }
    if (flock.length === 0) {
      for (const c of cages) {
        if (!seen.has(selfName + '/' + c.name)) {
          rows.push({ host: '(this host)', cage: c.name, version: c.activeVersion, inFlight: c.running, queued: c.queued,
            health: health ? 'not probed yet' : (c.activeVersion ? 'up' : 'down') });
        }
      }
    } else {
      for (const m of flock) {
        for (const nameAtVersion of m.cages) {
          const at = nameAtVersion.lastIndexOf('@');
          const cage = at < 0 ? nameAtVersion : nameAtVersion.substring(0, at);
          if (!seen.has(m.name + '/' + cage)) {
            rows.push({ host: m.name + (m.self ? ' (this host)' : ''), cage: cage, version: at < 0 ? '' : nameAtVersion.substring(at + 1),
              inFlight: m.inFlight, queued: m.queued, health: health ? 'not probed yet' : 'up' });
          }
        }
        if (m.cages.length === 0 && !rows.some((r) => r.host.startsWith(m.name))) {
          rows.push({ host: m.name, cage: '', version: '', inFlight: m.inFlight, queued: m.queued, health: 'no cages' });
        }
      }
    }
    rows.sort((a, b) => a.host.localeCompare(b.host) || a.cage.localeCompare(b.cage));
    fill('flock', rows, [
      (r, x) => cell(r, x.host), (r, x) => cell(r, x.cage), (r, x) => cell(r, x.version),
      (r, x) => cell(r, x.inFlight), (r, x) => cell(r, x.queued),
      (r, x) => {
        const td = cell(r, x.health, x.health);
        td.dataset.status = x.health;
        if (x.reason) {
          td.title = x.reason + (x.since ? ' (since ' + new Date(x.since).toLocaleTimeString() + ')' : '');
          td.after(Object.assign(document.createElement('td'), { className: 'reason', textContent: x.reason }));
        } else {
          td.after(document.createElement('td'));
        }
      },
    ], 'no cages deployed');
  }

  /** GET path, or null when the host answers 404 (an older host without that endpoint). */
  async function jsonOrNull(path) {
    const response = await api(path);
    if (response.status === 404) {
      return null;
    }
    const body = await response.json();
    if (!response.ok) {
      throw new Error(path + ': ' + response.status + ' ' + (body.message || body.error || ''));
    }
    return body;
  }

  function renderCages(cages) {
    fill('cages', cages, [
      (r, c) => cell(r, c.name), (r, c) => cell(r, c.activeVersion || '(none)'),
      (r, c) => cell(r, c.versions.map((v) => v.version + ' ' + v.state.toLowerCase()).join(', ')),
      (r, c) => cell(r, c.running), (r, c) => cell(r, c.queued),
      (r, c) => {
        const b = document.createElement('button');
        b.textContent = 'undeploy';
        b.className = 'undeploy';
        b.dataset.cage = c.name;
        b.onclick = () => undeploy(c.name);
        const td = r.insertCell();
        td.appendChild(b);
        const back = document.createElement('button');
        back.textContent = 'roll back';
        back.className = 'rollback';
        back.dataset.cage = c.name;
        back.title = 'Swap back, live, to the version this host ran before the last deploy';
        back.onclick = () => rollback(c.name);
        td.appendChild(back);
      },
    ], 'no cages deployed');
  }

  function renderHistory(records) {
    fill('history', records.slice().reverse(), [
      (r, d) => cell(r, d.seq), (r, d) => cell(r, d.at), (r, d) => cell(r, d.action, d.action === 'ROLLBACK' ? 'rolledback' : null), (r, d) => cell(r, d.cage),
      (r, d) => cell(r, d.previous), (r, d) => cell(r, d.version),
      (r, d) => cell(r, d.outcome.toLowerCase(), d.outcome === 'FAILED' ? 'failed' : 'ok'),
      (r, d) => cell(r, d.durationMs), (r, d) => cell(r, d.origin), (r, d) => cell(r, d.reason),
    ], 'nothing deployed yet');
  }

  /** Guarded deploys, newest first: a rolled back or failed one shows why. */
  function renderRollouts(rollouts) {
    fill('rollouts', rollouts.slice().reverse(), [
      (r, x) => cell(r, x.id), (r, x) => cell(r, x.startedAt), (r, x) => cell(r, x.cage), (r, x) => cell(r, x.previous),
      (r, x) => cell(r, x.version),
      (r, x) => cell(r, x.state.toLowerCase().replace('_', ' '), x.state === 'PASSED' || x.state === 'WATCHING' ? 'ok' : 'failed'),
      (r, x) => cell(r, x.observed ? x.observed.requests + ' requests, ' + x.observed.errors + ' errors, p99 '
        + (x.observed.p99Ms === null ? '-' : x.observed.p99Ms + ' ms') : ''),
      (r, x) => cell(r, x.reason),
    ], 'no guarded deploys yet (deploy with a watch)');
  }

  function renderProblems(problems) {
    fill('problems', problems, [(r, p) => cell(r, p.file), (r, p) => cell(r, p.reason), (r, p) => cell(r, p.at)],
      'none');
  }

  function renderResources(resources) {
    const rows = Object.keys(resources).map((name) => ({ name, status: resources[name] }));
    fill('resources', rows, [
      (r, x) => cell(r, x.name), (r, x) => cell(r, x.status.kind),
      (r, x) => cell(r, Object.keys(x.status).filter((k) => k !== 'kind').map((k) => k + ' ' + x.status[k]).join(', ')),
    ], 'none');
  }

  function renderJobs(jobs) {
    fill('jobs', jobs, [
      (r, j) => cell(r, j.cage), (r, j) => cell(r, j.name), (r, j) => cell(r, j.schedule), (r, j) => cell(r, j.nextFire),
      (r, j) => cell(r, j.lastOutcome), (r, j) => cell(r, j.fired), (r, j) => cell(r, j.running),
    ], 'none');
  }

  // --- charts ---

  const COLORS = ['#1f77b4', '#d62728', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

  /** The charts of one history window: each a title and its series (label, column). */
  function chartsOf(h) {
    const errors = [{ label: 'all errors', values: h.errors }];
    for (const code of Object.keys(h.errorsByCode).sort()) {
      errors.push({ label: code, values: h.errorsByCode[code] });
    }
    return {
      rate: { title: 'requests / s', series: [{ label: 'rate', values: h.rate }] },
      latency: { title: 'latency (ms)', series: [{ label: 'p50', values: h.p50Ms }, { label: 'p99', values: h.p99Ms }] },
      errors: { title: 'errors per ' + h.slotSeconds + ' s', series: errors },
      queue: { title: 'in flight / queued (max)', series: [{ label: 'in flight', values: h.inFlight }, { label: 'queued', values: h.queued }] },
    };
  }

  /** Draws each swap of the window as a vertical line: green when it went through, red when it failed. */
  function swapMarkers(win) {
    return {
      hooks: {
        draw: [(u) => {
          const swaps = (state.history[win] && state.history[win].swaps) || [];
          const [min, max] = [u.scales.x.min, u.scales.x.max];
          const drawn = [];
          const ctx = u.ctx;
          ctx.save();
          for (const s of swaps) {
            if (s.at < min || s.at > max) {
              continue;
            }
            const x = Math.round(u.valToPos(s.at, 'x', true));
            ctx.strokeStyle = s.ok ? '#2a9d2a' : '#c02020';
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.setLineDash([5 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillStyle = ctx.strokeStyle;
            ctx.font = (10 * devicePixelRatio) + 'px sans-serif';
            ctx.fillText(s.cage + ' ' + (s.to || '-'), x + 3 * devicePixelRatio, u.bbox.top + 10 * devicePixelRatio);
            drawn.push(s);
          }
          ctx.restore();
          if (u.cagesChart === 'rate') {
            state.markers[win] = drawn;
            u.root.parentElement.dataset.swaps = String(drawn.length);
          }
        }],
      },
    };
  }

  function renderCharts(win, h) {
    state.history[win] = h;
    const box = $('charts-' + win);
    const specs = chartsOf(h);
    for (const name of Object.keys(specs)) {
      const spec = specs[name];
      const data = [h.times].concat(spec.series.map((s) => s.values));
      const signature = spec.series.map((s) => s.label).join('|');
      let chart = state.charts[win][name];
      if (chart && chart.cagesSignature !== signature) {
        chart.destroy();
        chart = null;
      }
      if (!chart) {
        let holder = box.querySelector('[data-chart="' + name + '"]');
        if (!holder) {
          holder = document.createElement('div');
          holder.dataset.chart = name;
          holder.className = 'chart';
          box.appendChild(holder);
        }
        chart = new uPlot({
          title: spec.title, width: CHART_WIDTH, height: CHART_HEIGHT,
          // Each point stands for the slot that starts there: the axis runs to the end of the newest slot, so a
          // swap made in it is drawn at once rather than once the next slot begins.
          scales: { x: { time: true, range: (u, min, max) => [min, max + h.slotSeconds] } },
          series: [{}].concat(spec.series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false }))),
          plugins: [swapMarkers(win)],
        }, data, holder);
        chart.cagesSignature = signature;
        chart.cagesChart = name;
        state.charts[win][name] = chart;
      } else {
        chart.setData(data);
      }
      const holder = chart.root.parentElement;
      holder.dataset.points = String(data[1].filter((v) => v !== null && v !== 0).length);
      holder.dataset.last = String(h.times[h.times.length - 1]);
    }
  }

  function renderPickers(series) {
    const cagePick = $('pick-cage'), opPick = $('pick-operation');
    const cage = cagePick.value, op = opPick.value;
    const cages = Object.keys(series).sort();
    const wanted = [''].concat(cages).join('|');
    if (Array.from(cagePick.options).map((o) => o.value).join('|') !== wanted) {
      cagePick.replaceChildren(new Option('(all cages)', ''), ...cages.map((c) => new Option(c, c)));
      cagePick.value = cages.includes(cage) ? cage : '';
    }
    const ops = cagePick.value ? (series[cagePick.value] || []) : [];
    const wantedOps = [''].concat(ops).join('|');
    if (Array.from(opPick.options).map((o) => o.value).join('|') !== wantedOps) {
      opPick.replaceChildren(new Option('(all operations)', ''), ...ops.map((o) => new Option(o, o)));
      opPick.value = ops.includes(op) ? op : '';
    }
  }

  async function loadHistory(win) {
    const q = new URLSearchParams({ window: win, cage: $('pick-cage').value, operation: $('pick-operation').value });
    const h = await json('/console/api/history?' + q);
    renderCharts(win, h);
    renderPickers(h.series);
  }

  // --- actions ---

  async function deploy(event) {
    event.preventDefault();
    const file = $('deploy-jar').files[0];
    const result = $('deploy-result');
    if (!file) {
      result.textContent = 'choose a cage jar first';
      return;
    }
    const watch = $('deploy-watch').value.trim();
    result.textContent = 'deploying ' + file.name + (watch ? ', watching it for ' + watch : '') + '...';
    try {
      const response = await api('/deploy?origin=' + encodeURIComponent('console:' + file.name)
        + (watch ? '&watch=' + encodeURIComponent(watch) : ''),
        { method: 'POST', body: file, headers: { 'Content-Type': 'application/java-archive' } });
      const record = await response.json();
      if (watch && record.state) { // a guarded deploy answers with its rollout
        result.textContent = record.cage + ' ' + record.version + ': ' + record.state.toLowerCase().replace('_', ' ')
          + ' (' + record.reason + ')';
      } else {
        result.textContent = response.ok
          ? record.cage + ' ' + record.version + ' is active (' + record.durationMs + ' ms)'
          : 'failed: ' + (record.reason || record.message || response.status);
      }
      result.className = response.ok ? 'ok' : 'failed';
    } catch (e) {
      handle(e);
    }
    refresh();
  }

  async function undeploy(cage) {
    if (!window.confirm('Undeploy cage ' + cage + '? It drains its requests and is removed from the deploy folder.')) {
      return;
    }
    try {
      const response = await api('/undeploy?cage=' + encodeURIComponent(cage) + '&origin=console', { method: 'POST' });
      const record = await response.json();
      $('deploy-result').textContent = response.ok ? cage + ' undeployed' : 'undeploy failed: ' + (record.reason || record.message);
    } catch (e) {
      handle(e);
    }
    refresh();
  }

  async function rollback(cage) {
    if (!window.confirm('Roll cage ' + cage + ' back to the version it ran before its last deploy?')) {
      return;
    }
    try {
      const response = await api('/rollback?cage=' + encodeURIComponent(cage) + '&origin=console', { method: 'POST' });
      const record = await response.json();
      $('deploy-result').textContent = response.ok ? cage + ' rolled back to ' + record.version + ' (was ' + record.previous + ')'
        : 'rollback failed: ' + (record.reason || record.message);
      $('deploy-result').className = response.ok ? 'ok' : 'failed';
    } catch (e) {
      handle(e);
    }
    refresh();
  }

  // --- polling ---

  let lastHour = 0;
  let timer = null;

  async function refresh() {
    try {
      const [flock, cages, history, problems, resources, jobs, health] = await Promise.all([
        json('/flock'), json('/cages'), json('/history'), json('/config-problems'), json('/resources'), json('/jobs'),
        jsonOrNull('/health/flock')]);
      renderFlock(flock, cages, health);
      renderCages(cages);
      renderHistory(history);
      renderProblems(problems);
      renderResources(resources);
      renderJobs(jobs);
      renderRollouts(await json('/rollouts'));
      await loadHistory('minute');
      if (Date.now() - lastHour >= HOUR_EVERY_MS) {
        await loadHistory('hour');
        lastHour = Date.now();
      }
      state.refreshes++;
      $('login').hidden = true;
      $('console').hidden = false;
      setStatus('updated ' + new Date().toLocaleTimeString(), 'ok');
    } catch (e) {
      handle(e);
    }
  }

  function handle(e) {
    if (e instanceof Unauthorized) {
      stop();
      const had = sessionStorage.getItem(TOKEN_KEY) !== null;
      sessionStorage.removeItem(TOKEN_KEY);
      $('console').hidden = true;
      $('login').hidden = false;
      $('login-error').textContent = had ? 'that token was refused' : '';
      setStatus('needs the admin token', 'login');
      return;
    }
    state.errors.push(String(e));
    setStatus(String(e.message || e), 'error');
  }

  function start() {
    stop();
    refresh();
    timer = setInterval(refresh, MINUTE_EVERY_MS);
  }

  function stop() {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    start();
  });
  $('deploy').addEventListener('submit', deploy);
  $('pick-cage').addEventListener('change', () => { $('pick-operation').value = ''; lastHour = 0; refresh(); });
  $('pick-operation').addEventListener('change', () => { lastHour = 0; refresh(); });
  start();
})();
