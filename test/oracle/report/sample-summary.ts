import { createHash } from "node:crypto";

import type { ContributorSummary, DemoSummary, Role, RoundSummary, Rule } from "../../../oracle/report/summary.ts";

/*
 * A realistic default-demo summary: 4 rounds, 8 contributors, 3 operators (k = 2). Governance switches
 * fedavg to multi-krum after round 2; multi-krum then excludes the poisoner. The norm cheat is invalid
 * and slashed every round, the non-revealer is slashed every round, accuracy rises 0.10 → 0.85.
 */

const UNIT = 10n ** 18n;
const ROUND_BUDGET = 1_000n * UNIT;
const INITIAL_STAKE = 100n * UNIT;
const INVALID_SLASH_BPS = 1_000n; // 10% of the current stake per invalid update
const NON_REVEAL_SLASH = 5n * UNIT;
const BPS_DENOMINATOR = 10_000n;
const ACCURACY = [0.52, 0.68, 0.8, 0.85] as const;
const RULE_BY_ROUND: readonly Rule[] = ["fedavg", "fedavg", "multi-krum", "multi-krum"];

function fakeAddress(n: number): string {
  return `0x${createHash("sha256").update(`contributor-${n}`).digest("hex").slice(0, 40)}`;
}

function fakeHash(text: string): string {
  return `0x${createHash("sha256").update(text).digest("hex")}`;
}

interface Actor {
  address: string;
  label: string;
  role: Role;
  samples: bigint;
}

const ACTORS: readonly Actor[] = [
  ...[7_000n, 6_200n, 5_400n, 7_600n, 4_800n].map((samples, i) => ({
    address: fakeAddress(i + 1),
    label: `honest-${i + 1}`,
    role: "honest" as const,
    samples,
  })),
  { address: fakeAddress(6), label: "poisoner", role: "poisoner", samples: 6_000n },
  { address: fakeAddress(7), label: "norm-cheat", role: "oversized", samples: 6_500n },
  { address: fakeAddress(8), label: "non-revealer", role: "non-revealer", samples: 5_000n },
];

function actorsWith(role: Role): Actor[] {
  return ACTORS.filter((a) => a.role === role);
}

/** A fresh copy of the sample: tests may mutate it. */
export function sampleSummary(): DemoSummary {
  const stakes = new Map(ACTORS.map((a) => [a.address, INITIAL_STAKE]));
  const history = new Map(ACTORS.map((a) => [a.address, [{ round: 0, stake: INITIAL_STAKE.toString() }]]));
  const totalRewards = new Map(ACTORS.map((a) => [a.address, 0n]));
  const rounds: RoundSummary[] = [];
  let slashedTotal = 0n;

  RULE_BY_ROUND.forEach((rule, index) => {
    const roundNumber = index + 1;
    const honest = actorsWith("honest");
    const poisoner = actorsWith("poisoner");
    const selected = rule === "multi-krum" ? honest : [...honest, ...poisoner];
    const excluded = rule === "multi-krum" ? poisoner : [];
    const totalSamples = selected.reduce((sum, a) => sum + a.samples, 0n);
    const rewards: Record<string, string> = {};
    const scores: Record<string, string> = {};
    let paid = 0n;
    for (const actor of [...honest, ...poisoner]) {
      const isSelected = selected.includes(actor);
      const reward = isSelected ? (ROUND_BUDGET * actor.samples) / totalSamples : 0n;
      scores[actor.address] = isSelected ? actor.samples.toString() : "0";
      rewards[actor.address] = reward.toString();
      totalRewards.set(actor.address, (totalRewards.get(actor.address) ?? 0n) + reward);
      paid += reward;
    }
    const slashes = [
      ...actorsWith("oversized").map((a) => ({ actor: a, amount: ((stakes.get(a.address) ?? 0n) * INVALID_SLASH_BPS) / BPS_DENOMINATOR, reason: "invalid update: L2 norm 41.7 exceeds bound 10" })),
      ...actorsWith("non-revealer").map((a) => ({ actor: a, amount: NON_REVEAL_SLASH, reason: "committed but never revealed" })),
    ];
    for (const s of slashes) {
      stakes.set(s.actor.address, (stakes.get(s.actor.address) ?? 0n) - s.amount);
      slashedTotal += s.amount;
    }
    for (const a of ACTORS) history.get(a.address)?.push({ round: roundNumber, stake: (stakes.get(a.address) ?? 0n).toString() });

    rounds.push({
      roundId: String(roundNumber),
      rule,
      policyVersion: rule === "fedavg" ? 1 : 2,
      status: "Finalized",
      accuracy: ACCURACY[index] ?? null,
      modelHash: fakeHash(`model-${roundNumber}`),
      selected: selected.map((a) => a.address),
      excluded: excluded.map((a) => a.address),
      invalid: Object.fromEntries(actorsWith("oversized").map((a) => [a.address, "L2 norm 41.7 exceeds bound 10"])),
      nonRevealers: actorsWith("non-revealer").map((a) => a.address),
      scores,
      rewards,
      slashes: slashes.map((s) => ({ account: s.actor.address, amount: s.amount.toString(), reason: s.reason })),
      budget: ROUND_BUDGET.toString(),
      paid: paid.toString(),
      // The genesis split: 80% contributors, 10% operators (both attesters claimed), 10% treasury.
      operatorsPaid: ((ROUND_BUDGET * 10n) / 100n).toString(),
      treasuryShare: ((ROUND_BUDGET * 10n) / 100n).toString(),
      durationMs: 21_400 + index * 1_300,
      audit: { match: true },
    });
  });

  const contributors: ContributorSummary[] = ACTORS.map((a) => ({
    address: a.address,
    label: a.label,
    role: a.role,
    totalReward: (totalRewards.get(a.address) ?? 0n).toString(),
    stakeHistory: history.get(a.address) ?? [],
  }));

  return {
    generatedAt: "2025-06-01T12:00:00.000Z",
    config: { rounds: 4, contributors: 8, operators: 3, threshold: 2, workers: 2, seed: 42, network: "in-process hardhat", partition: "dirichlet", backend: "cpu" },
    machine: { cpus: 2, cpuModel: "AMD EPYC 7B13", memoryGiB: 24, node: "v24.21.0" },
    baselineAccuracy: 0.1,
    rounds,
    contributors,
    governance: [
      {
        proposalId: "71350692847823340929384719038472384710293847102938471029384710293847",
        description: "Switch aggregation to multi-krum (f = 1) to resist poisoned updates",
        fromRule: "fedavg",
        toRule: "multi-krum",
        proposedAtRound: 2,
        executedBeforeRound: 3,
        state: "Executed",
        votesFor: (5_200_000n * UNIT).toString(),
        votesAgainst: (1_300_000n * UNIT).toString(),
      },
    ],
    totals: {
      budget: (ROUND_BUDGET * BigInt(RULE_BY_ROUND.length)).toString(),
      paid: rounds.reduce((sum, r) => sum + BigInt(r.paid), 0n).toString(),
      slashed: slashedTotal.toString(),
      durationMs: 118_500,
    },
  };
}
