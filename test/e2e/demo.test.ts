import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { DEFAULT_DEMO_OPTIONS, runDemo } from "../../oracle/demo/run-demo.ts";
import { loadConfig } from "../../oracle/config.ts";
import type { DemoSummary } from "../../oracle/report/summary.ts";
import { tempDir } from "./support.ts";

describe("e2e: the reduced demo (2 rounds, 5 contributors)", function () {
  this.timeout(300_000);
  let summary: DemoSummary;
  let work: Awaited<ReturnType<typeof tempDir>>;

  before(async function () {
    work = await tempDir("cw-demo-test-");
    summary = await runDemo({
      ...DEFAULT_DEMO_OPTIONS,
      rounds: 2,
      contributors: 5,
      redisUrl: loadConfig().REDIS_URL,
      reportDir: join(work.dir, "report"),
      jsonFile: join(work.dir, "summary.json"),
      quiet: true,
    });
  });

  after(async function () {
    await work?.remove();
  });

  const address = (role: string): string => summary.contributors.find((c) => c.role === role)?.address ?? "";

  it("finalizes every round", function () {
    expect(summary.rounds.map((r) => r.status)).to.deep.equal(["Finalized", "Finalized"]);
  });

  it("matches every on-chain result with the auditor's recomputation", function () {
    expect(summary.rounds.map((r) => r.audit?.match)).to.deep.equal([true, true]);
  });

  it("gives the poisoner nothing once governance switched to a robust rule", function () {
    const poisoner = address("poisoner");
    const after = summary.rounds.filter((r) => r.policyVersion > 1);

    expect(summary.governance).to.have.length(1);
    expect(summary.governance[0]?.state).to.equal("Executed");
    expect(after).to.have.length(1);
    for (const r of after) {
      expect(r.rule).to.equal(summary.governance[0]?.toRule);
      expect(r.excluded.includes(poisoner) || r.scores[poisoner] === "0").to.equal(true);
    }
  });

  it("marks the norm cheat invalid and slashes it and the non-revealer every round", function () {
    const cheat = address("oversized");
    const silent = address("non-revealer");
    for (const r of summary.rounds) {
      expect(r.invalid[cheat]).to.equal("norm");
      expect(r.nonRevealers).to.deep.equal([silent]);
      expect(r.slashes.map((s) => s.account).sort()).to.deep.equal([cheat, silent].sort());
    }
    const stakeOf = (role: string): bigint[] => (summary.contributors.find((c) => c.role === role)?.stakeHistory ?? []).map((h) => BigInt(h.stake));
    const [before, , last] = stakeOf("oversized");
    expect(last ?? 0n).to.be.lessThan(before ?? 0n);
  });

  it("never pays out more than the budget of a round", function () {
    for (const r of summary.rounds) {
      const rewards = Object.values(r.rewards).reduce((s, x) => s + BigInt(x), 0n);
      expect(BigInt(r.paid)).to.equal(rewards);
      expect(BigInt(r.paid) <= BigInt(r.budget)).to.equal(true);
    }
    expect(BigInt(summary.totals.paid) <= BigInt(summary.totals.budget)).to.equal(true);
  });

  it("records each round's operator payouts and treasury share, within the budget with the rewards", function () {
    for (const r of summary.rounds) {
      expect(BigInt(r.operatorsPaid)).to.be.greaterThan(0n);
      expect(BigInt(r.treasuryShare)).to.be.greaterThan(0n);
      expect(BigInt(r.paid) + BigInt(r.operatorsPaid) + BigInt(r.treasuryShare) <= BigInt(r.budget)).to.equal(true);
    }
  });

  it("writes the HTML report and the JSON summary", async function () {
    const html = await readFile(join(work.dir, "report", "index.html"), "utf8");
    const json = JSON.parse(await readFile(join(work.dir, "summary.json"), "utf8")) as DemoSummary;

    expect(html).to.match(/<svg|<script/);
    expect(json.rounds).to.have.length(2);
  });
});
