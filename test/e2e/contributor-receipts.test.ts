import { expect } from "chai";

import { modelLayout } from "../../oracle/contributor/model.ts";
import { buildReceipt } from "../../oracle/contributor/receipt.ts";
import { SeededRandom } from "../../oracle/contributor/random.ts";
import type { ContributorSession } from "../../oracle/contributor/session.ts";
import { makeUpdate } from "../../oracle/contributor/update.ts";
import { startDevnet, type Devnet } from "../../oracle/devnet/devnet.ts";
import { getResultPackage } from "../../oracle/storage/result-package-store.ts";
import { contributorEnv, contributorSession, runCw } from "../oracle/contributor/chain-support.ts";
import { contribution, runRoundToClose, slashInvalid, startTestOperator, syntheticUpdate, TEST_POLICY, tempDir, passChallengeWindow, waitForSettlement, type TestOperator } from "./support.ts";

/** `IModelPolicyRegistry.AggregationRule.MultiKrum`. */
const MULTI_KRUM = 3;
/** The round's clip norm: TEST_POLICY's C = 1 · 2^3. */
const CLIP_NORM = 8;

/** A well-formed update whose L2 norm (about 20) exceeds the round's C = 8: made under a looser bound of 32. */
function overNormUpdate(roundId: bigint, baseHash: string): { bytes: Uint8Array; hash: string } {
  const random = new SeededRandom("over-norm", "delta");
  const delta = modelLayout().map((t) => {
    const values = new Float32Array(t.shape.reduce((a, b) => a * b, 1));
    for (let j = 0; j < values.length; j += 1) values[j] = random.nextGaussian() * 0.1;
    return { name: t.name, shape: t.shape, values };
  });
  const made = makeUpdate({
    delta,
    samples: 100,
    roundId: String(roundId),
    baseHash: baseHash.toLowerCase() as `0x${string}`,
    policy: { clipMantissa: 1, clipExp: 5, dpClipNorm: 20, noiseMultiplier: 0.001, delta: 1e-5 },
    noiseSeed: "over-norm-noise",
  });
  if (!(made.quantizedNorm > CLIP_NORM)) throw new Error(`test update norm ${made.quantizedNorm} is within the clip`);
  return { bytes: made.bytes, hash: made.hash };
}

describe("e2e: contributor receipts explain exclusion (multi-krum) and invalidity (norm)", function () {
  this.timeout(240_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  let operators: TestOperator[] = [];
  let reader: ContributorSession;
  let roundId: bigint;
  const address = (i: number): string => devnet.contributors[i]?.address ?? "";

  before(async function () {
    // Prepare: multi-krum with f = 1 needs |V| >= 5; four close updates, one far outlier (norm 1 = Cdp, still far
    // within C = 8), and one update over the clip norm.
    work = await tempDir("cw-receipts-");
    devnet = await startDevnet({
      dir: work.dir,
      operators: 2,
      contributors: 6,
      operatorThreshold: 2n,
      policy: { ...TEST_POLICY, rule: MULTI_KRUM, krumF: 1, minContributors: 5 },
    });
    ({ roundId } = await runRoundToClose(devnet, async (id, baseHash) => {
      const made = [0, 1, 2, 3].map((i) => syntheticUpdate(`close-${i}`, id, baseHash));
      made.push(syntheticUpdate("outlier", id, baseHash, 100));
      made.push(overNormUpdate(id, baseHash));
      return Promise.all(made.map((u, i) => contribution(work.dir, devnet.contributors[i] ?? devnet.sponsor, u.bytes, u.hash)));
    }));
    operators = [await startTestOperator(devnet, 0, work.dir), await startTestOperator(devnet, 1, work.dir)];
    await waitForSettlement(devnet, roundId);
    await passChallengeWindow(devnet, roundId);
    reader = await contributorSession(devnet, work.dir);
  });

  after(async function () {
    for (const op of operators) await op.stop();
    reader?.close();
    await devnet?.close();
    await work?.remove();
  });

  it("the outlier's receipt says it was excluded by multi-krum, earns nothing and is not slashed", async function () {
    const receipt = await buildReceipt(reader, roundId, address(4));

    expect(receipt.outcome).to.equal("excluded");
    expect(receipt.rule).to.equal("multi-krum");
    expect(receipt.reward).to.equal("0");
    expect(receipt.explanation.join(" ")).to.match(/EXCLUDED by the round's robust aggregation rule \(multi-krum, f = 1\)/);
    expect(receipt.explanation.join(" ")).to.include("not slashed");
    expect(receipt.recomputationMatchesChain).to.equal(true);
  });

  it("cw contributor receipt for the over-norm update says invalid because of the norm, and that it is slashable", async function () {
    const printed = await runCw(["contributor", "receipt", "--round", String(roundId), "--account", address(5)], contributorEnv(devnet, work.dir));

    expect(printed.status, printed.stderr).to.equal(0);
    expect(printed.stdout).to.match(/: INVALID \(norm\)/);
    expect(printed.stdout).to.include("its L2 norm exceeds the round's clip norm C");
    expect(printed.stdout).to.include("slashable");
    expect(printed.stdout).to.include(`recompute: cw verify-round ${roundId} --rpc-url ${devnet.bridge.url}`);
  });

  it("a selected contributor's receipt carries its score, reward and a Merkle proof of it", async function () {
    const printed = await runCw(["contributor", "receipt", "--round", String(roundId), "--account", address(0), "--json"], contributorEnv(devnet, work.dir));
    const receipt = JSON.parse(printed.stdout) as { outcome: string; score: string; reward: string; proof: string[]; claimed: boolean };

    expect(receipt.outcome).to.equal("selected");
    expect(BigInt(receipt.reward)).to.be.greaterThan(0n);
    expect(Number(receipt.score)).to.be.greaterThan(0);
    expect(receipt.proof.length).to.be.greaterThan(0);
    expect(receipt.claimed).to.equal(false);
  });

  it("the invalid contributor's receipt reports the slash once someone slashes it", async function () {
    const before = await buildReceipt(reader, roundId, address(5));
    const jobs = await operators[0]?.running.runtime.queues.submit.getJobs(["completed"]);
    const pkg = await getResultPackage(operators[0]?.running.runtime.store ?? devnet.store, jobs?.[0]?.data.package as string);
    const proof = pkg.invalidProofs.find((p) => p.account === address(5));
    if (!proof) throw new Error("no invalid proof");
    await slashInvalid(devnet.as(devnet.sponsor), roundId, proof.account, proof.reason, proof.proof);

    const after = await buildReceipt(reader, roundId, address(5));

    expect(before.slashed).to.deep.equal([]);
    expect(after.slashed).to.have.length(1);
    expect(after.slashed[0]?.reason).to.equal("norm");
  });
});
