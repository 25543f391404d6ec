import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { writeReport } from "../../../oracle/report/render.ts";
import type { DemoSummary } from "../../../oracle/report/summary.ts";
import { chartSvg, countKind, dumpDom, findChromium } from "./headless-chromium.ts";
import { hostileSummary } from "./hostile-summary.ts";
import { sampleSummary } from "./sample-summary.ts";

/** The chromium executable, or skips the running test with a message saying CI installs it. */
function requireChromium(test: Mocha.Context): string {
  const chromium = findChromium();
  if (chromium === undefined) {
    console.warn("    skipped: chromium is not on PATH; CI installs it (apt-get install -y chromium)");
    test.skip();
  }
  return chromium;
}

async function renderedDom(chromium: string, summary: DemoSummary): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cw-report-browser-"));
  try {
    return await dumpDom(chromium, await writeReport(dir, summary));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("report: in headless Chromium", function () {
  it("draws the three charts from the embedded summary", async function () {
    const chromium = requireChromium(this);
    const summary = sampleSummary();
    const stakeDrops = summary.contributors
      .flatMap((c) => c.stakeHistory.filter((h, i) => i > 0 && BigInt(h.stake) < BigInt(c.stakeHistory[i - 1]?.stake ?? "0")))
      .length;

    const dom = await renderedDom(chromium, summary);

    const accuracy = chartSvg(dom, "chart-accuracy") ?? "";
    const rewards = chartSvg(dom, "chart-rewards") ?? "";
    const stake = chartSvg(dom, "chart-stake") ?? "";
    expect(dom).to.include('data-charts="drawn"').and.not.include('class="chart-error"');
    expect(countKind(accuracy, "accuracy-point")).to.equal(summary.rounds.length);
    expect(countKind(accuracy, "rule-change")).to.equal(summary.governance.length);
    expect(countKind(rewards, "reward-bar")).to.equal(summary.contributors.length);
    expect(countKind(stake, "stake-line")).to.equal(summary.contributors.length);
    expect(countKind(stake, "slash-marker")).to.equal(stakeDrops);
  });

  it("shows a hostile label as text and runs none of it", async function () {
    const chromium = requireChromium(this);

    const dom = await renderedDom(chromium, hostileSummary());

    expect(dom).to.include('data-charts="drawn"');
    expect(dom).to.not.match(/<img\b/i);
    expect(dom.match(/<script\b/g)).to.have.length(2);
    expect(countKind(chartSvg(dom, "chart-rewards") ?? "", "reward-bar")).to.equal(8);
  });
});
