import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { headline } from "../../../oracle/report/headline.ts";
import { renderReport, writeReport } from "../../../oracle/report/render.ts";
import { hostileSummary, HOSTILE_TEXT } from "./hostile-summary.ts";
import { sampleSummary } from "./sample-summary.ts";

const MAX_REPORT_BYTES = 60 * 1024;

function embeddedJson(html: string): unknown {
  const match = /<script type="application\/json" id="cw-summary">([^<]*)<\/script>/.exec(html);
  if (match?.[1] === undefined) throw new Error("no embedded summary");
  return JSON.parse(match[1]);
}

describe("report: renderReport", function () {
  it("tells the story in the headline", function () {
    const text = headline(sampleSummary());

    expect(text).to.equal(
      "8 contributors trained a digit classifier privately for 4 rounds; test accuracy rose from 10% to 85%; 3 operators agreed on every round; 2 cheaters were slashed.",
    );
  });

  it("says how many rounds finalized when one failed", function () {
    const summary = sampleSummary();
    const last = summary.rounds[3];
    if (last === undefined) throw new Error("sample has 4 rounds");
    Object.assign(last, { status: "Failed", accuracy: null, modelHash: null, audit: null });

    expect(headline(summary)).to.include("3 operators finalized 3 of 4 rounds").and.include("from 10% to 80%");
  });

  it("escapes hostile labels, reasons and descriptions everywhere", function () {
    const html = renderReport(hostileSummary());

    expect(html).to.not.include(HOSTILE_TEXT);
    expect(html.match(/<script\b/g)).to.have.length(2);
    expect(html).to.not.match(/<img\b/i);
    expect(html).to.include("&lt;/script&gt;&lt;script&gt;");
  });

  it("embeds the summary so that a hostile string survives JSON.parse intact", function () {
    const summary = hostileSummary();

    const embedded = embeddedJson(renderReport(summary));

    expect(embedded).to.deep.equal(summary);
  });

  it("is self-contained: no external URL, a CSP that forbids the network, and small", function () {
    const html = renderReport(sampleSummary());

    expect(html).to.not.match(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).to.not.match(/@import|url\(\s*["']?https?:/i);
    expect(html).to.match(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
    expect(Buffer.byteLength(html)).to.be.below(MAX_REPORT_BYTES);
  });

  it("writes index.html and summary.json and returns the page's path", async function () {
    const dir = await mkdtemp(join(tmpdir(), "cw-report-"));
    try {
      const summary = sampleSummary();

      const path = await writeReport(join(dir, "demo-report"), summary);

      expect(path).to.equal(join(dir, "demo-report", "index.html"));
      expect(await readFile(path, "utf8")).to.equal(renderReport(summary));
      expect(JSON.parse(await readFile(join(dir, "demo-report", "summary.json"), "utf8"))).to.deep.equal(summary);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
