// A contributor's overview: stake, locks and the recent rounds with their phase and this account's part in them.
import { readRoundState } from "./commit-state.ts";
import { readRoundInfo, type ContributorSession, type RoundPhase } from "./session.ts";
import { readStake, type StakeState } from "./staking.ts";

/** Rounds listed by {@link readStatus}, newest first. */
const RECENT_ROUNDS = 5;

/** One round as the status command lists it. */
export interface RoundLine {
  readonly roundId: string;
  readonly phase: RoundPhase;
  readonly commitEnd: string;
  readonly revealEnd: string;
  /** This account's slot: none, committed, revealed or settled (stake released or slashed). */
  readonly contribution: "none" | "committed" | "revealed" | "settled";
  /** Whether a salt for this round is saved locally (needed to reveal). */
  readonly saltSaved: boolean;
  readonly claimed: boolean;
}

/** Stake and recent rounds of `account`. */
export async function readStatus(session: ContributorSession, account: string): Promise<{ stake: StakeState; rounds: RoundLine[] }> {
  const stake = await readStake(session, account);
  const count = await session.contracts.rounds.roundCount();
  const lines: RoundLine[] = [];
  for (let id = count; id >= 1n && id > count - BigInt(RECENT_ROUNDS); id -= 1n) {
    const info = await readRoundInfo(session.contracts, id);
    const slot = BigInt(await session.contracts.rounds.contributionOf(id, account));
    const state = await readRoundState(session.config.CONTRIBUTOR_STATE_DIR, {
      chainId: session.deployment.chainId,
      rounds: session.deployment.contracts.rounds,
      roundId: id,
      account,
    });
    lines.push({
      roundId: String(id),
      phase: info.phase,
      commitEnd: new Date(Number(info.commitEnd) * 1000).toISOString(),
      revealEnd: new Date(Number(info.revealEnd) * 1000).toISOString(),
      contribution: slot === 0n ? "none" : slot === 1n ? "revealed" : slot === 2n ? "settled" : "committed",
      saltSaved: (state?.attempts.length ?? 0) > 0,
      claimed: await session.contracts.rounds.isClaimed(id, account),
    });
  }
  return { stake, rounds: lines };
}
