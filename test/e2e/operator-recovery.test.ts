import { expect } from "chai";

import type { Devnet } from "../../oracle/devnet/devnet.ts";
import {
  contribution,
  runRoundToClose,
  startTestDevnet,
  startTestOperator,
  syntheticUpdate,
  tempDir,
  waitForSettlement,
  type TestOperator,
} from "./support.ts";

/*
 * Rounds that would be stuck for good without the reconciler: job attempts used up by an RPC outage,
 * and an attestation dropped by a reorg. Short job retries and a short reconcile interval stand in
 * for minutes-long outages: what matters is that the jobs' attempts run out while the chain is
 * unreachable, and that the operator recovers on its own, without a restart or a hand edit.
 */

/** Settings that make job attempts run out in about a second, and reconcile twice a second. */
const QUICK_GIVE_UP = { LOG_LEVEL: "fatal", ROUND_ATTEMPTS: "2", SUBMIT_ATTEMPTS: "2", JOB_BACKOFF_MS: "100", RECONCILE_INTERVAL_MS: "500" };

async function closedRound(devnet: Devnet, dir: string): Promise<bigint> {
  const { roundId } = await runRoundToClose(devnet, (id, baseHash) =>
    Promise.all(devnet.contributors.slice(0, 4).map(async (signer, i) => {
      const u = syntheticUpdate(`recovery-${id}-${i}`, id, baseHash);
      return contribution(dir, signer, u.bytes, u.hash);
    })),
  );
  return roundId;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function failedJobs(op: TestOperator, queue: "rounds" | "submit"): Promise<number> {
  return (await op.running.runtime.queues[queue].getJobCounts("failed")).failed ?? 0;
}

describe("e2e: no round stays stuck (the reconciler re-drives Closed rounds this operator has not attested)", function () {
  this.timeout(240_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  const running: TestOperator[] = [];

  beforeEach(async function () {
    work = await tempDir("cw-recovery-");
    devnet = await startTestDevnet(work.dir, 4);
  });

  afterEach(async function () {
    for (const op of running.splice(0)) await op.stop();
    await devnet?.close();
    await work?.remove();
  });

  it("finalizes after an RPC outage during submission outlasted every submit attempt", async function () {
    devnet.bridge.failingMethods.add("eth_estimateGas").add("eth_sendRawTransaction");
    const roundId = await closedRound(devnet, work.dir);
    running.push(await startTestOperator(devnet, 0, work.dir, QUICK_GIVE_UP), await startTestOperator(devnet, 1, work.dir, QUICK_GIVE_UP));
    await until(async () => (await failedJobs(running[0] as TestOperator, "submit")) > 0 && (await failedJobs(running[1] as TestOperator, "submit")) > 0, 120_000, "both submissions to use up their attempts");

    devnet.bridge.failingMethods.clear();
    const status = await waitForSettlement(devnet, roundId);

    expect(status).to.equal("Finalized");
  });

  it("finalizes after an RPC outage during the round job's first step outlasted every round attempt", async function () {
    running.push(await startTestOperator(devnet, 0, work.dir, QUICK_GIVE_UP), await startTestOperator(devnet, 1, work.dir, QUICK_GIVE_UP));
    // Contract reads fail; the watcher still sees RoundClosed (logs), so the round job's collect step is what fails.
    devnet.bridge.failingMethods.add("eth_call");
    const roundId = await closedRound(devnet, work.dir);
    await until(async () => {
      await devnet.connection.networkHelpers.mine(1);
      return (await failedJobs(running[0] as TestOperator, "rounds")) > 0;
    }, 120_000, "the round job to use up its attempts");

    devnet.bridge.failingMethods.clear();
    const status = await waitForSettlement(devnet, roundId);

    expect(status).to.equal("Finalized");
  });

  it("attests again, with the digest it signed before, after a reorg drops its attestation", async function () {
    const roundId = await closedRound(devnet, work.dir);
    const { rounds } = devnet.as(devnet.sponsor);
    const beforeAttest = await devnet.connection.networkHelpers.takeSnapshot();
    const first = await startTestOperator(devnet, 0, work.dir, QUICK_GIVE_UP);
    running.push(first);
    const operator0 = devnet.operators[0]?.signer.address ?? "";
    let signed = "";
    await until(async () => {
      signed = await rounds.attestationOf(roundId, operator0);
      return !/^0x0+$/.test(signed);
    }, 120_000, "operator 0's attestation");

    await beforeAttest.restore();
    await devnet.connection.networkHelpers.mine(3);
    expect(await rounds.attestationOf(roundId, operator0)).to.match(/^0x0+$/);
    running.push(await startTestOperator(devnet, 1, work.dir, QUICK_GIVE_UP));
    const status = await waitForSettlement(devnet, roundId);

    expect(status).to.equal("Finalized");
    expect(await rounds.attestationOf(roundId, operator0)).to.equal(signed);
  });
});
