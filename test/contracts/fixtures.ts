// Named fixtures for the contract tests (run them through networkHelpers.loadFixture) and the round choreography
// helpers they share. Side-effect free: nothing runs at import time.
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroHash, id, parseEther } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";

import { buildInvalidTree, buildRewardsTree, type RewardsTree } from "../../oracle/protocol/result-trees.ts";
import { roundResultDomain, signAttestation, type AttestedResult } from "../../oracle/protocol/signed-result.ts";
import type { InvalidReason } from "../../oracle/protocol/validate.ts";
import type { IModelPolicyRegistry } from "../../types/ethers-contracts/index.ts";

export const TOKEN_SUPPLY = parseEther("1000000000");
export const ACCOUNT_FUNDING = parseEther("10000");
export const CONTRIBUTOR_STAKE = parseEther("1000");
export const OPERATOR_STAKE = parseEther("2000");
export const UNBONDING_SECONDS = 7n * 24n * 3600n;
export const EXIT_DELAY_SECONDS = 7n * 24n * 3600n;
export const ROUND_BUDGET = parseEther("1000");
export const GENESIS_MODEL_HASH = id("genesis model");
export const HOUR = 3600n;
export const DAY = 24n * HOUR;

/** The policy used by the unit tests (fedavg, 1-hour phases, 80/10/10 split, 50% slash). */
export function defaultPolicy(): IModelPolicyRegistry.PolicyStruct {
  return {
    rule: 0,
    trimBps: 1000,
    krumF: 1,
    weighting: 1,
    maxSampleWeight: 10_000,
    clipMantissa: 1,
    clipExp: 0,
    minContributors: 2,
    commitWindowSeconds: HOUR,
    revealWindowSeconds: HOUR,
    attestWindowSeconds: HOUR,
    challengeWindowSeconds: HOUR,
    claimWindowSeconds: DAY,
    minContributorStake: parseEther("100"),
    minOperatorStake: parseEther("1000"),
    slashBps: 5000,
    contributorsBps: 8000,
    operatorsBps: 1000,
    treasuryBps: 1000,
    dpClipNormE6: 1_000_000,
    dpNoiseMultiplierE6: 1_100_000,
    dpDeltaE18: 10n ** 13n,
    remainderTo: 0,
    disputeBond: parseEther("100"),
    wrongResultBps: 10_000,
  };
}

/** Token only. */
export async function deployTokenFixture({ ethers }: NetworkConnection) {
  const [deployer, alice, bob] = await ethers.getSigners();
  if (!deployer || !alice || !bob) throw new Error("not enough signers");
  const token = await ethers.deployContract("CommonweightToken", [deployer.address, TOKEN_SUPPLY]);
  return { token, deployer, alice, bob };
}

/** The whole protocol wired as in production, with a signer (`governance`) in place of the timelock. */
export async function deployProtocolFixture(connection: NetworkConnection) {
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  const named = (i: number): HardhatEthersSigner => {
    const s = signers[i];
    if (!s) throw new Error(`no signer ${i}`);
    return s;
  };
  const [deployer, governance, treasury, sponsor, alice, bob, carol, dave] = [0, 1, 2, 3, 4, 5, 6, 7].map(named);
  const operators = [8, 9, 10].map(named);
  const spareOperator = named(11);
  const outsider = named(12);
  if (!deployer || !governance || !treasury || !sponsor || !alice || !bob || !carol || !dave) throw new Error("signers");

  const token = await ethers.deployContract("CommonweightToken", [deployer.address, TOKEN_SUPPLY]);
  const staking = await ethers.deployContract("Staking", [token, treasury.address, UNBONDING_SECONDS, deployer]);
  const policies = await ethers.deployContract("ModelPolicyRegistry", [governance.address, defaultPolicy()]);
  const models = await ethers.deployContract("ModelRegistry", [deployer.address]);
  await models.appendGenesis(GENESIS_MODEL_HASH, "file://genesis.safetensors");
  const oracles = await ethers.deployContract("OracleRegistry", [staking, policies, 2n, EXIT_DELAY_SECONDS, deployer]);
  const rounds = await ethers.deployContract("Rounds", [staking, oracles, policies, models, governance.address]);

  for (const c of [rounds, oracles]) {
    await staking.grantRole(await staking.LOCKER_ROLE(), c);
    await staking.grantRole(await staking.SLASHER_ROLE(), c);
  }
  await models.grantRole(await models.APPENDER_ROLE(), rounds);
  await oracles.grantRole(await oracles.SLASHER_ROLE(), rounds);

  const contributors = [alice, bob, carol, dave];
  for (const account of [sponsor, ...contributors, ...operators, spareOperator, outsider]) {
    await token.transfer(account.address, ACCOUNT_FUNDING);
    await token.connect(account).approve(staking, ethers.MaxUint256);
    await token.connect(account).approve(rounds, ethers.MaxUint256);
  }
  for (const c of contributors) await staking.connect(c).stake(CONTRIBUTOR_STAKE);
  for (const op of [...operators, spareOperator]) await staking.connect(op).stake(OPERATOR_STAKE);
  for (const op of operators) await oracles.connect(op).register();

  return {
    connection, token, staking, policies, models, oracles, rounds,
    deployer, governance, treasury, sponsor, alice, bob, carol, dave,
    contributors, operators, spareOperator, outsider,
  };
}

