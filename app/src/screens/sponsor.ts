// Sponsor: open a training round with a budget in CWT (approve, then open), with the split the current policy gives.
import { parseTokenAmount } from "../../../scripts/tasks/token-amount.ts";
import { AppError } from "../app-error.ts";
import { card, facts, h } from "../dom.ts";
import { tokens } from "../format.ts";
import type { Screen } from "../screen.ts";
import { guarded } from "../status.ts";
import { describeError, send } from "../transactions.ts";
import { approveIfNeeded } from "./contributor.ts";

const BPS_DENOMINATOR = 10_000n;

/** The sponsor screen. */
export const sponsorScreen: Screen = {
  id: "sponsor",
  title: "Sponsor",
  async render(context) {
    const { chain, wallet } = context;
    const policy = await chain.read.policy.currentPolicy();
    const version = await chain.read.policy.currentVersion();
    const budget = h("input", { name: "budget", placeholder: "budget in CWT, e.g. 1000", inputmode: "decimal", "aria-label": "budget" });
    const split = h("p", { class: "hint", "data-testid": "split" }, `Policy v${version}: contributors ${Number(policy.contributorsBps) / 100}%, operators ${Number(policy.operatorsBps) / 100}%, treasury ${Number(policy.treasuryBps) / 100}%.`);
    const opened = h("p", { "data-testid": "opened", hidden: true });
    const open = h("button", { type: "button", "data-testid": "open-round", onclick: guarded(async () => {
      if (wallet === undefined) throw new AppError("Connect a wallet to open a round.");
      let amount: bigint;
      try {
        amount = parseTokenAmount("Budget", budget.value.trim());
      } catch (err) {
        throw new AppError(err instanceof Error ? err.message : String(err), { cause: err });
      }
      const balance = await chain.read.token.balanceOf(wallet.address);
      if (balance < amount) throw new AppError(`You hold ${tokens(balance)}, less than the budget ${tokens(amount)}.`);
      await approveIfNeeded(wallet, chain.deployment.contracts.rounds, amount);
      const receipt = await send(`Open a round with ${tokens(amount)}`, () => wallet.write.rounds.open(chain.deployment.contracts.token, amount));
      const event = receipt.logs.map((log) => chain.read.rounds.interface.parseLog(log)).find((e) => e?.name === "RoundOpened");
      opened.textContent = event === undefined || event === null ? "Opened." : `Round ${event.args.roundId} is open: contributors get ${tokens(event.args.rewardPool as bigint)}.`;
      opened.hidden = false;
    }, describeError) }, "Approve and open");
    const preview = h("div", {});
    budget.addEventListener("input", () => {
      try {
        const amount = parseTokenAmount("Budget", budget.value.trim());
        const share = (bps: bigint) => (amount * bps) / BPS_DENOMINATOR;
        preview.replaceChildren(facts([["Contributors", tokens(share(policy.contributorsBps))], ["Operators", tokens(share(policy.operatorsBps))], ["Treasury (and dust)", tokens(amount - share(policy.contributorsBps) - share(policy.operatorsBps))]]));
      } catch {
        // An unfinished amount (e.g. "10.") has no preview yet; the button reports the exact problem.
        preview.replaceChildren();
      }
    });
    return h("div", { class: "screen" },
      card("Open a round", split, h("div", { class: "row" }, budget, open), preview, opened,
        h("p", { class: "hint" }, "Your wallet asks twice: approve the rounds contract for the budget, then open the round, which escrows it.")));
  },
};
