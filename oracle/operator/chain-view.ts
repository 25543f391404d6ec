import { ZeroHash } from "ethers";

import { withRetry } from "../chain/retry.ts";
import { decodeRoundStatus } from "../chain/enums.ts";
import type { OperatorRuntime } from "./runtime.ts";
import type { WatcherChain } from "./watcher.ts";

/**
 * The watcher's view of the chain over ethers, every read retried on transient RPC failures.
 * Reconciliation walks the rounds by id (`1..roundCount`), which is the chain's own record; an
 * indexer can replace it when round counts grow large. Rounds past their attestation deadline are
 * left out: no attestation can land any more, and `markFailed` is for the keeper.
 */
export function watcherChain(runtime: Pick<OperatorRuntime, "provider" | "contracts" | "log">, operator: string): WatcherChain {
  const { provider, contracts, log } = runtime;
  const retry = <T>(what: string, run: () => Promise<T>): Promise<T> => withRetry(run, { log, what });
  return {
    blockNumber: () => retry("eth_blockNumber", () => provider.getBlockNumber()),
    blockHash: async (number) => (await retry("eth_getBlockByNumber", () => provider.getBlock(number)))?.hash ?? undefined,
    closedRounds: async (fromBlock, toBlock) => {
      const logs = await retry("eth_getLogs RoundClosed", () => contracts.rounds.queryFilter(contracts.rounds.filters.RoundClosed(), fromBlock, toBlock));
      return logs.map((l) => l.args.roundId);
    },
    unattestedClosedRounds: async (blockNumber) => {
      const block = await retry("eth_getBlockByNumber", () => provider.getBlock(blockNumber));
      const nowSeconds = BigInt(block?.timestamp ?? 0);
      const count = await retry("roundCount", () => contracts.rounds.roundCount({ blockTag: blockNumber }));
      const pending: bigint[] = [];
      for (let id = 1n; id <= count; id += 1n) {
        const round = await retry("round", () => contracts.rounds.round(id, { blockTag: blockNumber }));
        if (decodeRoundStatus(round.status) !== "Closed" || nowSeconds > round.attestDeadline) continue;
        const attested = await retry("attestationOf", () => contracts.rounds.attestationOf(id, operator, { blockTag: blockNumber }));
        if (attested === ZeroHash) pending.push(id);
      }
      return pending;
    },
  };
}

/**
 * Whether round `roundId` still needs this operator's attestation at the latest block: Closed, and
 * nothing attested by `operator`. The reconciler asks before it re-drives a round whose jobs finished.
 */
export function needsAttestationAtLatest(runtime: Pick<OperatorRuntime, "contracts" | "log">, operator: string): (roundId: bigint) => Promise<boolean> {
  const { contracts, log } = runtime;
  return async (roundId) => {
    const round = await withRetry(() => contracts.rounds.round(roundId), { log, what: "round" });
    if (decodeRoundStatus(round.status) !== "Closed") return false;
    return (await withRetry(() => contracts.rounds.attestationOf(roundId, operator), { log, what: "attestationOf" })) === ZeroHash;
  };
}
