import type { CommonweightGovernor } from "../../types/ethers-contracts/governance/CommonweightGovernor.ts";
import type { Contracts } from "../../oracle/chain/contracts.ts";
import { listProposals, type ProposalRecord } from "../../oracle/governance/proposals.ts";
import { TaskInputError } from "./task-error.ts";

export type { ProposalRecord };

import { decodeProposalState, VOTE_SUPPORT as VOTE_SUPPORT_NAMES, type ProposalStateName, type VoteSupportName } from "../../oracle/chain/enums.ts";

export type { ProposalStateName, VoteSupportName };

/** `GovernorCountingSimple` vote types by name (`castVote` support values). */
export const VOTE_SUPPORT = Object.fromEntries(VOTE_SUPPORT_NAMES.map((name, value) => [name, value])) as Readonly<Record<VoteSupportName, number>>;


/** Every proposal created since `fromBlock`, oldest first (oracle/governance/proposals.ts). */
export async function readProposals(governor: CommonweightGovernor, fromBlock: number): Promise<ProposalRecord[]> {
  return listProposals({ governor } as unknown as Contracts, fromBlock);
}

/** @throws {TaskInputError} when no proposal `proposalId` was created since the deployment. */
export async function findProposal(governor: CommonweightGovernor, fromBlock: number, proposalId: bigint): Promise<ProposalRecord> {
  const found = (await readProposals(governor, fromBlock)).find((p) => p.proposalId === proposalId);
  if (found === undefined) throw new TaskInputError(`no proposal ${proposalId} on governor ${await governor.getAddress()} (see \`npx hardhat gov:list\`)`);
  return found;
}

/** The proposal's current state by name. */
export async function proposalState(governor: CommonweightGovernor, proposalId: bigint): Promise<ProposalStateName> {
  const value = await governor.state(proposalId);
  try {
    return decodeProposalState(value);
  } catch (err) {
    throw new TaskInputError(`proposal ${proposalId} has an unknown state ${value}`, { cause: err });
  }
}

/** @throws {TaskInputError} unless `text` is a decimal or 0x-hex uint256. */
export function parseProposalId(text: string | undefined): bigint {
  const value = (text ?? "").trim();
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(value)) throw new TaskInputError(`the proposal id must be a decimal or 0x-hex number (see \`npx hardhat gov:list\`); got '${text ?? ""}'`);
  const proposalId = BigInt(value);
  if (proposalId >= 1n << 256n) throw new TaskInputError(`the proposal id must fit in uint256; got '${value}'`);
  return proposalId;
}

/** @throws {TaskInputError} unless `text` is for, against or abstain. */
export function parseSupport(text: string | undefined): VoteSupportName {
  const value = (text ?? "").trim().toLowerCase();
  if (!Object.hasOwn(VOTE_SUPPORT, value)) throw new TaskInputError(`--support must be one of for, against, abstain; got '${text ?? ""}'`);
  return value as VoteSupportName;
}
