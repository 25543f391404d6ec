// Rounds: every round with its phase in words, policy snapshot, budget split, reveals, result, model lineage and
// audit status, newest first.
import { ZeroHash } from "ethers";

import { formatPolicyValue } from "../../../scripts/tasks/policy-flags.ts";
import { readPolicy } from "../../../scripts/tasks/policy-reader.ts";
import { chainNow } from "../chain.ts";
import { queryAll } from "../logs.ts";
import { card, facts, h, hex } from "../dom.ts";
import { date, short, tokens } from "../format.ts";
import { phaseWords, statusName } from "../round-phase.ts";
import type { Screen, ScreenContext } from "../screen.ts";

async function roundCard(context: ScreenContext, roundId: bigint, now: bigint): Promise<HTMLElement> {
  const { rounds, policy: registry, modelRegistry } = context.chain.read;
  const round = await rounds.round(roundId);
  const policy = await readPolicy(registry, BigInt(round.policyVersion));
  const finalized = (await queryAll(context.chain, (a, b) => rounds.queryFilter(rounds.filters.RoundFinalized(roundId), a, b))).at(-1);
  const failed = (await queryAll(context.chain, (a, b) => rounds.queryFilter(rounds.filters.RoundFailed(roundId), a, b))).at(-1);
  const slashes = await queryAll(context.chain, (a, b) => rounds.queryFilter(rounds.filters.ContributorSlashed(roundId), a, b));
  const reveals = await queryAll(context.chain, (a, b) => rounds.queryFilter(rounds.filters.Revealed(roundId), a, b));
  const treasury = round.funded - round.rewardPool - round.operatorPool;
  const status = statusName(round);
  const base = await modelRegistry.modelVersion(round.baseModelVersion);
  const result = finalized !== undefined
    ? facts([
      ["Model", h("span", {}, `v${finalized.args.modelVersion} `, hex(finalized.args.modelHash))],
      ["Rewards", `${tokens(round.totalRewards)} in the Merkle root, ${tokens(round.claimedRewards)} claimed`],
      ["Rewards root", hex(round.rewardsRoot)],
      ["Invalid updates", round.invalidRoot === ZeroHash ? "none" : h("span", {}, "root ", hex(round.invalidRoot))],
      ["Operators paid", `${tokens(round.operatorClaimed)} of ${tokens(round.operatorPool)} claimed by ${round.attesterCount} attesters`],
    ])
    : h("p", {}, failed !== undefined ? `Failed (${["too few reveals", "no operator quorum", "the operators signed a failed result"][Number(failed.args.reason)] ?? "unknown"}).` : "No result yet.");
  const audit = status === "Disputed"
    ? `Disputed: frozen until governance resolves it (the open disputes are on the Governance screen; recompute with cw verify-round ${roundId}).`
    : status !== "Finalized"
    ? "Not finalized yet."
    : now < round.challengeEnd
      ? `Open for audit: anyone may recompute the round (cw verify-round ${roundId}) and slash invalid updates until ${date(round.challengeEnd)}.`
      : `Challenge window closed at ${date(round.challengeEnd)}; ${slashes.length} slash(es) recorded.`;
  return h("li", { class: "round card", "data-testid": "round", "data-round": roundId.toString(), "data-status": status },
    h("h3", {}, `Round ${roundId}: `, h("span", { "data-testid": "round-status" }, status)),
    h("p", { class: "phase" }, phaseWords(round, now)),
    facts([
      ["Sponsor", h("span", { title: round.sponsor }, short(round.sponsor))],
      ["Policy snapshot", `v${round.policyVersion}: ${formatPolicyValue("rule", policy.rule)}, ≥ ${policy.minContributors} contributors, stake ${tokens(round.contributorStake)}, slash ${Number(round.slashBps) / 100}%`],
      ["Budget", tokens(round.funded)],
      ["Split", `contributors ${tokens(round.rewardPool)} · operators ${tokens(round.operatorPool)} · treasury ${tokens(treasury)}`],
      ["Reveals", reveals.length === 0
        ? `${round.revealCount} of ${round.commitCount} commitments`
        : h("details", {}, h("summary", {}, `${round.revealCount} of ${round.commitCount} commitments`),
          h("ol", { class: "reveals" }, ...reveals.map((r) => h("li", {}, h("span", { title: r.args.contributor }, short(r.args.contributor)), ": ", hex(r.args.updateHash)))))],
      ["Windows", `commit → ${date(round.commitEnd)}, reveal → ${date(round.revealEnd)}, attest → ${date(round.attestDeadline)}`],
      ["Lineage", `base model v${round.baseModelVersion} (${short(base.modelHash)})${finalized !== undefined ? ` → v${finalized.args.modelVersion}` : ""}`],
      ["Audit", audit],
    ]),
    h("h4", {}, "Result"),
    result);
}

/** The rounds screen. */
export const roundsScreen: Screen = {
  id: "rounds",
  title: "Rounds",
  async render(context) {
    const count = await context.chain.read.rounds.roundCount();
    if (count === 0n) return h("div", { class: "screen" }, card("Rounds", h("p", {}, "No round has been opened yet (see Sponsor).")));
    const now = await chainNow(context.chain);
    const ids = Array.from({ length: Number(count) }, (_, i) => count - BigInt(i));
    const items = await Promise.all(ids.map((roundId) => roundCard(context, roundId, now)));
    return h("div", { class: "screen" }, h("p", { class: "hint" }, `${count} round(s); chain time ${date(now)}.`), h("ul", { class: "rounds" }, ...items));
  },
};
