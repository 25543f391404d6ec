import type { DemoSummary } from "../report/summary.ts";

const TOKEN = 10n ** 18n;

function tokens(amount: string): string {
  const value = BigInt(amount);
  return `${value / TOKEN}.${((value % TOKEN) / 10n ** 16n).toString().padStart(2, "0")}`;
}

/** Prints the final per-round table on stdout. */
export function printRoundTable(summary: DemoSummary): void {
  const header = ["round", "rule", "status", "accuracy", "model", "sel", "excl", "invalid", "paid CWT", "slashed", "audit"];
  const rows = summary.rounds.map((r) => [
    r.roundId,
    r.rule,
    r.status,
    r.accuracy === null ? "-" : `${(r.accuracy * 100).toFixed(1)}%`,
    r.modelHash === null ? "-" : `${r.modelHash.slice(0, 10)}…`,
    String(r.selected.length),
    String(r.excluded.length),
    Object.values(r.invalid).join(",") || "-",
    tokens(r.paid),
    String(r.slashes.length),
    r.audit === null ? "-" : r.audit.match ? "match" : "MISMATCH",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  const byLabel = summary.contributors.map((c) => `${c.label} ${tokens(c.totalReward)}`).join(", ");
  out.push("", `baseline accuracy ${(summary.baselineAccuracy * 100).toFixed(1)}% · rewards: ${byLabel}`);
  out.push(`total budget ${tokens(summary.totals.budget)} CWT, paid ${tokens(summary.totals.paid)} CWT, slashed ${tokens(summary.totals.slashed)} CWT, ${(summary.totals.durationMs / 1000).toFixed(0)} s`);
  process.stdout.write(`${out.join("\n")}\n`);
}
