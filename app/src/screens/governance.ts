// Governance: voting power and delegation, the model policy and its history, proposing a policy change (checked
// against the registry's bounds before anything is signed, with the Hardhat tasks' messages), and the proposals
// with state, windows, tallies and quorum, each with the action its state allows; the open disputes, with the
// command that recomputes each round and the resolution proposal's recomputation summary.
import { getAddress, id, isAddress, ZeroAddress } from "ethers";

import { applyPolicyFlags, formatPolicyValue, POLICY_FIELDS, type PolicyFieldSpec, type PolicyFlags, type PolicyValues } from "../../../scripts/tasks/policy-flags.ts";
import { checkPolicyBounds, readPolicy, toPolicyValues } from "../../../scripts/tasks/policy-reader.ts";
import { decodeRoundStatus, PROPOSAL_STATES, VOTE_SUPPORT, type VoteSupportName } from "../../../oracle/chain/enums.ts";
import { readProposals, type ProposalRecord } from "../../../scripts/tasks/proposals.ts";
import { AppError } from "../app-error.ts";
import { chainNow } from "../chain.ts";
import { card, facts, h, hex } from "../dom.ts";
import { date, short, tokens } from "../format.ts";
import type { Screen, ScreenContext } from "../screen.ts";
import { guarded, showStatus } from "../status.ts";
import { describeError, send } from "../transactions.ts";

/** A field's current value as the user types it (amounts without the symbol). */
function inputText(field: PolicyFieldSpec, value: bigint): string {
  return formatPolicyValue(field.name, value).replace(/ CWT$/, "");
}

async function votingCard(context: ScreenContext): Promise<HTMLElement> {
  const { chain, wallet } = context;
  if (wallet === undefined) return card("Your votes", h("p", {}, "Connect a wallet to see and delegate your voting power."));
  const { token, governor, staking } = chain.read;
  const clock = await governor.clock();
  const [balance, delegatee, votes, staked] = await Promise.all([
    token.balanceOf(wallet.address), token.delegates(wallet.address), governor.getVotes(wallet.address, clock - 1n), staking.stakeOf(wallet.address),
  ]);
  const to = h("input", { name: "delegatee", placeholder: "0x… (empty: yourself)", "aria-label": "delegate to" });
  const delegate = h("button", { type: "button", "data-testid": "delegate", onclick: guarded(async () => {
    const text = to.value.trim();
    if (text !== "" && !isAddress(text)) throw new AppError(`Delegate to: '${text}' is not an address.`);
    const target = text === "" ? wallet.address : getAddress(text);
    await send(`Delegate to ${short(target)}`, () => wallet.write.token.delegate(target));
    await context.refresh();
  }, describeError) }, "Delegate");
  return card("Your votes",
    facts([
      ["CWT balance", tokens(balance)],
      ["Staked", tokens(staked)],
      ["Delegate", delegatee === "0x0000000000000000000000000000000000000000" ? "none: your tokens do not vote yet" : delegatee === wallet.address ? "yourself" : delegatee],
      ["Voting power (last block)", h("span", { "data-testid": "votes" }, tokens(votes))],
    ]),
    h("div", { class: "row" }, to, delegate),
    h("p", { class: "hint" }, "Staked tokens keep their votes: staking follows the token delegate."));
}

