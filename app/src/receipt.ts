// A contributor's receipt in the browser: the chain's facts (commit, reveal, slashes, claim) plus, once the round is
// settled, the operators' published result package, checked against the chain before it is believed: its rewards
// root must equal the round's, and the account's Merkle proof must verify against it.
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { getAddress, ZeroHash } from "ethers";
import { z } from "zod";

import { decodeResultPackage, type ResultPackage } from "../../oracle/protocol/result-package.ts";
import { REWARD_LEAF_ENCODING } from "../../oracle/protocol/rewards-tree.ts";
import type { Chain } from "./chain.ts";
import { queryAll } from "./logs.ts";
import { statusName } from "./round-phase.ts";

/** On-chain slash reason 0 (the invalid reasons are 1..4 in docs/protocol.md §1.2 order). */
const SLASH_REASONS = ["non-reveal", "unavailable", "hash-mismatch", "malformed", "norm"] as const;

const INVALID_WORDS: Readonly<Record<string, string>> = {
  unavailable: "the operators could not fetch your update file from the URI you revealed",
  "hash-mismatch": "the file at your URI does not hash to the update hash you revealed",
  malformed: "the file is not a canonical update for this round",
  norm: "its L2 norm exceeds the round's clip norm C (checked exactly, never rescaled)",
};

/** The parts of a package's `result` (docs/protocol.md §6) a receipt reads; the package schema leaves it open. */
const ResultFieldsSchema = z.object({
  selected: z.array(z.string()).default([]),
  excluded: z.array(z.string()).default([]),
  invalid: z.record(z.string(), z.string()).default({}),
  scores: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).default({}),
});

/** A package as the receipt uses it. */
interface PublishedPackage {
  readonly result: z.infer<typeof ResultFieldsSchema>;
  readonly package: ResultPackage;
}

/** How a round ended for one contributor. */
export type Outcome = "not-committed" | "pending" | "not-revealed" | "selected" | "excluded" | "invalid" | "round-failed" | "settled";

/** One round's receipt for one account. */
export interface BrowserReceipt {
  readonly roundId: bigint;
  readonly outcome: Outcome;
  readonly why: string;
  readonly score: string | null;
  readonly reward: bigint | null;
  readonly proof: readonly string[] | null;
  readonly claimed: boolean;
  readonly claimable: boolean;
  readonly releasable: boolean;
  readonly slashed: readonly string[];
  readonly verifyCommand: string;
}

async function fetchPackage(chain: Chain, roundId: bigint): Promise<PublishedPackage | string> {
  if (chain.resultsUrl === "") return "no result packages are published for this deployment (RESULTS_URL)";
  const url = chain.resultsUrl.replaceAll("{roundId}", roundId.toString());
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) return `the result package at ${url} is not available (HTTP ${response.status})`;
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    return `cannot fetch the result package at ${url}: ${err instanceof Error ? err.message : String(err)}`;
  }
  try {
    const pkg = decodeResultPackage(bytes, url);
    const result = ResultFieldsSchema.safeParse(pkg.result);
    return result.success ? { result: result.data, package: pkg } : `the result package at ${url} has a malformed result`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Builds `account`'s receipt for round `roundId`. */
export async function readReceipt(chain: Chain, roundId: bigint, account: string, now: bigint): Promise<BrowserReceipt> {
  const { rounds } = chain.read;
  const address = getAddress(account);
  const round = await rounds.round(roundId);
  const status = statusName(round);
  const slot = BigInt(await rounds.contributionOf(roundId, address));
  const revealed = (await queryAll(chain, (a, b) => rounds.queryFilter(rounds.filters.Revealed(roundId, address), a, b))).at(-1);
  const slashed = (await queryAll(chain, (a, b) => rounds.queryFilter(rounds.filters.ContributorSlashed(roundId, address), a, b))).map((l) => SLASH_REASONS[Number(l.args.reason)] ?? String(l.args.reason));
  const claimed = await rounds.isClaimed(roundId, address);
  const verifyCommand = `cw verify-round ${roundId} --rpc-url ${chain.rpcUrl}`;
  const ended = status === "Finalized" || status === "Failed";
  const releasable = slot === 1n && ended && now >= round.challengeEnd;
  const base = { roundId, score: null, reward: null, proof: null, claimed, claimable: false, releasable, slashed, verifyCommand };
  if (slot === 0n && revealed === undefined) return { ...base, outcome: "not-committed", why: "You did not commit to this round." };
  if (revealed === undefined) {
    if (status === "Open" && now < round.revealEnd) return { ...base, outcome: "pending", why: `Committed; reveal before ${new Date(Number(round.revealEnd) * 1000).toISOString()}.` };
    return { ...base, outcome: "not-revealed", why: "Committed but never revealed: the update was not used and the lock is slashable." };
  }
  if (status === "Disputed") return { ...base, outcome: "pending", why: "Revealed; the round's result is disputed and frozen until governance resolves the dispute (see Governance)." };
  if (!ended) return { ...base, outcome: "pending", why: "Revealed; the outcome is known once k operators attest the same result." };
  if (status === "Failed") return { ...base, outcome: "round-failed", why: "The round failed: no model, no rewards; the sponsor is refunded and valid updates are not slashed." };

  const pkg = await fetchPackage(chain, roundId);
  if (typeof pkg === "string") return { ...base, outcome: "settled", why: `The round is finalized, but ${pkg}; run the verify command for your score and proof.` };
  if (pkg.package.attested.rewardsRoot.toLowerCase() !== round.rewardsRoot.toLowerCase()) {
    return { ...base, outcome: "settled", why: "WARNING: the published result package does not match the chain's rewards root; it is ignored. Run the verify command." };
  }
  const key = address.toLowerCase();
  const score = pkg.result.scores[key] ?? null;
  const invalid = pkg.result.invalid[key];
  if (invalid !== undefined) {
    return { ...base, score, outcome: "invalid", why: `INVALID (${invalid}): ${INVALID_WORDS[invalid] ?? invalid}. Invalid updates earn nothing and their lock is slashable.` };
  }
  if (pkg.result.excluded.includes(key)) {
    return { ...base, score, reward: 0n, outcome: "excluded", why: "Valid but EXCLUDED by the round's robust aggregation rule: it did not shape the model, earns nothing, and is not slashed." };
  }
  const claim = pkg.package.claims.find((c) => c.account.toLowerCase() === key);
  if (claim === undefined || round.rewardsRoot === ZeroHash) {
    return { ...base, score, reward: 0n, outcome: "selected", why: "Valid and SELECTED, with a reward of 0 (a score of 0)." };
  }
  const amount = BigInt(claim.amount);
  const verified = StandardMerkleTree.verify(round.rewardsRoot, REWARD_LEAF_ENCODING, [address, amount], [...claim.proof]);
  if (!verified) return { ...base, score, outcome: "settled", why: "WARNING: the published Merkle proof does not verify against the chain's rewards root; run the verify command." };
  const open = now >= round.challengeEnd && now < round.claimEnd;
  const when = now < round.challengeEnd ? "claimable once the challenge window ends" : now < round.claimEnd ? "claimable now" : "the claim window is over";
  return {
    ...base,
    score,
    reward: amount,
    proof: claim.proof,
    claimable: open && !claimed,
    outcome: "selected",
    why: `Valid and SELECTED: part of the new model. The proof verifies against the chain's rewards root; ${claimed ? "already claimed" : when}.`,
  };
}
