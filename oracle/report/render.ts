import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { formatPercent, plural } from "./display-format.ts";
import { finalAccuracy, headline, keyFigures, storyNotes } from "./headline.ts";
import { cspHash, escapeHtml, jsonForScript } from "./html.ts";
import { roundTableHtml } from "./round-table.ts";
import { contributorTableHtml, timelineHtml, trustSectionHtml } from "./sections.ts";
import { type DemoSummary, parseDemoSummary, ROLES } from "./summary.ts";

/*
 * The demo's HTML report: one self-contained file (inline CSS, inline JS, no requests) that opens
 * from file://. Tables and text are rendered here; the three charts are drawn in the browser by
 * assets/charts.js from the summary embedded as JSON. A Content-Security-Policy allows exactly the
 * two inline assets (by hash) and nothing from the network.
 */

/** The report's file name inside the output directory. */
export const REPORT_FILE = "index.html";
/** The summary written next to the report. */
export const SUMMARY_FILE = "summary.json";

let assets: { css: string; js: string } | undefined;

function loadAssets(): { css: string; js: string } {
  assets ??= {
    css: readFileSync(new URL("./assets/report.css", import.meta.url), "utf8"),
    js: readFileSync(new URL("./assets/charts.js", import.meta.url), "utf8"),
  };
  return assets;
}

/** One fill pattern per role, so bars and swatches never rely on color alone. */
function patternDefsHtml(): string {
  const marks: Record<string, string> = {
    honest: "",
    poisoner: '<path class="stripe" d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke-width="1.3"/>',
    oversized: '<path class="stripe" d="M0,0 L6,6 M6,0 L0,6" stroke-width="1"/>',
    "non-revealer": '<circle class="stripe" cx="3" cy="3" r="1.3"/>',
    unknown: "",
  };
  const patterns = Object.entries(marks).map(
    ([role, mark]) => `<pattern id="pat-${role}" width="6" height="6" patternUnits="userSpaceOnUse"><rect class="role-fill-${role}" width="6" height="6"/>${mark}</pattern>`,
  );
  return `<svg class="defs" aria-hidden="true" focusable="false"><defs>${patterns.join("")}</defs></svg>`;
}

function legendHtml(): string {
  const items = ROLES.map(
    (role) => `<li><svg viewBox="0 0 18 12" aria-hidden="true"><rect width="18" height="12" fill="url(#pat-${role})"/></svg>${escapeHtml(role)}</li>`,
  );
  return `<ul class="legend" aria-label="Roles">${items.join("")}</ul>`;
}

function cardsHtml(summary: DemoSummary): string {
  const cards = keyFigures(summary).map(
    (f) => `<li class="card ${f.tone}"><span class="label">${escapeHtml(f.label)}</span><span class="value">${escapeHtml(f.value)}</span><span class="detail">${escapeHtml(f.detail)}</span></li>`,
  );
  return `<ul class="cards" aria-label="Key figures">${cards.join("\n")}</ul>`;
}

function figureHtml(id: string, title: string, caption: string, wide = false): string {
  return `<figure id="${id}"${wide ? ' class="wide"' : ""}><figcaption><h3>${escapeHtml(title)}</h3>${escapeHtml(caption)}</figcaption></figure>`;
}

function chartsHtml(): string {
  return `${legendHtml()}<div class="charts">
${figureHtml("chart-accuracy", "Test accuracy per round", "Held-out test split. Dashed: the untrained model. Shaded: rounds under the rule chosen by governance.")}
${figureHtml("chart-rewards", "Rewards per contributor", "Total over all rounds. Updates left out, invalid or not revealed earn nothing.")}
${figureHtml("chart-stake", "Stake over time", "One panel per contributor, same scale. A drop marked ▼ is a slash.", true)}
</div><noscript><p class="muted">The charts need JavaScript; every number they show is also in the tables below.</p></noscript>`;
}

function footerHtml(summary: DemoSummary): string {
  const { config, machine } = summary;
  const facts = [
    `Generated ${summary.generatedAt}`,
    `seed ${String(config.seed)}`,
    `${config.partition} partition`,
    `${plural(config.workers, "worker")} per operator`,
    `network: ${config.network}`,
    `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`,
  ];
  return `<footer>${facts.map(escapeHtml).join(" · ")}</footer>`;
}

/**
 * Renders the demo summary as one self-contained HTML page.
 * @throws InvalidInputError when `summary` does not satisfy the schema.
 */
export function renderReport(summary: DemoSummary): string {
  const data = parseDemoSummary(summary);
  const { css, js } = loadAssets();
  const final = finalAccuracy(data);
  const title = `Commonweight demo: ${final === null ? "no model" : `${formatPercent(final, 0)} accuracy`} after ${plural(data.rounds.length, "round")}`;
  const csp = `default-src 'none'; style-src ${cspHash(css)}; script-src ${cspHash(js)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const notes = storyNotes(data).map((n) => `<p>${escapeHtml(n)}</p>`).join("");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
${patternDefsHtml()}
<main>
<header>
<p class="eyebrow">Commonweight · federated learning demo report</p>
<h1>${escapeHtml(headline(data))}</h1>
<div class="notes">${notes}</div>
</header>
${cardsHtml(data)}
<section aria-labelledby="charts-title"><h2 id="charts-title">What happened</h2>
${chartsHtml()}
</section>
<section aria-labelledby="rounds-title"><h2 id="rounds-title">Round by round</h2>
${roundTableHtml(data)}
</section>
<div class="split">
<section aria-labelledby="timeline-title"><h2 id="timeline-title">Timeline and governance</h2>
${timelineHtml(data)}
</section>
<section aria-labelledby="trust-title"><h2 id="trust-title">How to read this, and what is trusted</h2>
${trustSectionHtml(data)}
</section>
</div>
<section aria-labelledby="contributors-title"><h2 id="contributors-title">Contributors</h2>
${contributorTableHtml(data)}
</section>
${footerHtml(data)}
</main>
<script type="application/json" id="cw-summary">${jsonForScript(data)}</script>
<script>${js}</script>
</body>
</html>
`;
}

/**
 * Writes `index.html` and `summary.json` into `dir` (created if missing).
 * @returns the path of `index.html`.
 * @throws InvalidInputError when `summary` does not satisfy the schema.
 */
export async function writeReport(dir: string, summary: DemoSummary): Promise<string> {
  const html = renderReport(summary);
  await mkdir(dir, { recursive: true });
  const path = join(dir, REPORT_FILE);
  await writeFile(join(dir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(path, html);
  return path;
}
