import { expect } from "chai";
import { join } from "node:path";

import { UnrecoverableError } from "bullmq";
import { JsonRpcProvider, Network, Wallet } from "ethers";

import { connectContracts } from "../../../oracle/chain/contracts.ts";
import type { Devnet } from "../../../oracle/devnet/devnet.ts";
import { EquivocationRefusedError } from "../../../oracle/errors.ts";
import { SigningGuard } from "../../../oracle/operator/signing-guard.ts";
import { processSubmit, type SubmitDeps } from "../../../oracle/operator/submitter.ts";
import { roundResultDigest, roundResultDomain } from "../../../oracle/protocol/attestation.ts";
import { buildResultPackage } from "../../../oracle/protocol/result-package.ts";
import { failedResult } from "../../../oracle/protocol/result.ts";
import { getResultPackage, putResultPackage } from "../../../oracle/storage/result-package-store.ts";
import { contribution, runRoundToClose, startTestDevnet, syntheticUpdate, tempDir } from "../../e2e/support.ts";
import { SILENT } from "./round-harness.ts";

/*
 * The submitter against a real Hardhat chain (over the devnet's HTTP bridge, as an operator reaches
 * it): k = 2, so one attestation never finalizes and each case can look at this operator alone.
 */
describe("operator: the submitter (real chain, k = 2)", function () {
  this.timeout(120_000);
  let work: Awaited<ReturnType<typeof tempDir>>;
  let devnet: Devnet;
  let provider: JsonRpcProvider;

  beforeEach(async function () {
    work = await tempDir("cw-submitter-");
    devnet = await startTestDevnet(work.dir, 2);
    const network = Network.from(devnet.deployment.chainId);
    provider = new JsonRpcProvider(devnet.bridge.url, network, { staticNetwork: network, pollingInterval: 50 });
  });

  afterEach(async function () {
    provider.destroy();
    await devnet.close();
    await work.remove();
  });

  /** A closed round with two reveals, and a (failed-result) package for it in the store. */
  async function closedRoundPackage(invalid: Record<string, "malformed"> = {}): Promise<{ roundId: bigint; hash: string }> {
    const { roundId } = await runRoundToClose(devnet, (id, baseHash) =>
      Promise.all(devnet.contributors.slice(0, 2).map(async (signer, i) => {
        const u = syntheticUpdate(`submitter-${id}-${i}`, id, baseHash);
        return contribution(work.dir, signer, u.bytes, u.hash);
      })),
    );
    const round = await devnet.as(devnet.sponsor).rounds.round(roundId);
    const pkg = buildResultPackage({ chainId: String(devnet.deployment.chainId), roundId: String(roundId), revealsHash: round.revealsHash, result: failedResult(invalid), modelUri: "" });
    return { roundId, hash: await putResultPackage(devnet.store, pkg) };
  }

  function deps(overrides: Partial<SubmitDeps> = {}): SubmitDeps {
    const wallet = new Wallet(devnet.operators[0]?.privateKey ?? "", provider);
    return {
      wallet,
      contracts: connectContracts(devnet.deployment, wallet),
      domain: roundResultDomain(devnet.deployment.chainId, devnet.deployment.contracts.rounds),
      store: devnet.store,
      guard: new SigningGuard(join(work.dir, "guard")),
      log: SILENT,
      ...overrides,
    };
  }

  function job(roundId: bigint, hash: string) {
    return { chainId: String(devnet.deployment.chainId), roundId: String(roundId), package: hash };
  }

  it("attests a closed round once, and reports the second submission as already attested", async function () {
    const { roundId, hash } = await closedRoundPackage();
    const first = await processSubmit(job(roundId, hash), deps());

    const second = await processSubmit(job(roundId, hash), deps());

    expect(first.outcome).to.equal("attested");
    expect(second).to.deep.equal({ outcome: "already-attested", digest: first.digest });
    expect(devnet.bridge.counts.get("eth_sendRawTransaction")).to.equal(1);
  });

  it("reports a round that already failed as settled, sending nothing", async function () {
    const { roundId, hash } = await closedRoundPackage();
    await devnet.connection.networkHelpers.time.increaseTo(Number((await devnet.as(devnet.sponsor).rounds.round(roundId)).attestDeadline) + 1);
    await (await devnet.as(devnet.sponsor).rounds.markFailed(roundId)).wait();

    const outcome = await processSubmit(job(roundId, hash), deps());

    expect(outcome.outcome).to.equal("already-settled");
    expect(devnet.bridge.counts.get("eth_sendRawTransaction") ?? 0).to.equal(0);
  });

  it("refuses to sign a digest other than the one its guard recorded for the round, sending nothing", async function () {
    const { roundId, hash } = await closedRoundPackage();
    const guard = new SigningGuard(join(work.dir, "guard"));
    const d = deps({ guard });
    await guard.claim(`${devnet.deployment.chainId}-${devnet.deployment.contracts.rounds}-${roundId}`.toLowerCase(), `0x${"77".repeat(32)}`);

    const failure = await processSubmit(job(roundId, hash), d).then(() => undefined, (err: unknown) => err);

    expect(failure).to.be.instanceOf(UnrecoverableError);
    expect((failure as Error).cause).to.be.instanceOf(EquivocationRefusedError);
    expect(devnet.bridge.counts.get("eth_sendRawTransaction") ?? 0).to.equal(0);
  });

  it("re-sends a transaction stuck in the pool with a higher fee and the same nonce, and attests once", async function () {
    const { roundId, hash } = await closedRoundPackage();
    await devnet.connection.provider.request({ method: "evm_setAutomine", params: [false] });
    const submitting = processSubmit(job(roundId, hash), deps({ receiptTimeoutMs: 300, maxFeeBumps: 5 }));
    const deadline = Date.now() + 30_000;
    while ((devnet.bridge.counts.get("eth_sendRawTransaction") ?? 0) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await devnet.connection.provider.request({ method: "evm_setAutomine", params: [true] });
    await devnet.connection.networkHelpers.mine(1);

    const outcome = await submitting;

    expect(outcome.outcome).to.equal("attested");
    expect(devnet.bridge.counts.get("eth_sendRawTransaction")).to.be.greaterThanOrEqual(2);
    const operator = devnet.operators[0]?.signer.address ?? "";
    const { attested } = await getResultPackage(devnet.store, hash);
    expect(await devnet.as(devnet.sponsor).rounds.attestationOf(roundId, operator)).to.equal(roundResultDigest(deps().domain, attested));
  });
});
