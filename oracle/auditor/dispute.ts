// Disputing a round's signed result inside its challenge window: the signers are read from the chain's
// `Attested` events, the bond (the round's snapshotted `disputeBond`, in the staking token) is approved, and
// `Rounds.dispute` freezes the round until governance resolves it.
import { ZeroHash } from "ethers";

import type { Contracts } from "../chain/contracts.ts";
import { decodeRoundStatus } from "../chain/enums.ts";
import { InvalidInputError } from "../errors.ts";

/** What `cw auditor dispute` did. */
export interface DisputeOutcome {
  readonly roundId: bigint;
  readonly digest: string;
  readonly signers: readonly string[];
  readonly bond: bigint;
  readonly challengeEnd: bigint;
  readonly txHash: string | undefined;
}

/**
 * The operators that attested `digest` in `roundId`, ascending (the order `Rounds.dispute` requires), from the
 * `Attested` events since `fromBlock`.
 */
export async function signersOf(contracts: Contracts, roundId: bigint, digest: string, fromBlock = 0): Promise<string[]> {
  const { rounds } = contracts;
  const logs = await rounds.queryFilter(rounds.filters.Attested(roundId, undefined, digest), fromBlock);
  const unique = [...new Set(logs.map((l) => l.args.operator))];
  return unique.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

/**
 * Disputes round `roundId`'s signed result with `contracts` connected to the challenger's wallet.
 * @throws {InvalidInputError} when the round has no signed result, its window is over, it is already disputed,
 * or the wallet cannot pay the bond.
 */
export async function disputeRound(contracts: Contracts, roundId: bigint, fromBlock = 0): Promise<DisputeOutcome> {
  const { rounds, staking, token } = contracts;
  const round = await rounds.round(roundId);
  const status = decodeRoundStatus(round.status);
  if ((status !== "Finalized" && status !== "Failed") || round.resultDigest === ZeroHash) {
    throw new InvalidInputError(`round ${roundId} is ${status} with no signed result to dispute`);
  }
  const now = BigInt((await rounds.runner?.provider?.getBlock("latest"))?.timestamp ?? 0);
  if (now >= round.challengeEnd) {
    throw new InvalidInputError(`round ${roundId}'s challenge window closed at ${new Date(Number(round.challengeEnd) * 1000).toISOString()}`);
  }
  if ((await rounds.disputeOf(roundId)).digest === round.resultDigest) throw new InvalidInputError(`round ${roundId}'s result was already disputed`);
  const signers = await signersOf(contracts, roundId, round.resultDigest, fromBlock);
  const challenger = await runnerAddress(contracts);
  const bondToken = token.attach(await staking.token()) as typeof token;
  const balance = await bondToken.balanceOf(challenger);
  if (balance < round.disputeBond) {
    throw new InvalidInputError(`${challenger} holds ${balance} base units of the staking token; the dispute bond is ${round.disputeBond}`);
  }
  if ((await bondToken.allowance(challenger, await rounds.getAddress())) < round.disputeBond) {
    await (await bondToken.approve(await rounds.getAddress(), round.disputeBond)).wait();
  }
  const receipt = await (await rounds.dispute(roundId, signers)).wait();
  return { roundId, digest: round.resultDigest, signers, bond: round.disputeBond, challengeEnd: round.challengeEnd, txHash: receipt?.hash };
}

async function runnerAddress(contracts: Contracts): Promise<string> {
  const runner = contracts.rounds.runner;
  if (!runner || !("getAddress" in runner) || typeof runner.getAddress !== "function") {
    throw new InvalidInputError("disputing needs a key: set AUDITOR_PRIVATE_KEY, or KEYSTORE and KEYSTORE_PASSWORD");
  }
  return (await runner.getAddress()) as string;
}