async function policyCard(context: ScreenContext): Promise<HTMLElement> {
  const registry = context.chain.read.policy;
  const version = await registry.currentVersion();
  const versions: PolicyValues[] = [];
  for (let v = 1n; v <= version; v += 1n) versions.push(await readPolicy(registry, v));
  const current = versions.at(-1);
  if (current === undefined) return card("Model policy", h("p", {}, "The registry has no policy."));
  const rows = (POLICY_FIELDS as readonly PolicyFieldSpec[]).map((f) => [f.name, formatPolicyValue(f.name, current[f.name])] as const);
  const history = versions.slice(1).map((p, i) => {
    const previous = versions[i] as PolicyValues;
    const changes = (POLICY_FIELDS as readonly PolicyFieldSpec[]).filter((f) => p[f.name] !== previous[f.name]);
    return h("li", {}, `v${i + 2}: `, changes.map((f) => `${f.name} ${formatPolicyValue(f.name, previous[f.name])} → ${formatPolicyValue(f.name, p[f.name])}`).join("; ") || "no change");
  });
  return card(`Model policy (v${version})`,
    h("details", {}, h("summary", {}, "Every field"), facts(rows)),
    h("h3", {}, "History"),
    history.length === 0 ? h("p", {}, "v1 (genesis) only.") : h("ol", { class: "history", "data-testid": "policy-history" }, ...history));
}

async function proposeCard(context: ScreenContext): Promise<HTMLElement> {
  const { chain, wallet } = context;
  const current = toPolicyValues(await chain.read.policy.currentPolicy());
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const fields = (POLICY_FIELDS as readonly PolicyFieldSpec[]).map((f) => {
    const option = f.option ?? f.name;
    const initial = inputText(f, current[f.name]);
    const input = f.type.kind === "enum"
      ? h("select", { name: option }, ...f.type.names.map((n) => h("option", { value: n, selected: n === initial }, n)))
      : h("input", { name: option, value: initial, inputmode: "decimal", autocomplete: "off" });
    input.dataset.initial = initial;
    inputs.set(option, input);
    return h("label", { class: "field" }, h("span", {}, f.name), input, h("small", {}, f.help));
  });
  const description = h("input", { name: "description", placeholder: "description (default: the changes)", "aria-label": "description" });
  const problem = h("p", { class: "error", "data-testid": "propose-error", hidden: true });
  const submit = h("button", { type: "submit", "data-testid": "propose" }, "Check and propose");
  const form = h("form", { class: "propose" }, h("div", { class: "fields" }, ...fields), description, problem, submit);
  form.addEventListener("submit", guarded(async () => {
    problem.hidden = true;
    const flags: PolicyFlags = {};
    for (const [option, input] of inputs) if (input.value.trim() !== input.dataset.initial) flags[option] = input.value;
    try {
      // The same parsing and bound messages as `npx hardhat gov:propose-policy`; the bounds are the deployed
      // registry's, read by eth_call: nothing is signed until they pass.
      const { policy, changes } = applyPolicyFlags(current, flags);
      if (changes.length === 0) throw new AppError("No policy field changes: edit at least one field.");
      await checkPolicyBounds(chain.read.policy, policy);
      if (wallet === undefined) throw new AppError("The policy is within bounds. Connect a wallet to propose it.");
      const threshold = await chain.read.governor.proposalThreshold();
      const votes = await chain.read.governor.getVotes(wallet.address, (await chain.read.governor.clock()) - 1n);
      if (votes < threshold) throw new AppError(`You have ${tokens(votes)} of votes; proposing needs ${tokens(threshold)} (delegate first).`);
      const version = await chain.read.policy.currentVersion();
      const summary = changes.map((c) => `${c.field} ${formatPolicyValue(c.field, c.from)} -> ${formatPolicyValue(c.field, c.to)}`).join("; ");
      const text = description.value.trim() || `Model policy v${version + 1n}: ${summary}`;
      const target = chain.deployment.contracts.policy;
      const calldata = chain.read.policy.interface.encodeFunctionData("setPolicy", [policy]);
      await send("Propose", () => wallet.write.governor.propose([target], [0n], [calldata], text));
      await context.refresh();
    } catch (err) {
      problem.textContent = describeError(err);
      problem.hidden = false;
      showStatus("error", problem.textContent);
    }
  }, describeError));
  return card("Propose a policy change", h("p", { class: "hint" }, "Every field is checked against the policy registry's bounds before your wallet is asked to sign."), form);
}

