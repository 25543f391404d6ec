import { expect } from "chai";
import { execFile } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { InvalidInputError } from "../../../oracle/errors.ts";
import { renderReport, writeReport } from "../../../oracle/report/render.ts";
import { parseDemoSummary } from "../../../oracle/report/summary.ts";
import { sampleSummary } from "./sample-summary.ts";

const CHROMIUM = "/usr/bin/chromium";

/** The DOM of `url` after its scripts ran, from Debian's headless Chromium. */
function dumpDom(url: string, profile: string): Promise<string> {
  const flags = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`, "--virtual-time-budget=5000", "--dump-dom", url,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, flags, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

function count(html: string, kind: string): number {
  return html.split(`data-kind="${kind}"`).length - 1;
}

describe("report: the demo summary and its HTML report", function () {
  it("accepts a realistic summary", function () {
    expect(parseDemoSummary(sampleSummary()).rounds).to.have.length(4);
  });

  it("rejects a negative amount and a missing field, naming them", function () {
    const bad = structuredClone(sampleSummary()) as unknown as { totals: { paid: string }; rounds: Record<string, unknown>[] };
    bad.totals.paid = "-5";
    delete bad.rounds[0]?.status;

    let failure: unknown;
    try {
      parseDemoSummary(bad);
    } catch (err) {
      failure = err;
    }

    expect(failure).to.be.instanceOf(InvalidInputError);
    expect((failure as Error).message).to.match(/totals\.paid/).and.match(/rounds\.0\.status/);
  });

  it("escapes hostile labels so they cannot break out of the page", function () {
    const summary = sampleSummary();
    const first = summary.contributors[0];
    if (!first) throw new Error("sample has no contributors");
    first.label = `</script><script>alert("x")</script><img src=x onerror='y'>`;

    const html = renderReport(summary);

    expect(html).to.not.include(`<script>alert("x")`);
    expect(html).to.not.include("<img src=x");
  });

  it("draws every chart when headless Chromium opens the file", async function () {
    this.timeout(90_000);
    try {
      await access(CHROMIUM);
    } catch {
      // A stock developer machine has no browser; CI installs Debian's chromium (.ci/run).
      this.skip();
    }
    const summary = sampleSummary();
    const dir = await mkdtemp(join(tmpdir(), "cw-report-"));
    try {
      const path = await writeReport(join(dir, "report"), summary);

      const dom = await dumpDom(pathToFileURL(path).href, join(dir, "profile"));

      const accuracyPoints = summary.rounds.filter((r) => r.accuracy !== null).length;
      expect(dom).to.match(/<html[^>]*data-charts="drawn"/);
      expect(count(dom, "accuracy-point")).to.equal(accuracyPoints);
      expect(count(dom, "reward-bar")).to.equal(summary.contributors.length);
      expect(count(dom, "stake-line")).to.equal(summary.contributors.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
