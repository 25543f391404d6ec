// The auditor's dispute path against a real Hardhat EVM: it finds the rounds still in their challenge window,
// reads the signers from the chain's events, approves the bond and freezes the round.
import { expect } from "chai";
import { ZeroAddress, parseEther } from "ethers";
import { network } from "hardhat";

import { disputeRound, signersOf } from "../../../oracle/auditor/dispute.ts";
import { roundsInChallengeWindow } from "../../../oracle/auditor/watch.ts";
import { connectContracts } from "../../../oracle/chain/contracts.ts";
import type { Deployment } from "../../../oracle/chain/deployment.ts";
import { InvalidInputError } from "../../../oracle/errors.ts";
import {
  ascending, attestAll, closeRoundWithTwoReveals, deployProtocolFixture, makeResult, passChallengeWindow, type Protocol,
} from "../../contracts/fixtures.ts";

const { networkHelpers } = await network.create();

async function finalizedFixture(connection: Parameters<typeof deployProtocolFixture>[0]) {
  const p = await deployProtocolFixture(connection);
  const { roundId, revealsHash } = await closeRoundWithTwoReveals(p);
  const { result } = makeResult(roundId, revealsHash, { [p.alice.address]: parseEther("800") });
  await attestAll(p, p.operators.slice(0, 2), result);
  return { ...p, roundId };
}

async function auditorContracts(p: Protocol) {
  const deployment: Deployment = {
    network: "test",
    chainId: 31337n,
    deployedAtBlock: 0,
    contracts: {
      token: await p.token.getAddress(), staking: await p.staking.getAddress(), policy: await p.policies.getAddress(),
      modelRegistry: await p.models.getAddress(), oracleRegistry: await p.oracles.getAddress(),
      rounds: await p.rounds.getAddress(), governor: ZeroAddress, timelock: ZeroAddress,
    },
  } as Deployment;
  return connectContracts(deployment, p.outsider);
}

describe("auditor: dispute", function () {
  it("lists a finalized round inside its window and reads its signers, ascending", async function () {
    const p = await networkHelpers.loadFixture(finalizedFixture);
    const contracts = await auditorContracts(p);
    const open = await roundsInChallengeWindow(contracts);
    expect(open.map((o) => o.roundId)).to.deep.equal([p.roundId]);
    const [first] = open;
    if (first === undefined) throw new Error("no round in its challenge window");
    expect(await signersOf(contracts, p.roundId, first.digest)).to.deep.equal(ascending(p.operators.slice(0, 2)));
  });

  it("disputes the round with a bond from the auditor's key", async function () {
    const p = await networkHelpers.loadFixture(finalizedFixture);
    const contracts = await auditorContracts(p);
    const outcome = await disputeRound(contracts, p.roundId);
    expect(outcome.signers).to.deep.equal(ascending(p.operators.slice(0, 2)));
    expect((await p.rounds.round(p.roundId)).status).to.equal(5n); // Disputed
    expect((await p.rounds.disputeOf(p.roundId)).challenger).to.equal(p.outsider.address);
    expect(await roundsInChallengeWindow(contracts)).to.deep.equal([]);
  });

  it("refuses with a clear error once the window is over", async function () {
    const p = await networkHelpers.loadFixture(finalizedFixture);
    await passChallengeWindow(p, p.roundId);
    const contracts = await auditorContracts(p);
    let caught: unknown;
    try {
      await disputeRound(contracts, p.roundId);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(InvalidInputError);
    expect((caught as Error).message).to.match(/challenge window closed/);
  });
});
