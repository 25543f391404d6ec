import { id } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { verifyRound } from "../../../oracle/auditor/verify-round.ts";
import { decodeRoundStatus } from "../../../oracle/chain/enums.ts";
import { createBackend } from "../../../oracle/compute/backends.ts";
import { openTaskContext, type CommonTaskArgs } from "../task-context.ts";
import { TaskInputError } from "../task-error.ts";
import { formatTokenAmount } from "../token-amount.ts";
import { sendTransaction } from "../transactions.ts";

/** Options of `gov:propose-resolution`. */
export type ProposeResolutionArgs = CommonTaskArgs & { readonly roundId: string; readonly backend: string; readonly dryRun: boolean };

/** What was (or, with `--dry-run`, would be) proposed. */
export interface ProposeResolutionResult {
  readonly proposalId: bigint;
  readonly upheld: boolean;
  readonly description: string;
  readonly sent: boolean;
}

/** Default fetch limits of the recomputation (the auditor defaults). */
const FETCH_LIMITS = { maxBytes: 256 * 1024 * 1024, timeoutMs: 30_000 };

/**
 * Recomputes a disputed round exactly as `cw verify-round` does and proposes `Rounds.resolveDispute(round, upheld)`
 * (executed by the timelock): upheld when the recomputation differs from the disputed result. The proposal's
 * description carries the recomputation summary, so voters see what was compared and can rerun it.
 */
export default async function proposeResolution(args: ProposeResolutionArgs, hre: HardhatRuntimeEnvironment): Promise<ProposeResolutionResult> {
  if (!/^[1-9][0-9]{0,76}$/.test(args.roundId)) throw new TaskInputError(`round id must be a positive integer, got ${JSON.stringify(args.roundId)}`);
  const roundId = BigInt(args.roundId);
  const { contracts, deployment, signer } = await openTaskContext(hre, args);
  const { rounds, governor } = contracts;
  const status = decodeRoundStatus((await rounds.round(roundId)).status);
  if (status !== "Disputed") throw new TaskInputError(`round ${roundId} is ${status ?? "unknown"}, not Disputed: nothing to resolve`);
  const dispute = await rounds.disputeOf(roundId);
  const backend = await createBackend(args.backend);
  let report;
  try {
    report = await verifyRound({ contracts, deployment, roundId, backend, limits: FETCH_LIMITS });
  } finally {
    await backend.dispose();
  }
  // The round is Disputed, so verifyRound compares the disputed digest (still on the round) with the recomputation.
  const upheld = !report.fields.resultDigest?.match;
  const lines = Object.entries(report.fields).map(([name, f]) => `- ${name}: chain ${f.onChain}, recomputed ${f.recomputed} (${f.match ? "match" : "MISMATCH"})`);
  const description = [
    `Resolve the dispute of round ${roundId}: ${upheld ? "UPHOLD (the signed result is wrong)" : "REJECT (the signed result is right)"}`,
    "",
    `Disputed digest ${dispute.digest} by ${dispute.challenger}, bond ${formatTokenAmount(dispute.bond)} CWT; signers ${dispute.signers.join(", ")}.`,
    `Recomputation (cw verify-round ${roundId}, backend ${args.backend}):`,
    ...lines,
    `Check it yourself: npx cw verify-round ${roundId} --rpc-url <your node> --deployment <manifest>`,
  ].join("\n");
  const target = await rounds.getAddress();
  const calldata = rounds.interface.encodeFunctionData("resolveDispute", [roundId, upheld]);
  const proposalId = await governor.hashProposal([target], [0n], [calldata], id(description));
  console.log(description);
  if (args.dryRun) {
    console.log(`dry run: nothing sent; the proposal id would be ${proposalId}`);
    return { proposalId, upheld, description, sent: false };
  }
  const votes = await governor.getVotes(signer.address, (await governor.clock()) - 1n);
  const threshold = await governor.proposalThreshold();
  if (votes < threshold) {
    throw new TaskInputError(`${signer.address} has ${formatTokenAmount(votes)} of votes; proposing needs ${formatTokenAmount(threshold)} (delegate first: npx hardhat token:delegate)`);
  }
  await sendTransaction("propose", () => governor.propose([target], [0n], [calldata], description));
  console.log(`proposal ${proposalId}`);
  return { proposalId, upheld, description, sent: true };
}
