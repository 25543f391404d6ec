import { formatDuration, formatPercent, formatTokens, shortHex, TOKEN_SYMBOL } from "./display-format.ts";
import { escapeHtml } from "./html.ts";
import type { ContributorSummary, DemoSummary, RoundSummary } from "./summary.ts";

/*
 * The per-round table: one row per round, every adversary named by label (address in the title),
 * and every verdict spelled out in words as well as a symbol, so color is never the only signal.
 */

/** Resolves an address to its contributor, for labels and roles. */
export type ContributorLookup = (address: string) => ContributorSummary | undefined;

/** A lookup over the summary's contributors. */
export function contributorLookup(summary: DemoSummary): ContributorLookup {
  const byAddress = new Map(summary.contributors.map((c) => [c.address, c]));
  return (address) => byAddress.get(address);
}

/** A contributor's label (or short address) with the full address and role in its title. */
export function whoHtml(address: string, lookup: ContributorLookup): string {
  const c = lookup(address);
  const name = c?.label ?? shortHex(address);
  const title = c ? `${address} (${c.role})` : address;
  return `<span class="who" data-role="${escapeHtml(c?.role ?? "unknown")}" title="${escapeHtml(title)}">${escapeHtml(name)}</span>`;
}

function listHtml(items: string[], empty = '<span class="muted">none</span>'): string {
  if (items.length === 0) return empty;
  return `<ul class="cell-list">${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;
}

function countedList(addresses: string[], lookup: ContributorLookup, reasonOf?: (a: string) => string): string {
  const items = addresses.map((a) => {
    const reason = reasonOf?.(a);
    return `${whoHtml(a, lookup)}${reason ? `<span class="reason">${escapeHtml(reason)}</span>` : ""}`;
  });
  return listHtml(items);
}

function statusHtml(round: RoundSummary): string {
  const ok = round.status === "Finalized";
  return `<span class="badge ${ok ? "good" : "bad"}">${ok ? "✓" : "✗"} ${escapeHtml(round.status)}</span>`;
}

function auditHtml(round: RoundSummary): string {
  if (round.audit === null) return '<span class="muted">— not audited</span>';
  return round.audit.match ? '<span class="badge good">✓ match</span>' : '<span class="badge bad">✗ mismatch</span>';
}

function modelHtml(round: RoundSummary): string {
  if (round.modelHash === null) return '<span class="muted">—</span>';
  return `<code title="${escapeHtml(round.modelHash)}">${escapeHtml(shortHex(round.modelHash, 4, 4))}</code>`;
}

function slashesHtml(round: RoundSummary, lookup: ContributorLookup): string {
  return listHtml(
    round.slashes.map(
      (s) => `<span class="amount bad-text">−${escapeHtml(formatTokens(s.amount))}</span> ${whoHtml(s.account, lookup)}<span class="reason">${escapeHtml(s.reason)}</span>`,
    ),
  );
}

/** The columns, in order: header and cell. On a phone each row becomes a card and the header labels each cell. */
const COLUMNS: readonly { readonly header: string; readonly cell: (round: RoundSummary, lookup: ContributorLookup) => string; readonly num?: boolean }[] = [
  { header: "Rule", cell: (r) => `${escapeHtml(r.rule)}<span class="reason">policy v${r.policyVersion}</span>` },
  { header: "Status", cell: (r) => statusHtml(r) },
  { header: "Accuracy", cell: (r) => (r.accuracy === null ? '<span class="muted">—</span>' : formatPercent(r.accuracy)), num: true },
  { header: "Model", cell: (r) => modelHtml(r) },
  { header: "Kept", cell: (r, lookup) => `<span title="${escapeHtml(r.selected.map((a) => lookup(a)?.label ?? a).join(", "))}">${r.selected.length}</span>`, num: true },
  { header: "Left out", cell: (r, lookup) => countedList(r.excluded, lookup) },
  { header: "Invalid", cell: (r, lookup) => countedList(Object.keys(r.invalid), lookup, (a) => r.invalid[a] ?? "") },
  { header: "Not revealed", cell: (r, lookup) => countedList(r.nonRevealers, lookup) },
  { header: `Contributors paid (${TOKEN_SYMBOL})`, cell: (r) => `${escapeHtml(formatTokens(r.paid))}<span class="reason">of ${escapeHtml(formatTokens(r.budget))} budget</span>`, num: true },
  { header: `Operators paid (${TOKEN_SYMBOL})`, cell: (r) => escapeHtml(formatTokens(r.operatorsPaid)), num: true },
  { header: `Treasury share (${TOKEN_SYMBOL})`, cell: (r) => `${escapeHtml(formatTokens(r.treasuryShare))}<span class="reason">paid at sweep</span>`, num: true },
  { header: `Slashed (${TOKEN_SYMBOL})`, cell: (r, lookup) => slashesHtml(r, lookup) },
  { header: "Audit", cell: (r) => `${auditHtml(r)}<span class="reason">round took ${escapeHtml(formatDuration(r.durationMs))}</span>` },
];

function rowHtml(round: RoundSummary, lookup: ContributorLookup): string {
  const cells = COLUMNS.map((c) => `<td data-label="${escapeHtml(c.header)}"${c.num ? ' class="num"' : ""}>${c.cell(round, lookup)}</td>`);
  return `<tr><th scope="row" data-label="Round">${escapeHtml(round.roundId)}</th>${cells.join("")}</tr>`;
}

/** The per-round table (a scrollable region on narrow screens). */
export function roundTableHtml(summary: DemoSummary): string {
  const lookup = contributorLookup(summary);
  const headers = ["Round", ...COLUMNS.map((c) => c.header)];
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const body = summary.rounds.map((r) => rowHtml(r, lookup)).join("\n");
  return `<div class="table-scroll" role="region" aria-labelledby="rounds-title" tabindex="0">
<table class="rounds cards-on-phone"><caption class="visually-hidden">Per-round results</caption><thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}
