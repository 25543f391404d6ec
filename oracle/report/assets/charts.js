// Draws the report's three charts into SVG from the embedded summary (#cw-summary).
// Plain browser JavaScript, inlined by render.ts; DOM APIs only (no innerHTML), so data stays text.
(() => {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const data = JSON.parse(document.getElementById("cw-summary").textContent);
  const ROLES = ["honest", "poisoner", "oversized", "non-revealer"];
  const roleOf = (role) => (ROLES.includes(role) ? role : "unknown");
  const TOKEN_SCALE = 10n ** 14n; // base units → 1e-4 tokens, exact enough to draw and label
  const tokens = (baseUnits) => Number(BigInt(baseUnits) / TOKEN_SCALE) / 1e4;
  const fmt = (n, digits = 2) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
  const pct = (x) => `${(x * 100).toFixed(0)}%`;

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    const node = el("text", Object.assign({ x, y }, attrs || {}), parent);
    node.textContent = content;
    return node;
  }
  function titled(node, content) {
    el("title", {}, node).textContent = content;
    return node;
  }
  function chart(id, width, height, title, desc) {
    const figure = document.getElementById(id);
    const svg = el("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, "data-chart": id });
    el("title", { id: `${id}-t` }, svg).textContent = title;
    el("desc", { id: `${id}-d` }, svg).textContent = desc;
    figure.appendChild(svg);
    return svg;
  }
  function linear(d0, d1, r0, r1) {
    return (v) => (d1 === d0 ? r0 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));
  }

  function drawAccuracy() {
    const W = 560, H = 290, L = 40, R = 16, T = 28, B = 30;
    const n = data.rounds.length;
    const x = linear(0, Math.max(n, 1), L, W - R);
    const y = linear(0, 1, H - B, T);
    const measured = data.rounds.filter((r) => r.accuracy !== null);
    const last = measured.length ? measured[measured.length - 1].accuracy : data.baselineAccuracy;
    const svg = chart("chart-accuracy", W, H, "Test accuracy per round",
      `Accuracy on the held-out test split: ${pct(data.baselineAccuracy)} before training, ${pct(last)} after round ${n}.`);
    for (const p of data.governance) {
      if (p.executedBeforeRound === null || p.executedBeforeRound > n) continue;
      const xc = x(p.executedBeforeRound - 0.5);
      el("rect", { class: "rule-band", x: xc, y: T, width: W - R - xc, height: H - B - T }, svg);
      el("line", { class: "rule-change", x1: xc, x2: xc, y1: T - 6, y2: H - B, "data-kind": "rule-change" }, svg);
      text(svg, xc + 6, T - 10, `${p.fromRule} → ${p.toRule}`, { class: "rule-label" });
    }
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      el("line", { class: "grid", x1: L, x2: W - R, y1: y(tick), y2: y(tick) }, svg);
      text(svg, L - 8, y(tick) + 4, pct(tick), { "text-anchor": "end" });
    }
    for (let i = 0; i <= n; i++) text(svg, x(i), H - B + 18, i === 0 ? "start" : `round ${i}`, { "text-anchor": "middle" });
    el("line", { class: "baseline", x1: L, x2: W - R, y1: y(data.baselineAccuracy), y2: y(data.baselineAccuracy) }, svg);
    text(svg, W - R, y(data.baselineAccuracy) - 6, `untrained ${pct(data.baselineAccuracy)}`, { "text-anchor": "end" });
    let d = `M${x(0)},${y(data.baselineAccuracy)}`;
    let pen = true;
    data.rounds.forEach((r, i) => {
      if (r.accuracy === null) { pen = false; return; }
      d += `${pen ? "L" : "M"}${x(i + 1)},${y(r.accuracy)}`;
      pen = true;
    });
    el("path", { class: "accuracy-line", d }, svg);
    titled(el("circle", { class: "accuracy-point", cx: x(0), cy: y(data.baselineAccuracy), r: 3.5 }, svg), `Before training: ${pct(data.baselineAccuracy)}`);
    data.rounds.forEach((r, i) => {
      const cx = x(i + 1);
      if (r.accuracy === null) {
        const cy = y(0) - 8;
        const g = titled(el("g", { "data-kind": "failed-point" }, svg), `Round ${r.roundId} (${r.rule}): ${r.status}, no new model`);
        el("path", { class: "failed-point", d: `M${cx - 5},${cy - 5}L${cx + 5},${cy + 5}M${cx - 5},${cy + 5}L${cx + 5},${cy - 5}` }, g);
        text(g, cx, cy - 10, "failed", { "text-anchor": "middle", class: "slash-text" });
        return;
      }
      titled(el("circle", { class: "accuracy-point", cx, cy: y(r.accuracy), r: 5, "data-kind": "accuracy-point" }, svg),
        `Round ${r.roundId} (${r.rule}): ${(r.accuracy * 100).toFixed(1)}%`);
      text(svg, cx, y(r.accuracy) - 12, pct(r.accuracy), { "text-anchor": "middle", class: "label-strong" });
    });
  }

  function drawRewards() {
    const rows = data.contributors;
    const W = 520, L = 120, R = 96, rowH = 34, T = 6;
    const H = T + rows.length * rowH + 4;
    const max = Math.max(1e-9, ...rows.map((c) => tokens(c.totalReward)));
    const x = linear(0, max, 0, W - L - R);
    const svg = chart("chart-rewards", W, H, "Rewards per contributor",
      `Total rewards over all rounds, in CWT, one bar per contributor; color and pattern show the role.`);
    rows.forEach((c, i) => {
      const role = roleOf(c.role);
      const yTop = T + i * rowH;
      const value = tokens(c.totalReward);
      text(svg, L - 10, yTop + 14, c.label, { "text-anchor": "end", class: "label-strong" });
      text(svg, L - 10, yTop + 27, role, { "text-anchor": "end" });
      el("rect", { x: L, y: yTop + 5, width: W - L - R, height: 20, class: "grid", fill: "none" }, svg);
      const bar = el("rect", { x: L, y: yTop + 5, width: Math.max(x(value), 1.5), height: 20, rx: 2, fill: `url(#pat-${role})`,
        class: `role-fill-${role}`, "data-kind": "reward-bar", "data-role": role }, svg);
      titled(bar, `${c.label} (${role}): ${fmt(value)} CWT`);
      text(svg, L + Math.max(x(value), 1.5) + 6, yTop + 19, `${fmt(value, 1)} CWT`, { class: value > 0 ? "label-strong" : "" });
    });
  }

  function drawStake() {
    const rows = data.contributors;
    const PW = 260, PH = 120, GAP = 14, IL = 8, IR = 8, IT = 34, IB = 18;
    // As many columns as fit without shrinking a panel below 80% (its labels stay legible): one on a phone.
    const room = document.getElementById("chart-stake").clientWidth || PW * 4;
    const cols = Math.max(1, Math.min(4, rows.length, Math.floor((room + GAP) / (PW * 0.8 + GAP))));
    const W = cols * PW + (cols - 1) * GAP;
    const H = Math.ceil(rows.length / cols) * (PH + GAP) - GAP;
    const n = data.rounds.length;
    const max = Math.max(1e-9, ...rows.flatMap((c) => c.stakeHistory.map((h) => tokens(h.stake))));
    const slashed = rows.filter((c) => c.stakeHistory.some((h, i) => i > 0 && BigInt(h.stake) < BigInt(c.stakeHistory[i - 1].stake))).length;
    const svg = chart("chart-stake", W, H, "Stake over time per contributor",
      `One panel per contributor, stake in CWT from before round 1 to after round ${n}, same scale in every panel; ${slashed} contributors lost stake to slashing, shown as drops.`);
    rows.forEach((c, i) => {
      const role = roleOf(c.role);
      const ox = (i % cols) * (PW + GAP), oy = Math.floor(i / cols) * (PH + GAP);
      const g = el("g", { transform: `translate(${ox},${oy})` }, svg);
      el("rect", { class: "panel", x: 0.5, y: 0.5, width: PW - 1, height: PH - 1, rx: 6 }, g);
      text(g, IL, 15, c.label, { class: "label-strong" });
      text(g, IL, 28, role);
      const x = linear(0, Math.max(n, 1), IL, PW - IR);
      const y = linear(0, max, PH - IB, IT);
      el("line", { class: "axis", x1: IL, x2: PW - IR, y1: y(0), y2: y(0) }, g);
      text(g, IL, PH - 5, "start");
      text(g, PW - IR, PH - 5, `round ${n}`, { "text-anchor": "end" });
      const pts = c.stakeHistory.map((h) => ({ round: h.round, stake: tokens(h.stake) }));
      if (pts.length === 0) return;
      let d = `M${x(pts[0].round)},${y(pts[0].stake)}`;
      for (const p of pts.slice(1)) d += `H${x(p.round)}V${y(p.stake)}`;
      el("path", { class: `stake-area role-fill-${role}`, d: `${d}V${y(0)}H${x(pts[0].round)}Z` }, g);
      titled(el("path", { class: `stake-line role-stroke-${role}`, d, "data-kind": "stake-line", "data-role": role }, g),
        `${c.label} (${role}): ${fmt(pts[0].stake)} → ${fmt(pts[pts.length - 1].stake)} CWT`);
      pts.forEach((p, k) => {
        if (k === 0 || p.stake >= pts[k - 1].stake) return;
        const cx = x(p.round), cy = y(p.stake);
        titled(el("path", { class: "slash-marker", d: `M${cx - 4},${cy + 3}L${cx + 4},${cy + 3}L${cx},${cy + 9}Z`, "data-kind": "slash-marker" }, g),
          `Slashed in round ${p.round}: −${fmt(pts[k - 1].stake - p.stake)} CWT`);
      });
      const end = pts[pts.length - 1];
      text(g, PW - IR, 15, `${fmt(end.stake, 1)}`, { "text-anchor": "end", class: end.stake < pts[0].stake ? "slash-text" : "label-strong" });
    });
  }

  for (const draw of [drawAccuracy, drawRewards, drawStake]) {
    try {
      draw();
    } catch (err) {
      // Shown on the page, not hidden: a broken chart must be visible to the reader and to the test.
      console.error(err);
      const note = document.createElement("p");
      note.className = "chart-error";
      note.textContent = `This chart could not be drawn: ${err && err.message ? err.message : String(err)}`;
      document.querySelector("main").appendChild(note);
    }
  }
  document.documentElement.setAttribute("data-charts", "drawn");
})();
