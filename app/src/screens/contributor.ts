// Contributor: the connected address's stake, locks and unbonding (stake, unstake, withdraw), and each round's
// receipt: outcome and why, score, reward, Merkle proof, the verify command, claim and release.
import { parseTokenAmount } from "../../../scripts/tasks/token-amount.ts";
import { AppError } from "../app-error.ts";
import { chainNow, type Wallet } from "../chain.ts";
import { card, facts, h, hex } from "../dom.ts";
import { date, tokens } from "../format.ts";
import { readReceipt, type BrowserReceipt } from "../receipt.ts";
import type { Screen, ScreenContext } from "../screen.ts";
import { guarded } from "../status.ts";
import { describeError, send } from "../transactions.ts";

/** Parses an amount field with the tasks' rules and messages. @throws {AppError} */
function amountOf(label: string, input: HTMLInputElement): bigint {
  try {
    return parseTokenAmount(label, input.value.trim());
  } catch (err) {
    throw new AppError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Approves `spender` for `amount` when the allowance is short (first of the two wallet prompts). */
export async function approveIfNeeded(wallet: Wallet, spender: string, amount: bigint): Promise<void> {
  const allowance = await wallet.write.token.allowance(wallet.address, spender);
  if (allowance < amount) await send(`Approve ${tokens(amount)}`, () => wallet.write.token.approve(spender, amount));
}

async function stakeCard(context: ScreenContext, wallet: Wallet, now: bigint): Promise<HTMLElement> {
  const { staking, token } = context.chain.read;
  const [staked, locked, free, unbonding, balance] = await Promise.all([
    staking.stakeOf(wallet.address), staking.lockedOf(wallet.address), staking.freeStakeOf(wallet.address), staking.unbondingOf(wallet.address), token.balanceOf(wallet.address),
  ]);
  const amount = h("input", { name: "stake-amount", placeholder: "CWT, e.g. 100", inputmode: "decimal", "aria-label": "amount" });
  const stakeButton = h("button", { type: "button", "data-testid": "stake", onclick: guarded(async () => {
    const value = amountOf("Amount", amount);
    await approveIfNeeded(wallet, context.chain.deployment.contracts.staking, value);
    await send(`Stake ${tokens(value)}`, () => wallet.write.staking.stake(value));
    await context.refresh();
  }, describeError) }, "Stake");
  const unstakeButton = h("button", { type: "button", class: "secondary", onclick: guarded(async () => {
    const value = amountOf("Amount", amount);
    await send(`Request unstake of ${tokens(value)}`, () => wallet.write.staking.requestUnstake(value));
    await context.refresh();
  }, describeError) }, "Request unstake");
  const ready = unbonding.amount > 0n && BigInt(unbonding.releaseAt) <= now;
  const withdraw = h("button", { type: "button", class: "secondary", disabled: !ready, onclick: guarded(async () => {
    await send("Withdraw", () => wallet.write.staking.withdraw());
    await context.refresh();
  }, describeError) }, "Withdraw");
  return card("Your stake",
    facts([
      ["Wallet balance", tokens(balance)],
      ["Staked", h("span", { "data-testid": "staked" }, tokens(staked))],
      ["Locked in rounds", tokens(locked)],
      ["Free", tokens(free)],
      ["Unbonding", unbonding.amount === 0n ? "nothing" : `${tokens(unbonding.amount)}, released ${date(BigInt(unbonding.releaseAt))}`],
    ]),
    h("div", { class: "row" }, amount, stakeButton, unstakeButton, withdraw));
}

function receiptItem(context: ScreenContext, wallet: Wallet, r: BrowserReceipt): HTMLElement {
  const actions: HTMLElement[] = [];
  if (r.claimable && r.reward !== null && r.proof !== null) {
    const { reward, proof } = r;
    actions.push(h("button", { type: "button", "data-testid": "claim", onclick: guarded(async () => {
      await send(`Claim ${tokens(reward)} from round ${r.roundId}`, () => wallet.write.rounds.claim(r.roundId, wallet.address, reward, [...proof]));
      await context.refresh();
    }, describeError) }, `Claim ${tokens(reward)}`));
  }
  if (r.releasable) {
    actions.push(h("button", { type: "button", class: "secondary", "data-testid": "release", onclick: guarded(async () => {
      await send(`Release the round ${r.roundId} lock`, () => wallet.write.rounds.releaseStake(r.roundId, wallet.address));
      await context.refresh();
    }, describeError) }, "Release stake"));
  }
  return h("li", { class: "receipt card", "data-testid": "receipt", "data-round": r.roundId.toString(), "data-outcome": r.outcome },
    h("h3", {}, `Round ${r.roundId}: `, h("span", { "data-testid": "outcome" }, r.outcome)),
    h("p", { "data-testid": "why" }, r.why),
    facts([
      ["Score", r.score === null ? "-" : `${r.score} / 1000000`],
      ["Reward", r.reward === null ? "-" : h("span", { "data-testid": "reward" }, tokens(r.reward))],
      ["Claimed", h("span", { "data-testid": "claimed" }, r.claimed ? "yes" : "no")],
      ["Slashed", r.slashed.length === 0 ? "no" : r.slashed.join(", ")],
      ["Merkle proof", r.proof === null ? "-" : h("ol", { class: "proof" }, ...r.proof.map((p) => h("li", {}, hex(p))))],
      ["Verify", h("code", { class: "hex" }, r.verifyCommand)],
    ]),
    ...actions);
}

/** The contributor screen. */
export const contributorScreen: Screen = {
  id: "contributor",
  title: "Contributor",
  async render(context) {
    const { wallet, chain } = context;
    if (wallet === undefined) return h("div", { class: "screen" }, card("Contributor", h("p", {}, "Connect a wallet to see your stake and your receipts.")));
    const now = await chainNow(chain);
    const count = await chain.read.rounds.roundCount();
    const ids = Array.from({ length: Number(count) }, (_, i) => count - BigInt(i));
    const receipts = (await Promise.all(ids.map((id) => readReceipt(chain, id, wallet.address, now)))).filter((r) => r.outcome !== "not-committed");
    return h("div", { class: "screen" },
      await stakeCard(context, wallet, now),
      card("Your receipts", receipts.length === 0 ? h("p", {}, "You have not committed to any round.") : h("ul", { class: "receipts" }, ...receipts.map((r) => receiptItem(context, wallet, r)))));
  },
};
