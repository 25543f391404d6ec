import { UnrecoverableError } from "bullmq";
import { ZeroHash, type ContractTransactionResponse, type TransactionReceipt, type TypedDataDomain, type Wallet } from "ethers";

import type { Contracts } from "../chain/contracts.ts";
import { decodeRoundStatus } from "../chain/enums.ts";
import { decodeRevert } from "../chain/revert.ts";
import { EquivocationRefusedError, InvariantError, SubmissionRevertedError, SubmissionStuckError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { roundResultDigest, signAttestation } from "../protocol/signed-result.ts";
import type { BlobStore } from "../storage/blob-store.ts";
import { getResultPackage } from "../storage/result-package-store.ts";
import type { SubmitJobData } from "./jobs/payloads.ts";
import type { SigningGuard } from "./signing-guard.ts";

/** What the submitter needs: the operator's wallet and contracts connected to it. */
export interface SubmitDeps {
  readonly wallet: Wallet;
  readonly contracts: Contracts;
  readonly domain: TypedDataDomain;
  readonly store: BlobStore;
  readonly guard: SigningGuard;
  readonly log: Logger;
  /** How long to wait for a receipt before re-sending with a higher fee. @defaultValue 60000 */
  readonly receiptTimeoutMs?: number;
  /** Fee bumps before giving up (the job is retried later). @defaultValue 3 */
  readonly maxFeeBumps?: number;
}

/** How a submission ended. Every outcome but a thrown error is final. */
export type SubmitOutcome = {
  readonly outcome: "attested" | "already-attested" | "already-settled";
  readonly digest: string;
  readonly finalized?: boolean;
  readonly txHash?: string;
};

/**
 * Gas limit floor of an attestation: the finalizing one measured 290k with k = 3 (`npm run bench --
 * gas`); unused gas is not charged, so the floor only prevents out-of-gas when a concurrent
 * attestation makes this one the finalizing one.
 */
const ATTEST_GAS_FLOOR = 500_000n;

/** Round errors that mean the chain already has what this submission wanted. */
const SETTLED_ERRORS = new Set(["RoundsAlreadyAttested", "RoundsUnexpectedStatus"]);

/**
 * Signs the round's result and sends the attestation. Idempotent: it reads the chain first (already
 * settled or already attested by this operator is success), never signs two different digests for
 * one round (the local {@link SigningGuard}), takes the nonce from the pending count, and re-sends
 * a stuck transaction with the same nonce and a higher fee.
 */
export async function processSubmit(data: SubmitJobData, deps: SubmitDeps): Promise<SubmitOutcome> {
  const pkg = await getResultPackage(deps.store, data.package);
  const { rounds } = deps.contracts;
  const roundId = BigInt(data.roundId);
  const log = deps.log.child({ roundId: data.roundId });
  const digest = roundResultDigest(deps.domain, pkg.attested);
  const operator = await deps.wallet.getAddress();

  const status = decodeRoundStatus((await rounds.round(roundId)).status);
  if (status === "Finalized" || status === "Failed" || status === "Disputed") return { outcome: "already-settled", digest };
  const existing = await rounds.attestationOf(roundId, operator);
  if (existing === digest) return { outcome: "already-attested", digest };
  if (existing !== ZeroHash) {
    throw permanent(new EquivocationRefusedError(`round ${roundId}: this operator already attested ${existing}, now computed ${digest}; not signing`));
  }
  try {
    await deps.guard.claim(`${data.chainId}-${deps.contracts.rounds.target as string}-${data.roundId}`.toLowerCase(), digest);
  } catch (err) {
    if (err instanceof EquivocationRefusedError) throw permanent(err);
    throw err;
  }
  // The signature covers the model URI too, so the finalizing attestation's URI is this operator's own.
  const signature = await signAttestation(deps.wallet, deps.domain, pkg.attested, pkg.modelUri);
  const attested = { ...pkg.attested };
  try {
    const receipt = await sendWithFeeBumps(deps, () => rounds.attest.populateTransaction(attested, signature, pkg.modelUri), log);
    const finalized = receipt.logs.some((l) => rounds.interface.parseLog(l)?.name === "RoundFinalized" || rounds.interface.parseLog(l)?.name === "RoundFailed");
    log.info({ digest, txHash: receipt.hash, finalized }, "attestation mined");
    return { outcome: "attested", digest, finalized, txHash: receipt.hash };
  } catch (err) {
    const decoded = decodeRevert(err, deps.contracts.rounds.interface);
    const name = decoded?.name;
    if (name && SETTLED_ERRORS.has(name)) {
      log.info({ digest, revert: name }, "chain already has this round's result");
      return { outcome: name === "RoundsAlreadyAttested" ? "already-attested" : "already-settled", digest };
    }
    if (name) throw permanent(new SubmissionRevertedError(`round ${roundId}: attest reverted with ${name}`, { errorName: name, errorArgs: decoded?.args ?? [], cause: err }));
    throw err;
  }
}

async function sendWithFeeBumps(
  deps: SubmitDeps,
  populate: () => Promise<{ to?: string | null; data?: string }>,
  log: Logger,
): Promise<TransactionReceipt> {
  const provider = deps.wallet.provider;
  if (!provider) throw new InvariantError("the operator wallet has no provider");
  const request = await populate();
  // Any attestation may turn out to be the one that finalizes (others attest concurrently), which
  // costs far more than the estimate made while it was not: never send less than the floor.
  const estimate = await deps.wallet.estimateGas(request);
  const gasLimit = estimate * 5n / 4n > ATTEST_GAS_FLOOR ? (estimate * 5n) / 4n : ATTEST_GAS_FLOOR;
  const nonce = await provider.getTransactionCount(await deps.wallet.getAddress(), "pending");
  const fees = await provider.getFeeData();
  let maxFeePerGas = fees.maxFeePerGas ?? undefined;
  let maxPriorityFeePerGas = fees.maxPriorityFeePerGas ?? undefined;
  let gasPrice = maxFeePerGas === undefined ? (fees.gasPrice ?? undefined) : undefined;
  const sent: ContractTransactionResponse[] = [];
  for (let bump = 0; ; bump += 1) {
    const tx = (await deps.wallet.sendTransaction({ ...request, nonce, gasLimit, maxFeePerGas, maxPriorityFeePerGas, gasPrice })) as ContractTransactionResponse;
    sent.push(tx);
    const receipt = await waitAny(sent, deps.receiptTimeoutMs ?? 60_000);
    if (receipt) {
      if (receipt.status !== 1) throw new SubmissionRevertedError(`attestation ${receipt.hash} reverted`);
      return receipt;
    }
    if (bump >= (deps.maxFeeBumps ?? 3)) throw new SubmissionStuckError(`attestation with nonce ${nonce} not mined after ${bump} fee bumps`);
    // Replacement needs at least +10% on both fees; +25% moves it ahead of a congested pool.
    const raise = (v: bigint | undefined): bigint | undefined => (v === undefined ? undefined : (v * 125n) / 100n + 1n);
    maxFeePerGas = raise(maxFeePerGas);
    maxPriorityFeePerGas = raise(maxPriorityFeePerGas);
    gasPrice = raise(gasPrice);
    log.warn({ nonce, bump: bump + 1, txHash: tx.hash }, "attestation stuck; re-sending with a higher fee");
  }
}

/** The first receipt of any of the (same-nonce) transactions within `timeoutMs`, else undefined. */
async function waitAny(sent: readonly ContractTransactionResponse[], timeoutMs: number): Promise<TransactionReceipt | undefined> {
  const latest = sent.at(-1);
  if (!latest) return undefined;
  try {
    const receipt = await latest.wait(1, timeoutMs);
    return receipt ?? undefined;
  } catch (err) {
    if (typeof err === "object" && err !== null && "code" in err && err.code === "TIMEOUT") {
      for (const tx of sent) {
        const receipt = await tx.provider.getTransactionReceipt(tx.hash);
        if (receipt) return receipt;
      }
      return undefined;
    }
    if (typeof err === "object" && err !== null && "code" in err && err.code === "TRANSACTION_REPLACED" && "receipt" in err) {
      return err.receipt as TransactionReceipt;
    }
    throw err;
  }
}

/** A typed error as BullMQ's "do not retry" error, keeping the typed one as its cause. */
function permanent(err: Error): UnrecoverableError {
  const wrapped = new UnrecoverableError(`${err.name}: ${err.message}`);
  wrapped.cause = err;
  return wrapped;
}
