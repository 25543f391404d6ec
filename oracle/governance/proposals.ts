// Token holders' actions on the DAO: propose a new model policy (bounds-checked by the registry itself), vote,
// queue, execute, list. Each takes contracts connected to the holder.
import { id } from "ethers";

import type { Contracts } from "../chain/contracts.ts";
import { decodeProposalState, encodeEnum, VOTE_SUPPORT, type ProposalStateName, type VoteSupportName } from "../chain/enums.ts";
import { ActionRefusedError } from "../chain/errors.ts";
import type { ChainPolicy } from "../chain/policy-codec.ts";
import { decodeRevert } from "../chain/revert.ts";
import { sendTransaction, type SentTransaction } from "../chain/transactions.ts";
import { formatTokens } from "../chain/units.ts";
import { signerAddress } from "../sponsor/open-round.ts";

/** A proposal as created: everything `queue` and `execute` need, from its `ProposalCreated` event. */
export interface ProposalRecord {
  readonly proposalId: bigint;
  readonly proposer: string;
  readonly targets: string[];
  readonly values: bigint[];
  readonly calldatas: string[];
  readonly description: string;
  readonly descriptionHash: string;
  readonly voteStart: bigint;
  readonly voteEnd: bigint;
}

/** Public RPCs cap `eth_getLogs` ranges; 10k blocks is accepted by the common providers. */
const LOG_RANGE_BLOCKS = 10_000;

/** Every proposal created since `fromBlock`, oldest first. */
export async function listProposals(contracts: Contracts, fromBlock: number): Promise<ProposalRecord[]> {
  const { governor } = contracts;
  const provider = governor.runner?.provider;
  if (provider === null || provider === undefined) throw new ActionRefusedError("the governor has no provider");
  const latest = await provider.getBlockNumber();
  const proposals: ProposalRecord[] = [];
  for (let start = fromBlock; start <= latest; start += LOG_RANGE_BLOCKS) {
    const end = Math.min(start + LOG_RANGE_BLOCKS - 1, latest);
    for (const log of await governor.queryFilter(governor.filters.ProposalCreated(), start, end)) {
      // Positional: the event's `values` field is shadowed by Array.prototype.values on ethers' Result.
      const [proposalId, proposer, targets, values, , calldatas, voteStart, voteEnd, description] = log.args;
      proposals.push({ proposalId, proposer, targets: [...targets], values: [...values], calldatas: [...calldatas], description, descriptionHash: id(description), voteStart, voteEnd });
    }
  }
  return proposals;
}

/** The proposal's state by name. */
export async function proposalStateOf(contracts: Contracts, proposalId: bigint): Promise<ProposalStateName> {
  return decodeProposalState(await contracts.governor.state(proposalId));
}

/**
 * Checks `policy` against the deployed registry's bounds with `checkPolicy` (an eth_call: nothing is sent).
 * @throws {ActionRefusedError} naming the decoded bound error.
 */
export async function checkPolicy(contracts: Contracts, policy: ChainPolicy): Promise<void> {
  try {
    await contracts.policy.checkPolicy(policy);
  } catch (err) {
    const decoded = decodeRevert(err, contracts.policy.interface);
    throw new ActionRefusedError(`the policy registry rejects this policy: ${decoded?.text ?? (err instanceof Error ? err.message : String(err))}`, { cause: err });
  }
}

/** What {@link proposePolicy} did (or, without `send`, would do). */
export interface PolicyProposal {
  readonly proposalId: bigint;
  readonly target: string;
  readonly calldata: string;
  readonly tx: SentTransaction | undefined;
}

/**
 * Proposes `ModelPolicyRegistry.setPolicy(policy)`: checks the bounds, that no identical proposal exists, and the
 * proposer's votes against the threshold, then proposes (unless `send` is false: a dry run).
 * @throws {ActionRefusedError} before anything is sent when a check fails.
 */