async function proposalItem(context: ScreenContext, p: ProposalRecord, now: bigint): Promise<HTMLElement> {
  const { governor } = context.chain.read;
  const state = PROPOSAL_STATES[Number(await governor.state(p.proposalId))] ?? "unknown";
  const [against, forVotes, abstain] = await governor.proposalVotes(p.proposalId);
  const quorum = p.voteStart < now ? await governor.quorum(p.voteStart) : 0n;
  const eta = await governor.proposalEta(p.proposalId);
  const counted = forVotes + abstain;
  const percent = quorum === 0n ? 0 : Number((counted * 1000n) / quorum) / 10;
  const actions: HTMLElement[] = [];
  const wallet = context.wallet;
  if (wallet !== undefined && state === "Active") {
    const support = h("select", { name: "support", "aria-label": "vote" }, ...VOTE_SUPPORT.map((k) => h("option", { value: k }, k)));
    const reason = h("input", { name: "reason", placeholder: "reason (optional)", "aria-label": "reason" });
    actions.push(h("div", { class: "row" }, support, reason, h("button", { type: "button", "data-testid": "vote", onclick: guarded(async () => {
      const value = VOTE_SUPPORT.indexOf(support.value as VoteSupportName);
      if (value < 0) throw new AppError(`Unknown vote '${support.value}'.`);
      await send(`Vote ${support.value}`, () => wallet.write.governor.castVoteWithReason(p.proposalId, value, reason.value));
      await context.refresh();
    }, describeError) }, "Vote")));
  }
  const operation = [p.targets, p.values, p.calldatas, id(p.description)] as const;
  if (wallet !== undefined && state === "Succeeded") {
    actions.push(h("button", { type: "button", "data-testid": "queue", onclick: guarded(async () => {
      await send("Queue", () => wallet.write.governor.queue(...operation));
      await context.refresh();
    }, describeError) }, "Queue"));
  }
  if (wallet !== undefined && state === "Queued") {
    const ready = eta <= now;
    actions.push(h("button", { type: "button", "data-testid": "execute", disabled: !ready, onclick: guarded(async () => {
      await send("Execute", () => wallet.write.governor.execute(...operation));
      await context.refresh();
    }, describeError) }, ready ? "Execute" : `Executable from ${date(eta)}`));
  }
  return h("li", { class: "proposal", "data-testid": "proposal", "data-state": state },
    h("h3", {}, p.description.split("\n")[0] ?? ""),
    facts([
      ["State", h("strong", { "data-testid": "proposal-state" }, state)],
      ["Voting", `${date(p.voteStart)} → ${date(p.voteEnd)}`],
      ["For / against / abstain", `${tokens(forVotes)} / ${tokens(against)} / ${tokens(abstain)}`],
      ["Quorum", quorum === 0n
        ? "set when voting starts"
        : h("span", { "data-testid": "quorum" }, h("progress", { max: "100", value: String(Math.min(percent, 100)) }), counted >= quorum ? ` reached: ${tokens(counted)} of ${tokens(quorum)} needed (for + abstain)` : ` ${percent}%: ${tokens(counted)} of ${tokens(quorum)} needed (for + abstain)`)],
      ["Executable from", eta === 0n ? "-" : date(eta)],
      ["Id", h("code", { class: "hex" }, p.proposalId.toString())],
    ]),
    ...actions);
}

async function proposalsCard(context: ScreenContext): Promise<HTMLElement> {
  const proposals = await readProposals(context.chain.read.governor, context.chain.deployment.deployedAtBlock);
  if (proposals.length === 0) return card("Proposals", h("p", {}, "No proposals yet."));
  const now = await chainNow(context.chain);
  const items = await Promise.all([...proposals].reverse().map((p) => proposalItem(context, p, now)));
  return card("Proposals", h("p", { class: "hint" }, `Chain time ${date(now)}.`), h("ul", { class: "proposals" }, ...items));
}

