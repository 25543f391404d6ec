import { formatPercent, formatTokens, plural, shortHex, TOKEN_SYMBOL } from "./display-format.ts";
import { escapeHtml } from "./html.ts";
import { contributorLookup, whoHtml } from "./round-table.ts";
import type { DemoSummary, ProposalSummary, RoundSummary } from "./summary.ts";

/*
 * The report's text sections besides the round table: contributors, the governance timeline
 * (rounds and proposals interleaved, so the rule change sits where it happened) and what is trusted.
 */

const VOTE_BAR_WIDTH = 100;

/** Contributors: the text twin of the rewards and stake charts. */
export function contributorTableHtml(summary: DemoSummary): string {
  const lookup = contributorLookup(summary);
  const rows = summary.contributors.map((c) => {
    const first = c.stakeHistory[0]?.stake ?? "0";
    const last = c.stakeHistory.at(-1)?.stake ?? first;
    const lost = BigInt(first) - BigInt(last);
    return `<tr><th scope="row" data-label="Contributor">${whoHtml(c.address, lookup)}</th><td data-label="Role"><span class="role-tag" data-role="${escapeHtml(c.role)}">${escapeHtml(c.role)}</span></td>
<td data-label="Address"><code title="${escapeHtml(c.address)}">${escapeHtml(shortHex(c.address))}</code></td><td class="num" data-label="Rewards (${TOKEN_SYMBOL})">${escapeHtml(formatTokens(c.totalReward))}</td>
<td class="num" data-label="Stake (${TOKEN_SYMBOL})">${escapeHtml(formatTokens(first))} → ${escapeHtml(formatTokens(last))}</td><td class="num" data-label="Lost to slashing">${lost > 0n ? `<span class="bad-text">−${escapeHtml(formatTokens(lost.toString()))}</span>` : '<span class="muted">0</span>'}</td></tr>`;
  });
  return `<div class="table-scroll" role="region" aria-labelledby="contributors-title" tabindex="0"><table class="cards-on-phone">
<caption class="visually-hidden">Contributors</caption>
<thead><tr><th scope="col">Contributor</th><th scope="col">Role</th><th scope="col">Address</th><th scope="col">Rewards (${TOKEN_SYMBOL})</th><th scope="col">Stake (${TOKEN_SYMBOL})</th><th scope="col">Lost to slashing</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table></div>`;
}

function voteBarHtml(p: ProposalSummary): string {
  const votesFor = BigInt(p.votesFor);
  const total = votesFor + BigInt(p.votesAgainst);
  const share = total === 0n ? 0 : Number((votesFor * 10_000n) / total) / 10_000;
  const forWidth = (share * VOTE_BAR_WIDTH).toFixed(1);
  return `<svg class="votebar" viewBox="0 0 ${VOTE_BAR_WIDTH} 6" preserveAspectRatio="none" role="img" aria-label="${formatPercent(share, 0)} of votes for">
<rect class="against" width="${VOTE_BAR_WIDTH}" height="6" rx="3"/><rect class="for" width="${forWidth}" height="6" rx="3"/></svg>
<span class="reason">for ${escapeHtml(formatTokens(p.votesFor, 0))} · against ${escapeHtml(formatTokens(p.votesAgainst, 0))} ${TOKEN_SYMBOL} of voting power</span>`;
}

function proposalItem(p: ProposalSummary): string {
  const when = p.proposedAtRound === 0 ? "before round 1" : `during round ${p.proposedAtRound}`;
  return `<li class="event proposal"><span class="marker" aria-hidden="true">◆</span><div><strong>Proposal ${when}:</strong> ${escapeHtml(p.description)}
<span class="rule-change">${escapeHtml(p.fromRule)} → ${escapeHtml(p.toRule)}</span> <span class="badge">${escapeHtml(p.state)}</span>
<div class="votes">${voteBarHtml(p)}</div><span class="reason">id ${escapeHtml(shortHex(p.proposalId, 8, 6))}</span></div></li>`;
}

function executionItem(p: ProposalSummary): string {
  return `<li class="event execution"><span class="marker" aria-hidden="true">⚙</span><div><strong>Timelock executed:</strong> the rule is now
<span class="rule-change">${escapeHtml(p.toRule)}</span> (was ${escapeHtml(p.fromRule)}); rounds opened from here on use it.</div></li>`;
}

function roundItem(r: RoundSummary, index: number): string {
  const accuracy = r.accuracy === null ? "" : ` · accuracy ${formatPercent(r.accuracy)}`;
  // The same words as the round table's columns: kept, left out (by the rule), invalid, not revealed.
  const outcomes = `${plural(r.selected.length, "update")} kept · ${r.excluded.length} left out · ${Object.keys(r.invalid).length} invalid · ${r.nonRevealers.length} not revealed`;
  return `<li class="event round"><span class="marker" aria-hidden="true">${index + 1}</span><div><strong>Round ${escapeHtml(r.roundId)}</strong> · ${escapeHtml(r.rule)} ·
${r.status === "Finalized" ? "✓ finalized" : "✗ failed"}${accuracy}<span class="reason">${outcomes}</span></div></li>`;
}

/** Rounds and governance events in the order they happened. */
export function timelineHtml(summary: DemoSummary): string {
  const items: string[] = [];
  const proposedAt = (n: number) => summary.governance.filter((p) => p.proposedAtRound === n);
  items.push(...proposedAt(0).map(proposalItem));
  summary.rounds.forEach((r, i) => {
    const roundNumber = i + 1;
    items.push(...summary.governance.filter((p) => p.executedBeforeRound === roundNumber).map(executionItem));
    items.push(roundItem(r, i));
    items.push(...proposedAt(roundNumber).map(proposalItem));
  });
  const late = summary.governance.filter((p) => p.proposedAtRound > summary.rounds.length);
  items.push(...late.map(proposalItem));
  const none = summary.governance.length === 0 ? '<p class="muted">No governance proposals in this run.</p>' : "";
  return `${none}<ol class="timeline">${items.join("\n")}</ol>`;
}

/** What the page means and what a reader has to trust. */
export function trustSectionHtml(summary: DemoSummary): string {
  const { operators, threshold } = summary.config;
  return `<div class="trust-grid">
<div><h3>Stays private</h3><p>Every contributor trained on its own data, on its own machine. The data never left it: only model updates (weights, clipped in norm) were sent.</p></div>
<div><h3>Who sees what</h3><p>The ${plural(operators, "operator")} see the updates, not the data. Each recomputes the aggregate bit for bit; a result counts only when ${threshold} of ${operators} sign the same model hash on chain.</p></div>
<div><h3>Rules and money</h3><p>The aggregation rule lives on chain and changes only by a token-holder vote through the timelock. Rewards are paid from each round's escrow by Merkle claim; cheaters lose stake.</p></div>
<div><h3>Check it yourself</h3><p>Anyone can recompute a round from its published files and compare with the on-chain hash: <code>cw verify-round</code>. The “Audit” column shows that check for every round.</p></div>
</div>
<p class="reading-tip"><strong>How to read the charts:</strong> accuracy is measured on a held-out test split no contributor trained on; the dashed line is the untrained model. Bars and stake panels use one color and one pattern per role, and name the role in words.</p>`;
}
