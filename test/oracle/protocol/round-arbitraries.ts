import fc from "fast-check";

import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { encodeModel } from "../../../oracle/protocol/model-file.ts";
import type { Policy } from "../../../oracle/protocol/policy.ts";
import type { RoundInput } from "../../../oracle/protocol/round-input.ts";
import { encodeUpdate, type UpdateTensor } from "../../../oracle/protocol/update-file.ts";

/** Tensor layout shared by the generated rounds. */
export const LAYOUT = [
  { name: "a", shape: [3] },
  { name: "b/kernel", shape: [2, 3] },
];

const ROUND_ID = "42";
const INT_RANGE = { I8: 2 ** 7, I16: 2 ** 15, I32: 2 ** 31 } as const;

function toTyped(dtype: "I8" | "I16" | "I32", values: number[]): Int8Array | Int16Array | Int32Array {
  return dtype === "I8" ? Int8Array.from(values) : dtype === "I16" ? Int16Array.from(values) : Int32Array.from(values);
}

/** A base model file with finite values. */
export const baseArb = fc
  .tuple(...LAYOUT.map((t) => fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { minLength: t.shape.reduce((a, b) => a * b, 1), maxLength: t.shape.reduce((a, b) => a * b, 1) })))
  .map((values) => encodeModel(LAYOUT.map((t, i) => ({ name: t.name, shape: t.shape, values: Float32Array.from(values[i] ?? []) }))));

/** Update tensors: any dtype, exponent in [-40, 0], values up to `2^magnitudeBits` in magnitude. */
function tensorArb(name: string, shape: number[]): fc.Arbitrary<UpdateTensor> {
  const size = shape.reduce((a, b) => a * b, 1);
  return fc
    .record({ dtype: fc.constantFrom("I8" as const, "I16" as const, "I32" as const), exp: fc.integer({ min: -40, max: 0 }), bits: fc.integer({ min: 0, max: 31 }) })
    .chain(({ dtype, exp, bits }) => {
      const limit = Math.min(INT_RANGE[dtype] - 1, 2 ** bits);
      return fc.array(fc.integer({ min: -limit, max: limit }), { minLength: size, maxLength: size }).map((values) => ({ name, shape, dtype, exp, q: toTyped(dtype, values) }));
    });
}

/** An update file (canonical) for the given base. */
export function updateArb(baseHash: `0x${string}`): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.integer({ min: 1, max: 2 ** 32 - 1 }), ...LAYOUT.map((t) => tensorArb(t.name, t.shape)))
    .map(([samples, ...tensors]) => encodeUpdate({ round: ROUND_ID, base: baseHash, samples, tensors }));
}

/** A policy of any rule, with the largest allowed clip norm (2^12) so that extreme values stay valid. */
export const policyArb: fc.Arbitrary<Policy> = fc.record({
  rule: fc.constantFrom("fedavg" as const, "median" as const, "trimmed-mean" as const, "multi-krum" as const),
  trimBps: fc.integer({ min: 0, max: 4999 }),
  krumF: fc.integer({ min: 0, max: 2 }),
  weighting: fc.constantFrom("uniform" as const, "samples" as const),
  maxSampleWeight: fc.integer({ min: 1, max: 2 ** 32 }),
  clipMantissa: fc.constant(1),
  clipExp: fc.constant(12),
  minContributors: fc.integer({ min: 1, max: 3 }),
  rewardPool: fc.bigInt({ min: 0n, max: 10n ** 24n }),
});

/** A whole round: base, policy and 1-8 contributors with revealed hashes matching their files. */
export const roundArb: fc.Arbitrary<RoundInput> = baseArb.chain((base) =>
  fc
    .tuple(policyArb, fc.uniqueArray(fc.bigInt({ min: 1n, max: 2n ** 160n - 1n }), { minLength: 1, maxLength: 8 }).chain((addrs) => fc.tuple(fc.constant(addrs), fc.array(updateArb(hashBytes(base)), { minLength: addrs.length, maxLength: addrs.length }))))
    .map(([policy, [addrs, files]]) => ({
      roundId: ROUND_ID,
      policy,
      base,
      contributors: addrs.map((a, i) => {
        const file = files[i] ?? new Uint8Array();
        return { address: `0x${a.toString(16).padStart(40, "0")}`, revealedHash: hashBytes(file), file };
      }),
    })),
);

export { ROUND_ID };
