import { ZeroHash } from "ethers";

import { withRetry } from "../chain/retry.ts";
import { decodeRoundStatus } from "../chain/enums.ts";
import type { OperatorRuntime } from "./runtime.ts";
import type { WatcherChain } from "./watcher.ts";

/**
 * The watcher's view of the chain over ethers, every read retried on transient RPC failures.
 * Reconciliation walks the rounds by id (`1..roundCount`), which is the chain's own record; an
 * indexer can replace it when round counts grow large.
 */
export function watcherChain(runtime: OperatorRuntime, operator: string): WatcherChain {
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
      const count = await retry("roundCount", () => contracts.rounds.roundCount({ blockTag: blockNumber }));
      const pending: bigint[] = [];
      for (let id = 1n; id <= count; id += 1n) {
        const round = await retry("round", () => contracts.rounds.round(id, { blockTag: blockNumber }));
        if (decodeRoundStatus(round.status) !== "Closed") continue;
        const attested = await retry("attestationOf", () => contracts.rounds.attestationOf(id, operator, { blockTag: blockNumber }));
        if (attested === ZeroHash) pending.push(id);
      }
      return pending;
    },
  };
}
