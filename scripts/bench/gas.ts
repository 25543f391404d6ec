// `npm run bench -- gas [--json FILE]`: gas per user action on the in-process network, and finalize/claim gas for
// rounds with 10 and 1,000 contributors (real stakes, commits and reveals; a rewards leaf per contributor).
import { writeFile } from "node:fs/promises";

import { Wallet, id, parseEther, type ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { claimOperatorShare, closeRound } from "../../oracle/keeper/upkeep.ts";
import GovernanceModule, { GENESIS_POLICY } from "../../ignition/modules/Commonweight.ts";
import {
  attestAll, commitUpdate, deployProtocolFixture, fakeUpdate, makeResult, openRound, revealUpdate, signResult, warpTo,
} from "../../test/contracts/fixtures.ts";

type Row = { action: string; gas: bigint };

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed;
}

async function roundRows(contributorCount: number): Promise<Row[]> {
  const connection = await network.create();
  const p = await deployProtocolFixture(connection);
  const rows: Row[] = [];
  const tag = `(${contributorCount} contributors)`;
  const wallets = Array.from({ length: contributorCount }, (_, i) => new Wallet(id(`bench ${i}`), connection.ethers.provider));
  const stakeAmount = parseEther("100");
  for (const w of wallets) await connection.networkHelpers.impersonateAccount(w.address);
  const signers = await Promise.all(wallets.map((w) => connection.ethers.getSigner(w.address)));
  for (const s of signers) {
    await connection.networkHelpers.setBalance(s.address, parseEther("1"));
    await p.token.transfer(s.address, stakeAmount);
    await p.token.connect(s).approve(p.staking, stakeAmount);
    const g = await gasOf(p.staking.connect(s).stake(stakeAmount));
    if (s === signers[0]) rows.push({ action: "stake (first)", gas: g });
  }
  rows.push({ action: "stake (again)", gas: await gasOf(p.staking.connect(p.alice).stake(1n)) });
  // The issue states the finalizing goal for k = 3: all three fixture operators must sign (2k > n holds for n = 3).
  // Rounds snapshot k when they open, so it is set first.
  await p.oracles.connect(p.deployer).setThreshold(3n);
  const open = p.rounds.connect(p.sponsor).open(p.token, parseEther("1000"));
  rows.push({ action: "open", gas: await gasOf(open) });
  const roundId = await p.rounds.roundCount();
  const updates = signers.map((s) => fakeUpdate(s));
  for (const [i, u] of updates.entries()) {
    const c = await p.rounds.computeCommitment(roundId, u.contributor.address, u.updateHash, u.salt);
    const g = await gasOf(p.rounds.connect(u.contributor).commit(roundId, c));
    if (i === 1) rows.push({ action: "commit", gas: g });
  }
  const r = await p.rounds.round(roundId);
  await warpTo(p, r.commitEnd);
  for (const [i, u] of updates.entries()) {
    const g = await gasOf(p.rounds.connect(u.contributor).reveal(roundId, u.updateHash, u.salt, u.uri));
    if (i === 1) rows.push({ action: "reveal", gas: g });
  }
  await warpTo(p, r.revealEnd);
  rows.push({ action: "close", gas: (await closeRound({ rounds: p.rounds }, roundId)).gasUsed });
  const revealsHash = (await p.rounds.round(roundId)).revealsHash;
  const rewards = Object.fromEntries(signers.map((s, i) => [s.address, parseEther("0.5") + BigInt(i)]));
  const { result, tree } = makeResult(roundId, revealsHash, rewards);
  const [op0, op1, op2] = p.operators;
  if (!op0 || !op1 || !op2) throw new Error("operators");
  const modelUri = "file://model.safetensors";
  rows.push({ action: `attest ${tag}`, gas: await gasOf(p.rounds.attest(result, await signResult(p, op0, result), modelUri)) });
  await p.rounds.attest(result, await signResult(p, op1, result), modelUri);
  rows.push({ action: `attest, finalizing, k = 3 ${tag}`, gas: await gasOf(p.rounds.attest(result, await signResult(p, op2, result), modelUri)) });
  await warpTo(p, (await p.rounds.round(roundId)).challengeEnd);
  const claim = tree.claims.get(signers[3]!.address)!;
  rows.push({ action: `claim ${tag}`, gas: await gasOf(p.rounds.claim(roundId, claim.account, claim.amount, claim.proof)) });
  rows.push({ action: `claimOperatorReward ${tag}`, gas: (await claimOperatorShare({ rounds: p.rounds }, roundId, op0.address)).gasUsed });
  void attestAll; void commitUpdate; void revealUpdate; void openRound;
  return rows;
}

async function governanceRows(): Promise<Row[]> {
  const { ethers, ignition, networkHelpers } = await network.create();
  const [, voter] = await ethers.getSigners();
  if (!voter) throw new Error("signers");
  const d = await ignition.deploy(GovernanceModule);
  const token = await ethers.getContractAt("CommonweightToken", await d.token.getAddress());
  const governor = await ethers.getContractAt("CommonweightGovernor", await d.governor.getAddress());
  const policies = await ethers.getContractAt("ModelPolicyRegistry", await d.policies.getAddress());
  await token.transfer(voter.address, parseEther("50000000"));
  await token.connect(voter).delegate(voter.address);
  await networkHelpers.time.increase(1);
  const targets = [await policies.getAddress()];
  const calldatas = [policies.interface.encodeFunctionData("setPolicy", [{ ...GENESIS_POLICY, slashBps: 2500 }])];
  const rows: Row[] = [];
  rows.push({ action: "propose", gas: await gasOf(governor.connect(voter).propose(targets, [0n], calldatas, "bench")) });
  const proposalId = await governor.hashProposal(targets, [0n], calldatas, id("bench"));
  await networkHelpers.time.increase(86_401);
  rows.push({ action: "vote", gas: await gasOf(governor.connect(voter).castVote(proposalId, 1)) });
  await networkHelpers.time.increase(7 * 86_400);
  rows.push({ action: "queue", gas: await gasOf(governor.queue(targets, [0n], calldatas, id("bench"))) });
  await networkHelpers.time.increase(2 * 86_400);
  rows.push({ action: "execute", gas: await gasOf(governor.execute(targets, [0n], calldatas, id("bench"))) });
  return rows;
}

/** Entry point of `npm run bench -- gas`. */
export async function run(argv: string[]): Promise<void> {
  if (argv.includes("--help")) {
    process.stdout.write("usage: npm run bench -- gas [--json FILE]\n");
    return;
  }
  const jsonIndex = argv.indexOf("--json");
  const small = await roundRows(10);
  const large = await roundRows(1000);
  const rows = [...small, ...large.filter((r) => r.action.includes("1000")), ...(await governanceRows())];
  process.stdout.write("| action | gas |\n| --- | ---: |\n");
  for (const r of rows) process.stdout.write(`| ${r.action} | ${r.gas} |\n`);
  if (jsonIndex >= 0 && argv[jsonIndex + 1]) {
    const out = Object.fromEntries(rows.map((r) => [r.action, Number(r.gas)]));
    await writeFile(argv[jsonIndex + 1]!, JSON.stringify(out, null, 2));
  }
}