/** The proposal that calls `Rounds.resolveDispute(roundId, …)`, newest first, with the verdict it proposes. */
function resolutionOf(context: ScreenContext, proposals: readonly ProposalRecord[], roundId: bigint): { proposal: ProposalRecord; upheld: boolean } | undefined {
  const rounds = context.chain.read.rounds;
  const target = getAddress(context.chain.deployment.contracts.rounds);
  for (const proposal of [...proposals].reverse()) {
    for (const [i, calldata] of proposal.calldatas.entries()) {
      if (getAddress(proposal.targets[i] ?? ZeroAddress) !== target) continue;
      const call = rounds.interface.parseTransaction({ data: calldata });
      if (call?.name === "resolveDispute" && BigInt(call.args[0] as bigint) === roundId) return { proposal, upheld: Boolean(call.args[1]) };
    }
  }
  return undefined;
}

async function disputeItem(context: ScreenContext, roundId: bigint, proposals: readonly ProposalRecord[]): Promise<HTMLElement> {
  const { rounds, governor } = context.chain.read;
  const dispute = await rounds.disputeOf(roundId);
  const resolution = resolutionOf(context, proposals, roundId);
  const verify = `npx cw verify-round ${roundId} --rpc-url ${context.chain.rpcUrl}`;
  const propose = `npx hardhat gov:propose-resolution ${roundId}`;
  const proposalRow: HTMLElement = resolution === undefined
    ? h("span", {}, "None yet. Recompute, then propose the verdict with ", h("code", {}, propose), " (its description carries the recomputation summary).")
    : h("div", { "data-testid": "dispute-proposal" },
      h("p", {}, `${resolution.upheld ? "Uphold" : "Reject"}, ${PROPOSAL_STATES[Number(await governor.state(resolution.proposal.proposalId))] ?? "unknown"} (see Proposals below).`),
      h("pre", { class: "summary", "data-testid": "dispute-summary" }, resolution.proposal.description));
  return h("li", { class: "dispute", "data-testid": "dispute", "data-round": roundId.toString() },
    h("h3", {}, `Round ${roundId}`),
    facts([
      ["Challenger", h("span", { title: dispute.challenger }, short(dispute.challenger))],
      ["Bond", tokens(dispute.bond)],
      ["Disputed digest", hex(dispute.digest)],
      ["Signers", h("ul", { class: "signers" }, ...dispute.signers.map((s) => h("li", { title: s }, short(s))))],
      ["Raised", date(dispute.raisedAt)],
      ["Recompute", h("code", { class: "command", "data-testid": "verify-command" }, verify)],
      ["Resolution", proposalRow],
    ]));
}

async function disputesCard(context: ScreenContext): Promise<HTMLElement> {
  const { rounds, governor } = context.chain.read;
  const count = await rounds.roundCount();
  const ids = Array.from({ length: Number(count) }, (_, i) => count - BigInt(i));
  const statuses = await Promise.all(ids.map(async (roundId) => decodeRoundStatus((await rounds.round(roundId)).status)));
  const disputed = ids.filter((_, i) => statuses[i] === "Disputed");
  const hint = h("p", { class: "hint" }, "A disputed round is frozen (no claims, no sweep, its signers' stakes locked) until a passed proposal calls resolveDispute: upheld voids the result and slashes the signers, rejected forfeits the bond.");
  if (disputed.length === 0) return card("Open disputes", h("p", { "data-testid": "no-disputes" }, "No open disputes."), hint);
  const proposals = await readProposals(governor, context.chain.deployment.deployedAtBlock);
  const items = await Promise.all(disputed.map((roundId) => disputeItem(context, roundId, proposals)));
  return card("Open disputes", hint, h("ul", { class: "disputes", "data-testid": "disputes" }, ...items));
}

/** The governance screen. */
export const governanceScreen: Screen = {
  id: "governance",
  title: "Governance",
  async render(context) {
    const cards = await Promise.all([votingCard(context), disputesCard(context), policyCard(context), proposeCard(context), proposalsCard(context)]);
    return h("div", { class: "screen" }, ...cards);
  },
};