export type Protocol = Awaited<ReturnType<typeof deployProtocolFixture>>;

/** A contributor's update as the tests fake it: a hash and a salt. */
export type FakeUpdate = { contributor: HardhatEthersSigner; updateHash: string; salt: string; uri: string };

export function fakeUpdate(contributor: HardhatEthersSigner, tag = "u"): FakeUpdate {
  return {
    contributor,
    updateHash: id(`${tag}:${contributor.address}`),
    salt: id(`salt:${tag}:${contributor.address}`),
    uri: `file://${tag}-${contributor.address.slice(2, 10)}.safetensors`,
  };
}

/** Opens a round funded by the sponsor; returns its id. */
export async function openRound(p: Protocol, budget = ROUND_BUDGET): Promise<bigint> {
  await p.rounds.connect(p.sponsor).open(p.token, budget);
  return p.rounds.roundCount();
}

export async function commitUpdate(p: Protocol, roundId: bigint, u: FakeUpdate): Promise<void> {
  const c = await p.rounds.computeCommitment(roundId, u.contributor.address, u.updateHash, u.salt);
  await p.rounds.connect(u.contributor).commit(roundId, c);
}

export async function revealUpdate(p: Protocol, roundId: bigint, u: FakeUpdate): Promise<void> {
  await p.rounds.connect(u.contributor).reveal(roundId, u.updateHash, u.salt, u.uri);
}

/** Warps to timestamp `t` (the next block is mined at `t`). */
export async function warpTo(p: Protocol, t: bigint): Promise<void> {
  const now = BigInt(await p.connection.networkHelpers.time.latest());
  if (t > now) await p.connection.networkHelpers.time.setNextBlockTimestamp(t);
  if (t > now) await p.connection.networkHelpers.mine();
}

/** The result fields of a round given rewards and invalid contributors. */
export function makeResult(
  roundId: bigint,
  revealsHash: string,
  rewards: Record<string, bigint>,
  invalid: Record<string, InvalidReason> = {},
  modelHash = id(`model of round ${roundId}`),
): { result: AttestedResult; tree: RewardsTree; invalidTree: ReturnType<typeof buildInvalidTree> } {
  const tree = buildRewardsTree(rewards);
  const invalidTree = buildInvalidTree(invalid);
  const result: AttestedResult = {
    roundId,
    modelHash,
    rewardsRoot: tree.root,
    totalRewards: tree.totalRewards,
    invalidRoot: invalidTree.root,
    metricsHash: modelHash === ZeroHash ? id("failed metrics") : id(`metrics of round ${roundId}`),
    revealsHash,
  };
  return { result, tree, invalidTree };
}

/** The model URI the test operators sign unless a test says otherwise. */
export const MODEL_URI = "file://model.safetensors";