export async function proposePolicy(contracts: Contracts, args: { readonly policy: ChainPolicy; readonly description: string; readonly send?: boolean }): Promise<PolicyProposal> {
  const { policy: registry, governor } = contracts;
  await checkPolicy(contracts, args.policy);
  const target = await registry.getAddress();
  const calldata = registry.interface.encodeFunctionData("setPolicy", [args.policy]);
  const proposalId = await governor.hashProposal([target], [0n], [calldata], id(args.description));
  if ((await governor.proposalSnapshot(proposalId)) !== 0n) {
    throw new ActionRefusedError(`proposal ${proposalId} with this exact policy and description already exists; vote on it or change the description`);
  }
  const proposer = await signerAddress(contracts);
  const votes = await governor.getVotes(proposer, (await governor.clock()) - 1n);
  const threshold = await governor.proposalThreshold();
  if (votes < threshold) {
    throw new ActionRefusedError(`${proposer} has ${formatTokens(votes)} of votes; proposing needs ${formatTokens(threshold)} (delegate first: npx hardhat token:delegate)`);
  }
  if (args.send === false) return { proposalId, target, calldata, tx: undefined };
  const tx = await sendTransaction("propose", () => governor.propose([target], [0n], [calldata], args.description));
  return { proposalId, target, calldata, tx };
}

/**
 * Casts the holder's vote on an Active proposal, with a reason when given.
 * @throws {ActionRefusedError} when the proposal is not Active or the holder already voted.
 */
export async function castVote(contracts: Contracts, args: { readonly proposalId: bigint; readonly support: VoteSupportName; readonly reason?: string }): Promise<{ weight: bigint; tx: SentTransaction }> {
  const { governor } = contracts;
  const voter = await signerAddress(contracts);
  const state = await proposalStateOf(contracts, args.proposalId);
  if (state !== "Active") throw new ActionRefusedError(`proposal ${args.proposalId} is ${state}; votes are accepted while it is Active`);
  if (await governor.hasVoted(args.proposalId, voter)) throw new ActionRefusedError(`${voter} already voted on proposal ${args.proposalId}`);
  const weight = await governor.getVotes(voter, await governor.proposalSnapshot(args.proposalId));
  const code = encodeEnum(VOTE_SUPPORT, args.support, "vote support");
  const reason = args.reason ?? "";
  const tx = await sendTransaction(`vote ${args.support}`, () => (reason === "" ? governor.castVote(args.proposalId, code) : governor.castVoteWithReason(args.proposalId, code, reason)));
  return { weight, tx };
}

/** Queues Succeeded proposal `proposal` in the timelock. @throws {ActionRefusedError} in any other state. */
export async function queueProposal(contracts: Contracts, proposal: ProposalRecord): Promise<{ eta: bigint; tx: SentTransaction }> {
  const { governor } = contracts;
  const state = await proposalStateOf(contracts, proposal.proposalId);
  if (state !== "Succeeded") throw new ActionRefusedError(`proposal ${proposal.proposalId} is ${state}; only a Succeeded proposal can be queued`);
  const tx = await sendTransaction("queue", () => governor.queue(proposal.targets, proposal.values, proposal.calldatas, proposal.descriptionHash));
  return { eta: await governor.proposalEta(proposal.proposalId), tx };
}

/** Executes Queued proposal `proposal` once its timelock delay has passed. @throws {ActionRefusedError} otherwise. */
export async function executeProposal(contracts: Contracts, proposal: ProposalRecord): Promise<SentTransaction> {
  const { governor } = contracts;
  const state = await proposalStateOf(contracts, proposal.proposalId);
  if (state !== "Queued") throw new ActionRefusedError(`proposal ${proposal.proposalId} is ${state}; only a Queued proposal can be executed`);
  const eta = await governor.proposalEta(proposal.proposalId);
  const latest = await governor.runner?.provider?.getBlock("latest");
  if (latest && BigInt(latest.timestamp) < eta) {
    throw new ActionRefusedError(`proposal ${proposal.proposalId} is in the timelock until ${new Date(Number(eta) * 1000).toISOString()}`);
  }
  return sendTransaction("execute", () => governor.execute(proposal.targets, proposal.values, proposal.calldatas, proposal.descriptionHash));
}
