// The keeper's view of a round read from a real Rounds contract: the windows it acts on and the sweep state.
import { expect } from "chai";
import { network } from "hardhat";

import type { Contracts } from "../../../oracle/chain/contracts.ts";
import type { Deployment } from "../../../oracle/chain/deployment.ts";
import { keeperPass } from "../../../oracle/keeper/pass.ts";
import { readKeeperView } from "../../../oracle/keeper/round-view.ts";
import { deployProtocolFixture, finalizedRoundFixture, ROUND_BUDGET, warpTo, type Protocol } from "../../contracts/fixtures.ts";

const { ethers, networkHelpers } = await network.create();
const deployment = { chainId: 31337n, deployedAtBlock: 0 } as unknown as Deployment;
const contractsOf = (p: Protocol): Contracts => ({ rounds: p.rounds }) as unknown as Contracts;

async function keeperViewOf(p: Protocol & { roundId: bigint }) {
  return readKeeperView(contractsOf(p), deployment, p.roundId);
}

describe("keeper round view", function () {
  it("opens claims at the challenge end and releases one challenge window later when the result lists invalid contributors", async function () {
    const p = await networkHelpers.loadFixture(finalizedRoundFixture);
    const r = await p.rounds.round(p.roundId);

    const view = await keeperViewOf(p);

    expect([view.claimStart, view.releaseAt, view.claimEnd]).to.deep.equal([r.challengeEnd, r.challengeEnd + r.challengeWindowSeconds, r.claimEnd]);
  });

  it("tells a swept round that owes nothing from an unswept one", async function () {
    const p = await networkHelpers.loadFixture(finalizedRoundFixture);
    await warpTo(p, (await p.rounds.round(p.roundId)).claimEnd);
    const before = await keeperViewOf(p);
    await (await p.rounds.sweep(p.roundId)).wait();

    const after = await keeperViewOf(p);

    expect([before.swept, before.sweepOwed, after.swept, after.sweepOwed]).to.deep.equal([false, false, true, false]);
  });

  it("reports a sweep whose transfer failed as failed and sweeps again while the transfer is owed", async function () {
    const p = await networkHelpers.loadFixture(deployProtocolFixture);
    const token = await ethers.deployContract("BlocklistToken");
    await token.mint(p.sponsor.address, ROUND_BUDGET);
    await token.connect(p.sponsor).approve(p.rounds, ROUND_BUDGET);
    await p.rounds.connect(p.sponsor).open(token, ROUND_BUDGET);
    const roundId = await p.rounds.roundCount();
    await warpTo(p, (await p.rounds.round(roundId)).revealEnd);
    await p.rounds.close(roundId); // no reveals: fails at once; the refund goes to the sponsor
    await token.setBlocked(p.sponsor.address, true);

    const blocked = await keeperPass(contractsOf(p), deployment, roundId);
    const owed = await readKeeperView(contractsOf(p), deployment, roundId);
    await token.setBlocked(p.sponsor.address, false);
    const retried = await keeperPass(contractsOf(p), deployment, roundId);

    expect([blocked.results.map((r) => `${r.action.kind}:${r.status}`), owed.sweepOwed, blocked.finished]).to.deep.equal([["sweep:failed"], true, false]);
    expect([retried.results.map((r) => `${r.action.kind}:${r.status}`), await token.balanceOf(p.sponsor.address)]).to.deep.equal([["sweep:sent"], ROUND_BUDGET]);
  });
});
