import { expect } from "chai";

import { RoundWatcher, type BlockCursor, type CursorStore, type WatcherChain } from "../../../oracle/operator/watcher.ts";
import { SILENT } from "./round-harness.ts";

/** A chain in memory: blocks with hashes, RoundClosed events by block, and the rounds still needing this operator. */
class MemoryChain implements WatcherChain {
  hashes: string[] = [];
  closedAt = new Map<number, bigint[]>();
  unattested: bigint[] = [];

  mine(count: number, fork = "a"): void {
    for (let i = 0; i < count; i += 1) this.hashes.push(`0x${fork}${this.hashes.length}`);
  }

  async blockNumber(): Promise<number> {
    return this.hashes.length - 1;
  }

  async blockHash(number: number): Promise<string | undefined> {
    return this.hashes[number];
  }

  async closedRounds(fromBlock: number, toBlock: number): Promise<bigint[]> {
    const out: bigint[] = [];
    for (let b = fromBlock; b <= toBlock; b += 1) out.push(...(this.closedAt.get(b) ?? []));
    return out;
  }

  async unattestedClosedRounds(): Promise<bigint[]> {
    return [...this.unattested];
  }
}

class MemoryCursor implements CursorStore {
  cursor: BlockCursor | undefined;

  async load(): Promise<BlockCursor | undefined> {
    return this.cursor;
  }

  async save(cursor: BlockCursor): Promise<void> {
    this.cursor = cursor;
  }
}

function watcher(chain: MemoryChain, cursors: MemoryCursor, clock: { ms: number }) {
  const enqueued: [bigint, string][] = [];
  const w = new RoundWatcher({
    chain,
    cursors,
    enqueue: async (roundId, source) => void enqueued.push([roundId, source]),
    log: SILENT,
    confirmations: 2,
    pollIntervalMs: 1_000,
    reconcileIntervalMs: 10_000,
    now: () => clock.ms,
  });
  return { w, enqueued };
}

describe("operator: the chain watcher (in-memory chain and cursor)", function () {
  it("acts only on confirmed blocks", async function () {
    const chain = new MemoryChain();
    chain.mine(5);
    const cursors = new MemoryCursor();
    cursors.cursor = { number: 2, hash: "0xa2" };
    chain.closedAt.set(4, [7n]);
    const { w, enqueued } = watcher(chain, cursors, { ms: 0 });

    await w.tick();

    expect(enqueued.filter(([, s]) => s === "event")).to.deep.equal([]);
    expect(cursors.cursor).to.deep.equal({ number: 2, hash: "0xa2" });
  });

  it("enqueues a RoundClosed once it is confirmed and advances the cursor past it", async function () {
    const chain = new MemoryChain();
    chain.mine(7);
    const cursors = new MemoryCursor();
    cursors.cursor = { number: 2, hash: "0xa2" };
    chain.closedAt.set(4, [7n]);
    const { w, enqueued } = watcher(chain, cursors, { ms: 0 });

    await w.tick();

    expect(enqueued.filter(([, s]) => s === "event")).to.deep.equal([[7n, "event"]]);
    expect(cursors.cursor).to.deep.equal({ number: 4, hash: "0xa4" });
  });

  it("reconciles from chain state when the cursor's block was reorged away", async function () {
    const chain = new MemoryChain();
    chain.mine(3);
    chain.mine(5, "b");
    const cursors = new MemoryCursor();
    cursors.cursor = { number: 4, hash: "0xa4" };
    chain.unattested = [3n];
    const { w, enqueued } = watcher(chain, cursors, { ms: 0 });

    await w.tick();

    expect(enqueued).to.deep.equal([[3n, "reconcile"]]);
    expect(cursors.cursor).to.deep.equal({ number: 5, hash: "0xb5" });
  });

  it("re-delivers an event after a crash before the cursor was saved (enqueueing is idempotent)", async function () {
    const chain = new MemoryChain();
    chain.mine(7);
    chain.closedAt.set(4, [7n]);
    const cursors = new MemoryCursor();
    cursors.cursor = { number: 2, hash: "0xa2" };
    const first = watcher(chain, cursors, { ms: 0 });
    await first.w.tick();
    cursors.cursor = { number: 2, hash: "0xa2" };
    const second = watcher(chain, cursors, { ms: 0 });

    await second.w.tick();

    expect(second.enqueued.filter(([, s]) => s === "event")).to.deep.equal([[7n, "event"]]);
  });

  it("re-hands every unattested Closed round to the enqueuer each reconcile interval, without a restart", async function () {
    const chain = new MemoryChain();
    chain.mine(7);
    const cursors = new MemoryCursor();
    cursors.cursor = { number: 4, hash: "0xa4" };
    chain.unattested = [3n];
    const clock = { ms: 0 };
    const { w, enqueued } = watcher(chain, cursors, clock);
    await w.tick();
    clock.ms = 5_000;
    await w.tick();
    clock.ms = 10_000;

    await w.tick();

    expect(enqueued).to.deep.equal([[3n, "reconcile"], [3n, "reconcile"]]);
  });
});
