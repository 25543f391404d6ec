// Event reads in block ranges that public RPCs accept, from the deployment's first block.
import type { Chain } from "./chain.ts";

/** Public RPCs cap `eth_getLogs` ranges; 10k blocks is accepted by the common providers (as in the tasks). */
const LOG_RANGE_BLOCKS = 10_000;

/**
 * Every event `read(fromBlock, toBlock)` returns since the deployment, oldest first, read in accepted block ranges.
 * Pass `(from, to) => contract.queryFilter(filter, from, to)` so the events keep their TypeChain types.
 */
export async function queryAll<E>(chain: Chain, read: (fromBlock: number, toBlock: number) => Promise<E[]>): Promise<E[]> {
  const latest = await chain.reader.getBlockNumber();
  const events: E[] = [];
  for (let start = chain.deployment.deployedAtBlock; start <= latest; start += LOG_RANGE_BLOCKS) {
    events.push(...(await read(start, Math.min(start + LOG_RANGE_BLOCKS - 1, latest))));
  }
  return events;
}
