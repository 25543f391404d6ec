import { formatDuration, formatPercent, formatTokens, plural, TOKEN_SYMBOL } from "./display-format.ts";
import type { DemoSummary } from "./summary.ts";

/*
 * The story in one sentence, then in six numbers. Everything here is derived from the summary;
 * nothing is assumed about how many rounds, contributors or adversaries there were.
 */

/** A key-figure card: a big value, what it is, and one line of context. */
export interface KeyFigure {
  label: string;
  value: string;
  detail: string;
  tone: "good" | "bad" | "neutral";
}

/** The last finalized round's accuracy, or null when no round finalized. */
export function finalAccuracy(summary: DemoSummary): number | null {
  const measured = summary.rounds.filter((r) => r.accuracy !== null);
  return measured.at(-1)?.accuracy ?? null;
}

function slashedAccounts(summary: DemoSummary): Set<string> {
  return new Set(summary.rounds.flatMap((r) => r.slashes.map((s) => s.account)));
}

function finalizedCount(summary: DemoSummary): number {
  return summary.rounds.filter((r) => r.status === "Finalized").length;
}

function accuracyClause(summary: DemoSummary): string {
  const final = finalAccuracy(summary);
  const from = formatPercent(summary.baselineAccuracy, 0);
  if (final === null) return `no round produced a model (baseline accuracy ${from})`;
  const to = formatPercent(final, 0);
  const verb = final > summary.baselineAccuracy ? "rose" : final < summary.baselineAccuracy ? "fell" : "stayed";
  return verb === "stayed" ? `accuracy stayed at ${to}` : `test accuracy ${verb} from ${from} to ${to}`;
}

/** The one-sentence headline. */
export function headline(summary: DemoSummary): string {
  const rounds = summary.rounds.length;
  const finalized = finalizedCount(summary);
  const operators = summary.config.operators;
  const agreement =
    finalized === rounds ? `${plural(operators, "operator")} agreed on every round` : `${plural(operators, "operator")} finalized ${finalized} of ${rounds} rounds`;
  const slashed = slashedAccounts(summary).size;
  const cheaters = slashed === 0 ? "nobody had to be slashed" : `${plural(slashed, "cheater")} ${slashed === 1 ? "was" : "were"} slashed`;
  return `${plural(summary.contributors.length, "contributor")} trained a digit classifier privately for ${plural(rounds, "round")}; ${accuracyClause(summary)}; ${agreement}; ${cheaters}.`;
}

/** Second-level facts: the rule change and what it did, and the audit. Each is one short sentence. */
export function storyNotes(summary: DemoSummary): string[] {
  const notes: string[] = [];
  const labels = new Map(summary.contributors.map((c) => [c.address, c.label]));
  for (const p of summary.governance) {
    if (p.executedBeforeRound === null) {
      notes.push(`A proposal to switch from ${p.fromRule} to ${p.toRule} ended ${p.state.toLowerCase()}.`);
      continue;
    }
    const after = summary.rounds.slice(p.executedBeforeRound - 1);
    const excluded = [...new Set(after.flatMap((r) => r.excluded))].map((a) => labels.get(a) ?? a);
    const effect = excluded.length > 0 ? `, which then left out ${excluded.join(", ")}` : "";
    notes.push(`Token holders voted to switch the rule from ${p.fromRule} to ${p.toRule}; the timelock applied it before round ${p.executedBeforeRound}${effect}.`);
  }
  const audited = summary.rounds.filter((r) => r.audit !== null);
  const matched = audited.filter((r) => r.audit?.match === true).length;
  if (audited.length > 0) {
    notes.push(
      matched === audited.length
        ? `An independent recomputation (cw verify-round) matched all ${plural(audited.length, "on-chain model hash", "on-chain model hashes")}.`
        : `Warning: the independent recomputation disagreed with ${audited.length - matched} of ${audited.length} on-chain model hashes.`,
    );
  }
  return notes;
}

/** The six key-figure cards. */
export function keyFigures(summary: DemoSummary): KeyFigure[] {
  const final = finalAccuracy(summary);
  const finalized = finalizedCount(summary);
  const audited = summary.rounds.filter((r) => r.audit !== null);
  const matched = audited.filter((r) => r.audit?.match === true).length;
  const slashed = slashedAccounts(summary).size;
  const { totals, config } = summary;
  const sum = (pick: (r: DemoSummary["rounds"][number]) => string): string => summary.rounds.reduce((acc, r) => acc + BigInt(pick(r)), 0n).toString();
  const operatorsPaid = sum((r) => r.operatorsPaid);
  const treasuryShare = sum((r) => r.treasuryShare);
  return [
    {
      label: "Test accuracy",
      value: final === null ? "—" : formatPercent(final),
      detail: `from ${formatPercent(summary.baselineAccuracy)} before training`,
      tone: final !== null && final > summary.baselineAccuracy ? "good" : "bad",
    },
    {
      label: "Rounds finalized",
      value: `${finalized} / ${summary.rounds.length}`,
      detail: `each signed by ${config.threshold} of ${config.operators} operators`,
      tone: finalized === summary.rounds.length ? "good" : "bad",
    },
    {
      label: "Rewards paid",
      value: `${formatTokens(totals.paid)} ${TOKEN_SYMBOL}`,
      detail: `to contributors, of a ${formatTokens(totals.budget)} ${TOKEN_SYMBOL} budget; operators ${formatTokens(operatorsPaid)}, treasury share ${formatTokens(treasuryShare)} ${TOKEN_SYMBOL}`,
      tone: BigInt(totals.paid) <= BigInt(totals.budget) ? "neutral" : "bad",
    },
    {
      label: "Stake slashed",
      value: `${formatTokens(totals.slashed)} ${TOKEN_SYMBOL}`,
      detail: slashed === 0 ? "nobody cheated" : `from ${plural(slashed, "cheating account")}`,
      tone: "neutral",
    },
    {
      label: "Audits matched",
      value: audited.length === 0 ? "—" : `${matched} / ${audited.length}`,
      detail: "rounds recomputed from the files",
      tone: audited.length > 0 && matched === audited.length ? "good" : "bad",
    },
    {
      label: "Wall time",
      value: formatDuration(totals.durationMs),
      detail: `${summary.machine.cpus} CPUs, ${config.backend} backend`,
      tone: "neutral",
    },
  ];
}
