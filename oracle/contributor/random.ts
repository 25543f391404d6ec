import { createCipheriv, createHash } from "node:crypto";

import { InvalidInputError } from "../errors.ts";

/** Bytes of keystream fetched per refill; large enough that the cipher call cost vanishes. */
const BLOCK_BYTES = 64 * 1024;
/** 2^-53: turns a 53-bit integer into a double in [0, 1). */
const TWO_POW_MINUS_53 = 2 ** -53;

/**
 * A seed: any string, a non-negative safe integer, or raw bytes (e.g. 32 bytes from
 * `crypto.randomBytes` in production). Equal seeds give equal streams on every platform.
 */
export type Seed = string | number | Uint8Array;

function seedKey(seed: Seed, domain: string): Buffer {
  const hash = createHash("sha256").update(`commonweight/contributor-rng/${domain}/`);
  if (typeof seed === "string") hash.update(`s:${seed}`);
  else if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidInputError(`seed must be a non-negative safe integer, got ${seed}`);
    hash.update(`n:${seed}`);
  } else hash.update("b:").update(seed);
  return hash.digest();
}

/**
 * A deterministic random stream: the AES-256-CTR keystream under key `sha256(domain, seed)`.
 * Cryptographically strong when the seed is secret and random (the DP noise needs that), and
 * reproducible from a fixed seed (tests, data shuffles). Never uses `Math.random`.
 */
export class SeededRandom {
  readonly #cipher;
  readonly #zeros = new Uint8Array(BLOCK_BYTES);
  #block: Buffer = Buffer.alloc(0);
  #next = 0;
  #spareGaussian: number | undefined;

  /**
   * @param seed - the stream's seed.
   * @param domain - separates independent streams drawn from one seed (e.g. "shuffle", "noise").
   * @throws {InvalidInputError} for a negative or non-integer numeric seed.
   */
  constructor(seed: Seed, domain = "default") {
    this.#cipher = createCipheriv("aes-256-ctr", seedKey(seed, domain), new Uint8Array(16));
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    if (this.#next + 4 > this.#block.length) {
      this.#block = this.#cipher.update(this.#zeros);
      this.#next = 0;
    }
    // Little-endian on every platform, so streams agree across machines.
    const word = this.#block.readUInt32LE(this.#next);
    this.#next += 4;
    return word;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const high = this.nextUint32() >>> 11; // 21 bits
    const low = this.nextUint32(); // 32 bits
    return (high * 2 ** 32 + low) * TWO_POW_MINUS_53;
  }

  /** A uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidInputError(`range must be a positive safe integer, got ${n}`);
    // Rejection sampling on 53-bit draws: the accepted range is a multiple of n.
    const limit = Math.floor(2 ** 53 / n) * n;
    for (;;) {
      const draw = (this.nextUint32() >>> 11) * 2 ** 32 + this.nextUint32();
      if (draw < limit) return draw % n;
    }
  }

  /** A standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  nextGaussian(): number {
    const spare = this.#spareGaussian;
    if (spare !== undefined) {
      this.#spareGaussian = undefined;
      return spare;
    }
    // u1 in (0, 1]: log(u1) is finite.
    const u1 = 1 - this.nextFloat();
    const u2 = this.nextFloat();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.#spareGaussian = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /**
   * A Gamma(shape, 1) draw (Marsaglia–Tsang; shape < 1 through the boost `G(a+1)·U^(1/a)`).
   * @throws {InvalidInputError} unless `shape` is a positive finite number.
   */
  nextGamma(shape: number): number {
    if (!(shape > 0) || !Number.isFinite(shape)) throw new InvalidInputError(`gamma shape must be positive, got ${shape}`);
    if (shape < 1) return this.nextGamma(shape + 1) * Math.pow(1 - this.nextFloat(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const x = this.nextGaussian();
      const v0 = 1 + c * x;
      if (v0 <= 0) continue;
      const v = v0 * v0 * v0;
      const u = 1 - this.nextFloat();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
}
