import { InvalidInputError } from "../errors.ts";
import { CLASS_COUNT } from "./model.ts";
import { SeededRandom, type Seed } from "./random.ts";

/** Contributor `c` owns the examples at `partition[c]` (indices into the training pool). */
export type Partition = number[][];

/** How the training pool is cut among contributors. */
export type PartitionScheme =
  | { kind: "iid" }
  /** McMahan et al. 2017: sort by label, cut into `contributors × shardsPerContributor` shards, deal them out. */
  | { kind: "shards"; shardsPerContributor: number }
  /** Hsu et al. 2019: per class, split its examples by proportions drawn from Dirichlet(alpha). */
  | { kind: "dirichlet"; alpha: number; minSize?: number };

/** Dirichlet draws are repeated until every contributor has `minSize` examples, at most this often. */
const MAX_DIRICHLET_ATTEMPTS = 1000;

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new InvalidInputError(`${name} must be an integer in [1, ${max}], got ${value}`);
}

/** Splits `items` into `parts` contiguous chunks whose sizes differ by at most one. */
function chunk<T>(items: readonly T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, p) => items.slice(Math.floor((p * items.length) / parts), Math.floor(((p + 1) * items.length) / parts)));
}

/** IID: a seeded shuffle cut into `contributors` near-equal parts. */
export function partitionIid(size: number, contributors: number, seed: Seed): Partition {
  checkCount("contributors", contributors, size);
  const random = new SeededRandom(seed, "partition-iid");
  return chunk(random.shuffle(Array.from({ length: size }, (_, i) => i)), contributors);
}

/** Label skew by shards: each contributor sees only a few classes. */
export function partitionShards(labels: Uint8Array, contributors: number, shardsPerContributor: number, seed: Seed): Partition {
  checkCount("contributors", contributors, labels.length);
  checkCount("shardsPerContributor", shardsPerContributor, Math.floor(labels.length / contributors));
  const random = new SeededRandom(seed, "partition-shards");
  // Shuffle first so examples of one class are in random order, then sort stably by label.
  const byLabel = random.shuffle(Array.from({ length: labels.length }, (_, i) => i)).sort((a, b) => (labels[a] ?? 0) - (labels[b] ?? 0));
  const shards = chunk(byLabel, contributors * shardsPerContributor);
  const dealt = random.shuffle(Array.from({ length: shards.length }, (_, i) => i));
  return chunk(dealt, contributors).map((mine) => mine.flatMap((s) => shards[s] ?? []));
}

function dirichlet(random: SeededRandom, alpha: number, k: number): number[] {
  const draws = Array.from({ length: k }, () => random.nextGamma(alpha));
  const total = draws.reduce((a, b) => a + b, 0);
  return draws.map((d) => d / total);
}

/**
 * Label skew by Dirichlet proportions: small `alpha` (e.g. 0.1) is very skewed, large (100) is
 * nearly IID. Redraws until every contributor holds at least `minSize` examples.
 * @throws {InvalidInputError} when no draw satisfies `minSize` within the attempt budget.
 */
export function partitionDirichlet(labels: Uint8Array, contributors: number, alpha: number, seed: Seed, minSize = 1): Partition {
  checkCount("contributors", contributors, labels.length);
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new InvalidInputError(`alpha must be positive, got ${alpha}`);
  const random = new SeededRandom(seed, "partition-dirichlet");
  const byClass = Array.from({ length: CLASS_COUNT }, () => [] as number[]);
  labels.forEach((label, i) => byClass[label]?.push(i));
  for (let attempt = 0; attempt < MAX_DIRICHLET_ATTEMPTS; attempt++) {
    const parts: Partition = Array.from({ length: contributors }, () => []);
    for (const members of byClass) {
      const order = random.shuffle([...members]);
      let start = 0;
      let cumulative = 0;
      dirichlet(random, alpha, contributors).forEach((share, c) => {
        cumulative += share;
        const end = c === contributors - 1 ? order.length : Math.round(cumulative * order.length);
        parts[c]?.push(...order.slice(start, Math.max(start, end)));
        start = Math.max(start, end);
      });
    }
    if (parts.every((p) => p.length >= minSize)) return parts.map((p) => random.shuffle(p));
  }
  throw new InvalidInputError(`no Dirichlet(${alpha}) partition gave every contributor ${minSize} examples`);
}

/**
 * Cuts a pool with labels `labels` by `scheme`.
 * @throws {InvalidInputError} on bad counts or parameters.
 */
export function partition(labels: Uint8Array, contributors: number, scheme: PartitionScheme, seed: Seed): Partition {
  switch (scheme.kind) {
    case "iid":
      return partitionIid(labels.length, contributors, seed);
    case "shards":
      return partitionShards(labels, contributors, scheme.shardsPerContributor, seed);
    case "dirichlet":
      return partitionDirichlet(labels, contributors, scheme.alpha, seed, scheme.minSize);
  }
}

/** Per contributor, the count of each class. */
export function partitionLabelCounts(parts: Partition, labels: Uint8Array, classes: number = CLASS_COUNT): number[][] {
  return parts.map((indices) => {
    const counts = new Array<number>(classes).fill(0);
    for (const i of indices) {
      const label = labels[i] ?? 0;
      counts[label] = (counts[label] ?? 0) + 1;
    }
    return counts;
  });
}

/**
 * Label skew: the mean over contributors of the total-variation distance between the
 * contributor's label distribution and the whole pool's. 0 = identical mixes; near 1 = disjoint.
 */
export function labelSkew(parts: Partition, labels: Uint8Array, classes: number = CLASS_COUNT): number {
  const pool = partitionLabelCounts([parts.flat()], labels, classes)[0] ?? [];
  const poolSize = pool.reduce((a, b) => a + b, 0);
  const distances = partitionLabelCounts(parts, labels, classes).map((counts) => {
    const size = counts.reduce((a, b) => a + b, 0);
    if (size === 0) return 1;
    return counts.reduce((sum, n, c) => sum + Math.abs(n / size - (pool[c] ?? 0) / poolSize), 0) / 2;
  });
  return distances.reduce((a, b) => a + b, 0) / Math.max(1, distances.length);
}
