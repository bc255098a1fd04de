// EdgeGuard's live page: asks /dashboard/data about once a second and draws what it says. All numbers are
// computed by the gateway from its own metrics; this script only formats them and draws the charts (uPlot).
"use strict";

(() => {
  const REFRESH_MS = 1000;
  const COLOURS = {
    bloom: "#2563eb",
    cache: "#16a34a",
    "negative-cache": "#0d9488",
    stale: "#d97706",
    upstream: "#ea580c",
    budget: "#9333ea",
    invalid: "#6b7280",
  };
  const LABELS = { "negative-cache": "negative cache", upstream: "catalog (upstream)" };

  const state = { charts: {}, last: null, updates: 0, failures: 0 };
  window.edgeguardDashboard = state;

  const $ = (id) => document.getElementById(id);
  const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

  function pct(share) {
    if (share === null || share === undefined) return "–";
    const p = share * 100;
    if (p === 0) return "0 %";
    if (p < 0.1) return p.toFixed(3) + " %";
    if (p < 10) return p.toFixed(2) + " %";
    return p.toFixed(1) + " %";
  }
  const count = (v) => (v === null || v === undefined ? "–" : v >= 100 ? number.format(v) : decimal.format(v));
  // Binary units, as a process's memory is usually read: 1,245,824 bytes is "1.19 MiB".
  function bytes(value) {
    if (value === null || value === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let v = value, unit = 0;
    while (v >= 1024 && unit < units.length - 1) { v /= 1024; unit++; }
    return (unit === 0 ? number.format(v) : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : number.format(v)) + " " + units[unit];
  }
  function ms(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const v = seconds * 1000;
    return (v < 1 ? v.toFixed(2) : v < 10 ? v.toFixed(1) : number.format(v)) + " ms";
  }

  // Sets an element's text and keeps the raw value beside it (data-value), for anyone reading the page.
  function show(id, text, raw) {
    const el = $(id);
    el.textContent = text;
    el.dataset.value = raw === null || raw === undefined ? "" : String(raw);
  }

  function chartWidth(el) {
    return Math.max(240, el.clientWidth || el.parentElement.clientWidth - 32);
  }

  // Stacks the sources (each line is the sum of itself and those below it), keeping gaps (null) as gaps.
  function stacked(history, sources) {
    const rows = sources.map((s) => history.rates[s] || []);
    const out = [];
    const sum = history.time.map(() => 0);
    rows.forEach((row) => {
      const line = history.time.map((_, i) => {
        if (row[i] === null || row[i] === undefined) return null;
        sum[i] += row[i];
        return sum[i];
      });
      out.push(line);
    });
    return out;
  }

  function ratesChart(data) {
    const el = $("chart-rates");
    const sources = data.sources;
    const series = [{}].concat(sources.map((s, i) => ({
      label: LABELS[s] || s,
      stroke: COLOURS[s],
      fill: i === 0 ? COLOURS[s] + "cc" : undefined,
      width: 1,
      points: { show: false },
      // The legend shows each source's own rate, not the stacked sum.
      value: (u, v, si, idx) => {
        const raw = state.last && state.last.history.rates[sources[si - 1]];
        const own = raw && idx !== null && idx !== undefined ? raw[idx] : null;
        return own === null || own === undefined ? "–" : decimal.format(own) + "/s";
      },
    })));
    const bands = sources.slice(1).map((s, i) => ({ series: [i + 2, i + 1], fill: COLOURS[s] + "cc" }));
    return new uPlot({
      width: chartWidth(el),
      height: 260,
      series,
      bands,
      scales: { y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{}, { label: "requests/s", size: 60 }],
      legend: { live: true },
    }, [[]].concat(sources.map(() => [])), el);
  }

  // The filter's own line: the observed share of missing ids that reached the catalog, against what the filter
  // predicts and the leak threshold (twice its target). The all-requests catalog share is in its tile: it includes
  // first reads of real products, which are not leaks, so it is not drawn against the threshold.
  function shieldChart() {
    const el = $("chart-shield");
    const percent = (u, v) => (v === null || v === undefined ? "–" : pct(v / 100));
    return new uPlot({
      width: chartWidth(el),
      height: 260,
      series: [
        {},
        { label: "missing ids that reached the catalog", stroke: "#111827", width: 2, value: percent },
        { label: "filter predicts", stroke: COLOURS.bloom, width: 1, points: { show: false }, value: percent },
        { label: "leaking above", stroke: "#c4161c", width: 1, dash: [6, 4], points: { show: false }, value: percent },
      ],
      scales: { y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
      axes: [{}, { label: "% of missing-id requests", size: 60, values: (u, ticks) => ticks.map((t) => t + " %") }],
    }, [[], [], [], []], el);
  }

  function drawCharts(data) {
    const h = data.history;
    if (!state.charts.rates) {
      state.charts.rates = ratesChart(data);
      state.charts.shield = shieldChart();
      // Resized on the next frame, not inside the observer's callback (which would resize what it observes).
      const resize = new ResizeObserver(() => requestAnimationFrame(() => {
        for (const [id, chart] of [["chart-rates", state.charts.rates], ["chart-shield", state.charts.shield]]) {
          chart.setSize({ width: chartWidth($(id)), height: chart.height });
        }
      }));
      resize.observe($("chart-rates"));
      resize.observe($("chart-shield"));
    }

    state.charts.rates.setData([h.time].concat(stacked(h, data.sources)));
    const toPct = (v) => (v === null || v === undefined ? null : v * 100);
    const leak = data.now.leak_threshold * 100;
    const predicted = data.filter.estimated_false_positive_rate * 100;
    state.charts.shield.setData([
      h.time,
      h.false_positive_share.map(toPct),
      h.time.map(() => predicted),
      h.time.map(() => leak),
    ]);
  }

  function render(data) {
    const now = data.now;
    const leaking = data.verdict === "leaking";

    const verdict = $("verdict");
    verdict.className = "verdict " + data.verdict;
    verdict.dataset.verdict = data.verdict;
    $("verdict-word").textContent = leaking ? "LEAKING" : "HOLDING";
    $("verdict-reason").textContent = data.verdict_reason;
    $("instance").textContent = data.instance_id;
    $("updated").textContent = "updated " + new Date(data.time * 1000).toLocaleTimeString();
    document.title = (leaking ? "LEAKING" : "HOLDING") + " — EdgeGuard";
    document.querySelectorAll(".recent-window").forEach((el) => (el.textContent = data.recent_window_seconds));
    document.querySelectorAll(".fp-window").forEach((el) => (el.textContent = data.false_positive_window_seconds));

    show("rps", count(now.requests_per_second), now.requests_per_second);
    show("catalog-share", pct(now.catalog_share), now.catalog_share);
    show("catalog-rps", count(now.catalog_requests_per_second), now.catalog_requests_per_second);
    show("avoided-rps", count(now.catalog_requests_avoided_per_second), now.catalog_requests_avoided_per_second);
    show("avoided-total", number.format(now.catalog_requests_avoided_total), now.catalog_requests_avoided_total);

    show("fp-share", pct(now.false_positive_share), now.false_positive_share);
    show("fp-predicted", pct(data.filter.estimated_false_positive_rate), data.filter.estimated_false_positive_rate);
    show("fp-target", pct(data.filter.target_false_positive_rate), data.filter.target_false_positive_rate);
    show("fp-leak", pct(now.leak_threshold), now.leak_threshold);
    show("fp-count", number.format(now.false_positives), now.false_positives);
    show("fp-sample", number.format(now.missing_id_requests), now.missing_id_requests);
    $("fp-tile").className = "tile " + data.verdict;

    show("hit-ratio", pct(now.cache_hit_ratio), now.cache_hit_ratio);
    if (data.cache.distributed) {
      const l2 = now.distributed_hit_share;
      $("l1l2").textContent = l2 === null || l2 === undefined
        ? "memory (L1) and Redis (L2)"
        : "of cache answers: " + pct(1 - l2) + " from memory (L1), " + pct(l2) + " from Redis (L2)";
    } else {
      $("l1l2").textContent = "embedded cache (one level)";
    }

    const rows = now.latency.map((row) =>
      `<tr><td><span class="swatch" style="background:${COLOURS[row.source] || "#999"}"></span>${LABELS[row.source] || row.source}</td>` +
      `<td>${ms(row.p50)}</td><td>${ms(row.p99)}</td><td>${number.format(row.requests)}</td></tr>`);
    $("latency-rows").innerHTML = rows.length ? rows.join("") : '<tr><td colspan="4">no request in the window</td></tr>';

    const f = data.filter;
    show("filter-ready", f.ready ? (f.trusted ? "yes" : "yes, catching up (forwarding)") : "NO: loading, forwarding", f.ready);
    $("filter-ready").className = f.ready && f.trusted ? "good" : "bad";
    show("filter-items", number.format(f.items), f.items);
    show("filter-fill", pct(f.fill_ratio), f.fill_ratio);
    show("filter-memory", bytes(f.memory_bytes), f.memory_bytes);
    show("filter-fp", pct(f.estimated_false_positive_rate), f.estimated_false_positive_rate);

    const c = data.cache;
    show("circuit", !c.distributed ? "embedded cache" : c.circuit_open ? "OPEN: Redis skipped" : "closed (Redis in use)", c.circuit_open);
    $("circuit").className = c.distributed && c.circuit_open ? "bad" : "good";
    $("circuit").title = c.degradation || "";
    show("catalog-errors", now.catalog_errors_per_second === null ? "–" : decimal.format(now.catalog_errors_per_second) + "/s", now.catalog_errors_per_second);
    $("catalog-errors").className = now.catalog_errors_per_second > 0 ? "bad" : "good";
    show("instances", data.cluster.clustered ? number.format(data.cluster.instances) : "1 (standalone)", data.cluster.instances);
    show("sync-lag", data.cluster.clustered ? decimal.format(data.cluster.sync_lag_seconds) + " s" : "–", data.cluster.sync_lag_seconds);

    drawCharts(data);
  }

  async function refresh() {
    try {
      const response = await fetch("/dashboard/data", { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const data = await response.json();
      state.last = data;
      render(data);
      state.updates++;
      $("connection").hidden = true;
    } catch (e) {
      // The gateway is away or restarting: keep the last picture, say so, and keep asking.
      state.failures++;
      $("connection").hidden = false;
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  refresh();
})();
