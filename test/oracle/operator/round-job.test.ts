import { expect } from "chai";
import { UnrecoverableError } from "bullmq";

import { collect } from "../../../oracle/operator/jobs/round.ts";
import { canonicalJson } from "../../../oracle/protocol/result.ts";
import { getResultPackage } from "../../../oracle/storage/result-package-store.ts";
import { caseRound, driveRound, newRoundJob, roundDeps, type CaseRound } from "./round-harness.ts";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe("operator: the round job's steps (in-memory job and queues, real processors)", function () {
  this.timeout(60_000);
  let round: CaseRound;

  beforeEach(async function () {
    round = await caseRound("multi-krum-neighbours");
  });

  afterEach(async function () {
    await round.remove();
  });

  it("runs collect -> prepare -> select -> assemble to the conformance case's expected result", async function () {
    const deps = roundDeps(round);

    const outcome = await driveRound(newRoundJob(round), deps);

    expect(outcome.outcome).to.equal("computed");
    const pkg = await getResultPackage(round.store, (outcome as { package: string }).package);
    expect(canonicalJson(pkg.result)).to.equal(canonicalJson(round.expected));
  });

  it("queues one submission with the package it computed", async function () {
    const deps = roundDeps(round);

    const outcome = await driveRound(newRoundJob(round), deps);

    expect(deps.queues.submit.added.map((j) => j.data)).to.deep.equal([
      { chainId: "31337", roundId: String(round.spec.roundId), package: (outcome as { package: string }).package },
    ]);
  });

  it("fails the round job when one aggregate shard's result is missing, instead of reading zeros", async function () {
    const deps = roundDeps(round);
    const dropOneAggregateShard = (children: Map<string, unknown>): void => {
      const key = [...children.keys()].find((k) => k.includes("-aggregate-shard-1"));
      if (key) children.delete(key);
    };

    const failure = await rejection(driveRound(newRoundJob(round), deps, dropOneAggregateShard));

    expect(failure).to.be.instanceOf(UnrecoverableError);
    expect((failure as Error).message).to.match(/aggregate shard results present/);
    expect(deps.queues.submit.added).to.have.length(0);
  });

  it("fails the round job when a fetch result is malformed", async function () {
    const deps = roundDeps(round);
    const breakOneFetch = (children: Map<string, unknown>): void => {
      const key = [...children.keys()].find((k) => k.includes("-fetch-"));
      if (key) children.set(key, { contributor: "not an address", valid: true });
    };

    const failure = await rejection(driveRound(newRoundJob(round), deps, breakOneFetch));

    expect(failure).to.be.instanceOf(UnrecoverableError);
    expect((failure as Error).message).to.match(/fetch result .* is malformed/);
  });

  it("collect: finishes without queuing anything for a round the chain already settled", async function () {
    const deps = roundDeps(round, { readRound: async () => ({ ...round.spec, status: "Finalized" }) });
    const job = newRoundJob(round);

    const step = await collect(job, { chainId: "31337", roundId: String(round.spec.roundId), operator: "0x00000000000000000000000000000000000000aa", step: "collect" }, deps);

    expect(step).to.deep.equal({ done: { outcome: "already-settled", status: "Finalized" } });
    expect(deps.queues.fetch.added).to.have.length(0);
  });

  it("collect: finishes without queuing anything for a round this operator already attested", async function () {
    const deps = roundDeps(round, { attestationOf: async () => `0x${"11".repeat(32)}` });
    const job = newRoundJob(round);

    const step = await collect(job, { chainId: "31337", roundId: String(round.spec.roundId), operator: "0x00000000000000000000000000000000000000aa", step: "collect" }, deps);

    expect(step).to.deep.equal({ done: { outcome: "already-attested", status: "Closed" } });
    expect(deps.queues.fetch.added).to.have.length(0);
  });

  it("collect: queues one fetch job per reveal, with ids derived from the round job's id", async function () {
    const deps = roundDeps(round);
    const job = newRoundJob(round);

    await collect(job, { chainId: "31337", roundId: String(round.spec.roundId), operator: "0x00000000000000000000000000000000000000aa", step: "collect" }, deps);

    expect(deps.queues.fetch.added.map((j) => j.opts.jobId)).to.deep.equal(round.spec.reveals.map((r) => `${job.id}-fetch-${r.contributor}`));
  });
});
