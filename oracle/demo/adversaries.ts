import type { ModelTensor } from "../protocol/model-file.ts";
import { encodeUpdate, MAX_EXPONENT } from "../protocol/update-file.ts";
import { hashBytes } from "../protocol/hash.ts";
import { makeUpdate, type ContributorPolicy } from "../contributor/update.ts";
import { InvariantError } from "../errors.ts";

/*
 * The demo's cheaters, built from the same client pipeline as honest contributors so that their
 * files are canonical and only their intent differs. They make the defences visible: a robust rule
 * for the poisoner, the exact norm check for the booster.
 */

/** Norm the poisoner scales its flipped update to: well inside the bound, three honest clip norms. */
export const POISON_NORM_FACTOR = 3;
/** Binary orders of magnitude the booster adds to every exponent (x16). */
export const BOOST_LOG2 = 4;

interface UpdateArgs {
  readonly delta: readonly ModelTensor[];
  readonly samples: number;
  readonly roundId: string;
  readonly baseHash: `0x${string}`;
  readonly policy: ContributorPolicy;
  readonly noiseSeed: Uint8Array;
}

/**
 * A poisoned update within the norm bound: the contributor's own trained change, sign-flipped and
 * scaled to {@link POISON_NORM_FACTOR} clip norms, without noise. It passes validation; only a
 * robust rule or the score can stop it.
 */
export function poisonedUpdate(args: UpdateArgs): { bytes: Uint8Array; hash: string } {
  const flipped = args.delta.map((t) => ({ name: t.name, shape: t.shape, values: t.values.map((v) => -v) }));
  const made = makeUpdate({
    delta: flipped,
    samples: args.samples,
    roundId: args.roundId,
    baseHash: args.baseHash,
    policy: { ...args.policy, dpClipNorm: args.policy.dpClipNorm * POISON_NORM_FACTOR, noiseMultiplier: 0 },
    noiseSeed: args.noiseSeed,
  });
  return { bytes: made.bytes, hash: made.hash };
}

/**
 * A boosted update: an honest, noised update whose every exponent is raised by {@link BOOST_LOG2},
 * multiplying it by 16. It is canonical and well-formed, and its norm exceeds the bound: operators
 * reject it as `norm` and it is slashed.
 */
export function boostedUpdate(args: UpdateArgs): { bytes: Uint8Array; hash: string } {
  const made = makeUpdate({ ...args });
  const tensors = made.update.tensors.map((t) => {
    const exp = t.exp + BOOST_LOG2;
    if (exp > MAX_EXPONENT) throw new InvariantError(`cannot boost tensor ${t.name}: exponent ${t.exp} is too coarse`);
    return { ...t, exp };
  });
  const bytes = encodeUpdate({ ...made.update, tensors });
  return { bytes, hash: hashBytes(bytes) };
}
