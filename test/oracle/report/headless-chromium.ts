import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

/*
 * Debian's `chromium`, headless, for the report's browser test. CI installs it with
 * `apt-get install -y chromium`; on a machine without it the test skips itself.
 */

const run = promisify(execFile);
const CHROMIUM_TIMEOUT_MS = 60_000;
const DOM_MAX_BYTES = 16 * 1024 * 1024;
const VIRTUAL_TIME_BUDGET_MS = 5_000;

/** The `chromium` executable on PATH, or undefined. */
export function findChromium(): string | undefined {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((d) => d !== "");
  return dirs.map((d) => join(d, "chromium")).find((p) => existsSync(p));
}

/** Loads `htmlPath` from file:// in a fresh profile, runs its scripts, and returns the serialized DOM. */
export async function dumpDom(chromium: string, htmlPath: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), "cw-chromium-"));
  try {
    const { stdout } = await run(
      chromium,
      [
        "--headless",
        "--no-sandbox", // the test may run as root (CI); the page is our own file
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        `--virtual-time-budget=${VIRTUAL_TIME_BUDGET_MS}`,
        "--dump-dom",
        pathToFileURL(htmlPath).href,
      ],
      { timeout: CHROMIUM_TIMEOUT_MS, maxBuffer: DOM_MAX_BYTES },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The outer HTML of the chart SVG with `data-chart="<id>"`, or undefined. */
export function chartSvg(dom: string, id: string): string | undefined {
  const start = dom.indexOf(`<svg class="chart"`, dom.indexOf(`id="${id}"`));
  if (start < 0) return undefined;
  const end = dom.indexOf("</svg>", start);
  const svg = dom.slice(start, end + "</svg>".length);
  return svg.includes(`data-chart="${id}"`) ? svg : undefined;
}

/** How many elements in `html` carry `data-kind="<kind>"`. */
export function countKind(html: string, kind: string): number {
  return html.split(`data-kind="${kind}"`).length - 1;
}
