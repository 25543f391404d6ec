// The Commonweight Hardhat tasks: deployment, staking, rounds and governance as one command each. Definitions only
// (names, descriptions, options); each action lives in ./actions and is loaded lazily when its task runs, so loading
// the config stays cheap. Every task acts on the network given by `--network` (the in-process network by default)
// and finds the contracts through that network's manifest, deployments/<network>.json (`--deployment` overrides).
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { NewTaskDefinitionBuilder, TaskArguments, TaskDefinition } from "hardhat/types/tasks";

import { POLICY_FIELDS, type PolicyFieldSpec } from "./policy-flags.ts";

/** Adds `--deployment` and `--from`, which every task that reads the manifest accepts. */
function common<T extends TaskArguments>(builder: NewTaskDefinitionBuilder<T>) {
  return builder
    .addOption({ name: "deployment", description: "Deployment manifest (default: deployments/<network>.json)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
    .addOption({ name: "from", description: "Sending account: an index into the network's accounts or an address (default: the first)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined });
}

const deploy = task("deploy", "Deploy Commonweight with Ignition, print the addresses and write the manifest cw reads")
  .addOption({ name: "parameters", description: "Ignition parameters JSON file, e.g. { \"Commonweight\": { \"votingPeriodSeconds\": 600 } }", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "deployment", description: "Where to write the manifest (default: deployments/<network>.json)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "deploymentId", description: "Ignition deployment id, the journal folder under ignition/deployments (default: chain-<chainId>)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addFlag({ name: "reset", description: "Delete the Ignition journal first (after restarting a local node)" })
  .addOption({ name: "genesisModel", description: "Your own genesis model file (default: the contributor model's seeded initial weights)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "genesisUri", description: "Where contributors fetch the genesis model (default: its file:// URI in --store); its bytes must hash to the model", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "genesisSeed", description: "Seed of the default genesis model (default: genesis)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "store", description: "Your blob store, where the genesis model is published (default: .cw/store)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .setAction(() => import("./actions/deploy.ts"))
  .build();

const delegate = common(task("token:delegate", "Delegate your CWT votes (to yourself by default); staked CWT follows the same delegate"))
  .addOption({ name: "to", description: "Delegatee address (default: the sender)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .setAction(() => import("./actions/token-delegate.ts"))
  .build();

const transfer = common(task("token:transfer", "Send CWT from the sender to an address"))
  .addOption({ name: "to", description: "Recipient address", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "amount", description: "CWT to send, e.g. 1000 or 0.5", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .setAction(() => import("./actions/token-transfer.ts"))
  .build();

const faucet = common(task("token:faucet", "Local chains only: send CWT from the DAO treasury (and gas money) to any address"))
  .addOption({ name: "to", description: "Recipient address", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "amount", description: "CWT to send (default: 100000)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .setAction(() => import("./actions/token-faucet.ts"))
  .build();

const stake = common(task("stake", "Stake CWT (approves the staking contract first); staked CWT keeps its votes"))
  .addOption({ name: "amount", description: "CWT to stake, e.g. 10000 or 0.5", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .setAction(() => import("./actions/stake.ts"))
  .build();

const registerOperator = common(task("operator:register", "Register the sender as an oracle operator (locks the policy's minOperatorStake of free stake)"))
  .setAction(() => import("./actions/operator-register.ts"))
  .build();

const openRound = common(task("round:open", "Open a training round: approve the budget, escrow it, snapshot the current policy"))
  .addOption({ name: "budget", description: "Reward budget in token units, e.g. 1000", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "token", description: "Reward token address (default: CWT)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .setAction(() => import("./actions/round-open.ts"))
  .build();

const roundStatus = common(task("round:status", "Show a round: status and phase, windows as dates, counts, budget and result"))
  .addPositionalArgument({ name: "roundId", description: "Round id (default: the latest round)", defaultValue: "" })
  .setAction(() => import("./actions/round-status.ts"))
  .build();

const proposePolicyBuilder = common(task("gov:propose-policy", "Propose a model policy change; unset flags keep the current value; checked against the registry's bounds before sending"))
  .addOption({ name: "description", description: "Proposal description (default: a summary of the changes)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addFlag({ name: "dryRun", description: "Validate and print the proposal (target, calldata, id) without sending it" });
for (const field of POLICY_FIELDS as readonly PolicyFieldSpec[]) {
  const accepted = field.type.kind === "enum" ? ` (${field.type.names.join(" | ")})` : "";
  proposePolicyBuilder.addOption({ name: field.option ?? field.name, description: `${field.help}${accepted}; default: current`, type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined });
}
const proposePolicy = proposePolicyBuilder.setAction(() => import("./actions/gov-propose-policy.ts")).build();

const proposeResolution = common(task("gov:propose-resolution", "Recompute a disputed round (as cw verify-round) and propose resolveDispute: upheld when it differs; the summary is the description"))
  .addPositionalArgument({ name: "roundId", description: "The disputed round" })
  .addOption({ name: "backend", description: "Compute backend: cpu, tfjs or auto", type: ArgumentType.STRING, defaultValue: "cpu" })
  .addFlag({ name: "dryRun", description: "Recompute and print the proposal without sending it" })
  .setAction(() => import("./actions/gov-propose-resolution.ts"))
  .build();

const vote = common(task("gov:vote", "Vote on an active proposal with your token and stake votes at its snapshot"))
  .addPositionalArgument({ name: "proposalId", description: "Proposal id (see gov:list)" })
  .addOption({ name: "support", description: "for | against | abstain", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .addOption({ name: "reason", description: "Reason recorded on chain with the vote (optional)", type: ArgumentType.STRING_WITHOUT_DEFAULT, defaultValue: undefined })
  .setAction(() => import("./actions/gov-vote.ts"))
  .build();

const queue = common(task("gov:queue", "Queue a succeeded proposal in the timelock"))
  .addPositionalArgument({ name: "proposalId", description: "Proposal id (see gov:list)" })
  .setAction(() => import("./actions/gov-queue.ts"))
  .build();

const execute = common(task("gov:execute", "Execute a queued proposal after the timelock delay"))
  .addPositionalArgument({ name: "proposalId", description: "Proposal id (see gov:list)" })
  .setAction(() => import("./actions/gov-execute.ts"))
  .build();

const list = common(task("gov:list", "List proposals with their states, voting windows and ETA as dates, and tallies"))
  .setAction(() => import("./actions/gov-list.ts"))
  .build();

const showPolicy = common(task("policy:show", "Show the current model policy and every earlier version with its changes"))
  .setAction(() => import("./actions/policy-show.ts"))
  .build();

const advanceTime = task("time:advance", "Local chains only (in-process or npx hardhat node): move the clock forward and mine a block")
  .addPositionalArgument({ name: "duration", description: "Seconds, or 90s, 15m, 2h, 7d" })
  .setAction(() => import("./actions/time-advance.ts"))
  .build();

/** Every Commonweight task, for `tasks` in hardhat.config.ts. */
export const commonweightTasks: TaskDefinition[] = [
  deploy, delegate, transfer, faucet, stake, registerOperator, openRound, roundStatus, proposePolicy, proposeResolution, vote, queue, execute, list, showPolicy, advanceTime,
];
