// `cw auditor watch`: every poll, recompute each round whose signed result is still inside its challenge window
// (exactly as `cw verify-round` does) and dispute a mismatch with a bond from the auditor's own key.
import { ZeroHash } from "ethers";

import type { Contracts } from "../chain/contracts.ts";
import type { Deployment } from "../chain/deployment.ts";
import { decodeRoundStatus } from "../chain/enums.ts";
import type { ComputeBackend } from "../compute/types.ts";
import type { Logger } from "../logger.ts";
import type { FetchLimits } from "../storage/fetch-blob.ts";
import { disputeRound } from "./dispute.ts";
import { verifyRound, type VerifyReport } from "./verify-round.ts";

/** What one poll found for one round. */
export type AuditVerdict = { readonly roundId: bigint; readonly verdict: "match" | "disputed" | "mismatch-not-disputed"; readonly digest: string };

/** What {@link auditOnce} needs. */
export interface AuditDeps {
  readonly contracts: Contracts;
  readonly deployment: Deployment;
  readonly backend: ComputeBackend;
  readonly limits: FetchLimits;
  readonly log: Logger;
  /** Result digests already checked, by round (a digest is recomputed once). */
  readonly checked: Map<bigint, string>;
  /** Whether to dispute a mismatch (false: report only). @defaultValue true */
  readonly dispute?: boolean;
}

/** The rounds whose signed result can still be disputed now, with their digests. */
export async function roundsInChallengeWindow(contracts: Contracts): Promise<{ roundId: bigint; digest: string }[]> {
  const { rounds } = contracts;
  const now = BigInt((await rounds.runner?.provider?.getBlock("latest"))?.timestamp ?? 0);
  const count = await rounds.roundCount();
  const open: { roundId: bigint; digest: string }[] = [];
  for (let id = 1n; id <= count; id += 1n) {
    const r = await rounds.round(id);
    const status = decodeRoundStatus(r.status);
    if ((status === "Finalized" || status === "Failed") && r.resultDigest !== ZeroHash && now < r.challengeEnd) {
      if ((await rounds.disputeOf(id)).digest !== r.resultDigest) open.push({ roundId: id, digest: r.resultDigest });
    }
  }
  return open;
}

/** One poll: recompute every round in its window not checked yet; dispute each mismatch. */
export async function auditOnce(deps: AuditDeps): Promise<AuditVerdict[]> {
  const verdicts: AuditVerdict[] = [];
  for (const { roundId, digest } of await roundsInChallengeWindow(deps.contracts)) {
    if (deps.checked.get(roundId) === digest) continue;
    const log = deps.log.child({ roundId: roundId.toString() });
    const report: VerifyReport = await verifyRound({ contracts: deps.contracts, deployment: deps.deployment, roundId, backend: deps.backend, limits: deps.limits });
    if (report.match) {
      deps.checked.set(roundId, digest);
      log.info({ digest }, "round recomputed: matches the chain");
      verdicts.push({ roundId, verdict: "match", digest });
      continue;
    }
    const mismatched = Object.entries(report.fields).filter(([, f]) => !f.match).map(([name]) => name);
    if (deps.dispute === false) {
      deps.checked.set(roundId, digest);
      log.warn({ digest, mismatched }, "round recomputed: MISMATCH (dispute disabled)");
      verdicts.push({ roundId, verdict: "mismatch-not-disputed", digest });
      continue;
    }
    // Marked checked only once disputed: a failed dispute (RPC, nonce, funds) is retried on the next poll.
    const outcome = await disputeRound(deps.contracts, roundId, deps.deployment.deployedAtBlock);
    deps.checked.set(roundId, digest);
    log.warn({ digest, mismatched, txHash: outcome.txHash, bond: outcome.bond.toString() }, "round recomputed: MISMATCH, disputed");
    verdicts.push({ roundId, verdict: "disputed", digest });
  }
  return verdicts;
}