/** `signer`'s attestation signature of `result` with the model at `modelUri`. */
export async function signResult(
  p: Protocol,
  signer: HardhatEthersSigner,
  result: AttestedResult,
  modelUri = MODEL_URI,
): Promise<string> {
  const { chainId } = await p.connection.ethers.provider.getNetwork();
  return signAttestation(signer, roundResultDomain(chainId, await p.rounds.getAddress()), result, modelUri);
}

/** `signer`'s signed attestation as `reportEquivocation` takes it. */
export async function signedResult(
  p: Protocol,
  signer: HardhatEthersSigner,
  result: AttestedResult,
  modelUri = MODEL_URI,
): Promise<{ result: AttestedResult; modelUri: string; signature: string }> {
  return { result, modelUri, signature: await signResult(p, signer, result, modelUri) };
}

/** Has `signers` attest `result` in order. */
export async function attestAll(p: Protocol, signers: HardhatEthersSigner[], result: AttestedResult): Promise<void> {
  for (const s of signers) await p.rounds.attest(result, await signResult(p, s, result), MODEL_URI);
}

/** Warps past the round's challenge window (claims, operator shares and invalid slashing open then). */
export async function passChallengeWindow(p: Protocol, roundId: bigint): Promise<void> {
  await warpTo(p, (await p.rounds.round(roundId)).challengeEnd);
}

/** Round 1 opened by the sponsor. */
export async function openRoundFixture(connection: NetworkConnection) {
  const p = await deployProtocolFixture(connection);
  const roundId = await openRound(p);
  return { ...p, roundId };
}

/** Round 1 closed: alice, bob, carol and dave committed; alice, bob and dave revealed; carol did not. */
export async function closedRoundFixture(connection: NetworkConnection) {
  const p = await deployProtocolFixture(connection);
  const roundId = await openRound(p);
  const updates = [p.alice, p.bob, p.carol, p.dave].map((c) => fakeUpdate(c));
  for (const u of updates) await commitUpdate(p, roundId, u);
  const r = await p.rounds.round(roundId);
  await warpTo(p, r.commitEnd);
  for (const u of updates) if (u.contributor !== p.carol) await revealUpdate(p, roundId, u);
  await warpTo(p, r.revealEnd);
  await p.rounds.close(roundId);
  const revealsHash = (await p.rounds.round(roundId)).revealsHash;
  return { ...p, roundId, updates, revealsHash };
}

/** Round 1 finalized by operators 0 and 1 (k = 2): alice 600 and bob 150 CWT; dave invalid (norm). */
export async function finalizedRoundFixture(connection: NetworkConnection) {
  const p = await closedRoundFixture(connection);
  const rewards = { [p.alice.address]: parseEther("600"), [p.bob.address]: parseEther("150") };
  const built = makeResult(p.roundId, p.revealsHash, rewards, { [p.dave.address]: "norm" });
  const [op0, op1] = p.operators;
  if (!op0 || !op1) throw new Error("operators");
  await attestAll(p, [op0, op1], built.result);
  return { ...p, ...built };
}

/** The finalized round 1 after its challenge window: claims, operator shares and invalid slashing are open. */
export async function claimableRoundFixture(connection: NetworkConnection) {
  const p = await finalizedRoundFixture(connection);
  await passChallengeWindow(p, p.roundId);
  return p;
}

/** Opens a round, has alice and bob commit and reveal, and closes it; returns the round id and its reveals hash. */
export async function closeRoundWithTwoReveals(p: Protocol, budget = ROUND_BUDGET): Promise<{ roundId: bigint; revealsHash: string }> {
  const roundId = await openRound(p, budget);
  const updates = [p.alice, p.bob].map((c) => fakeUpdate(c, `r${roundId}`));
  for (const u of updates) await commitUpdate(p, roundId, u);
  const r = await p.rounds.round(roundId);
  await warpTo(p, r.commitEnd);
  for (const u of updates) await revealUpdate(p, roundId, u);
  await warpTo(p, r.revealEnd);
  await p.rounds.close(roundId);
  return { roundId, revealsHash: (await p.rounds.round(roundId)).revealsHash };
}

/** The addresses of `signers`, ascending (the order `Rounds.dispute` takes). */
export function ascending(signers: readonly HardhatEthersSigner[]): string[] {
  return signers.map((s) => s.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}
