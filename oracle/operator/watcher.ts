import type { Cluster, Redis } from "ioredis";

import type { Logger } from "../logger.ts";

/** A block the watcher has fully processed: number and hash, so a reorg below it is detectable. */
export interface BlockCursor {
  readonly number: number;
  readonly hash: string;
}

/** What the watcher reads from the chain. Implemented over ethers in `oracle/chain`. */
export interface WatcherChain {
  /** Latest block number. */
  blockNumber(): Promise<number>;
  /** Hash of block `number` on the current canonical chain, undefined if it does not exist. */
  blockHash(number: number): Promise<string | undefined>;
  /** Round ids of `RoundClosed` events in blocks `[from, to]`, in log order. */
  closedRounds(fromBlock: number, toBlock: number): Promise<bigint[]>;
  /**
   * Rounds the chain says are Closed and not yet attested by this operator (the source of truth),
   * as of block `blockNumber`.
   */
  unattestedClosedRounds(blockNumber: number): Promise<bigint[]>;
}

/** Persists the cursor. Redis is a cache: losing it only means a rescan from `startBlock`. */
export interface CursorStore {
  load(): Promise<BlockCursor | undefined>;
  save(cursor: BlockCursor): Promise<void>;
}

/** Options of {@link RoundWatcher}. */
export interface WatcherOptions {
  readonly chain: WatcherChain;
  readonly cursors: CursorStore;
  /** Idempotent: called again for a round already queued, it must do nothing. */
  readonly enqueue: (roundId: bigint, source: "event" | "reconcile") => Promise<void>;
  readonly log: Logger;
  /** Blocks an event must be buried under before it is acted on. @defaultValue 2 */
  readonly confirmations: number;
  /** Most blocks per `eth_getLogs` request. @defaultValue 2000 */
  readonly maxBlockSpan?: number;
  readonly pollIntervalMs: number;
  /**
   * How often a tick also reconciles from chain state (every Closed round this operator has not
   * attested is handed to `enqueue` again), so a round whose jobs ended without an attestation is
   * re-driven without a restart. @defaultValue 30000
   */
  readonly reconcileIntervalMs?: number;
  /** Clock for the reconcile interval (tests inject one). @defaultValue Date.now */
  readonly now?: () => number;
  /** Called after each tick with the cursor (for metrics). */
  readonly onProgress?: (cursor: BlockCursor) => void;
}

/**
 * Follows `RoundClosed` on confirmed blocks and enqueues each closed round. On start, and whenever
 * the cursor is lost (a wiped Redis) or sits on an orphaned block (a reorg deeper than the
 * confirmations), it reconciles from chain state at the confirmed head: every Closed round this
 * operator has not attested is enqueued, and scanning resumes from there. The cursor is saved only
 * after enqueueing, and enqueueing is idempotent, so a crash at any point leads to re-delivery,
 * never to a lost round. Events of unconfirmed blocks are never acted on.
 */
export class RoundWatcher {
  readonly #options: WatcherOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  #lastReconcileMs = Number.NEGATIVE_INFINITY;

  constructor(options: WatcherOptions) {
    this.#options = options;
  }

  /** Reconciles, then polls every `pollIntervalMs` until {@link stop}. Tick errors are logged and retried. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#resetFromChainState();
    this.#schedule(this.#options.pollIntervalMs);
  }

  /** Stops polling and waits for a running tick to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** One pass: scan confirmed blocks after the cursor, enqueue closed rounds, advance the cursor. */
  async tick(): Promise<BlockCursor | undefined> {
    const { chain, cursors, confirmations, log } = this.#options;
    const head = (await chain.blockNumber()) - confirmations;
    if (head < 0) return undefined;
    const cursor = await cursors.load();
    if (!cursor) return this.#resetFromChainState(head);
    if ((await chain.blockHash(cursor.number)) !== cursor.hash) {
      log.warn({ cursor }, "cursor block is no longer canonical (reorg); reconciling from chain state");
      return this.#resetFromChainState(head);
    }
    let from = cursor.number + 1;
    const span = this.#options.maxBlockSpan ?? 2_000;
    let last = cursor;
    while (from <= head) {
      const to = Math.min(head, from + span - 1);
      const hash = await chain.blockHash(to);
      if (hash === undefined) break;
      for (const roundId of await chain.closedRounds(from, to)) await this.#options.enqueue(roundId, "event");
      last = { number: to, hash };
      await cursors.save(last);
      from = to + 1;
    }
    if (this.#now() - this.#lastReconcileMs >= (this.#options.reconcileIntervalMs ?? 30_000)) await this.#reconcile(head);
    this.#options.onProgress?.(last);
    return last;
  }

  /** Hands every round the chain says needs this operator (as of `head`) to `enqueue`. */
  async #reconcile(head: number): Promise<void> {
    this.#lastReconcileMs = this.#now();
    const pending = await this.#options.chain.unattestedClosedRounds(head);
    for (const roundId of pending) await this.#options.enqueue(roundId, "reconcile");
    if (pending.length > 0) this.#options.log.info({ block: head, rounds: pending.map(String) }, "reconciled from chain state");
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  /** Enqueues every round the chain says needs this operator, and puts the cursor at `head`. */
  async #resetFromChainState(confirmedHead?: number): Promise<BlockCursor | undefined> {
    const { chain, cursors, log } = this.#options;
    const head = confirmedHead ?? (await chain.blockNumber()) - this.#options.confirmations;
    if (head < 0) return undefined;
    const hash = await chain.blockHash(head);
    if (hash === undefined) return undefined;
    await this.#reconcile(head);
    log.info({ block: head }, "cursor reset from chain state");
    const cursor = { number: head, hash };
    await cursors.save(cursor);
    this.#options.onProgress?.(cursor);
    return cursor;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.tick()
        .then(() => undefined)
        .catch((err: unknown) => this.#options.log.error({ err }, "watcher tick failed; retrying"))
        .finally(() => this.#schedule(this.#options.pollIntervalMs));
    }, delayMs);
  }
}

/** A {@link CursorStore} in one Redis hash. */
export class RedisCursorStore implements CursorStore {
  readonly #redis: Redis | Cluster;
  readonly #key: string;

  /** @param key e.g. `{cw}:watcher:<chainId>:<roundsAddress>:<operator>` */
  constructor(redis: Redis | Cluster, key: string) {
    this.#redis = redis;
    this.#key = key;
  }

  async load(): Promise<BlockCursor | undefined> {
    const stored = await this.#redis.hgetall(this.#key);
    if (stored.number === undefined || stored.hash === undefined) return undefined;
    return { number: Number(stored.number), hash: stored.hash };
  }

  async save(cursor: BlockCursor): Promise<void> {
    await this.#redis.hset(this.#key, { number: String(cursor.number), hash: cursor.hash });
  }
}
