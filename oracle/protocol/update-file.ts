import { MalformedFileError } from "./file-errors.ts";
import type { Hash } from "./hash.ts";
import { parseBoundedInteger } from "./decimal.ts";
import { DEFAULT_LIMITS, elementCount, encodeSafetensors, parseSafetensors, type SafetensorsLimits } from "./safetensors.ts";
import { bytesOf, typedView, type IntArray } from "./typed-views.ts";
import { maxUpdateHeaderBytes } from "./update-size.ts";

/** `format` metadata of an update file (docs/protocol.md §1.2). */
export const UPDATE_FORMAT = "commonweight/update-1";
/** Exponent range of §1.2. */
export const MIN_EXPONENT = -40;
export const MAX_EXPONENT = 0;
/** `samples` lies in `[1, 2^32)`. */
export const MAX_SAMPLES = 2 ** 32 - 1;

/** One tensor of an update: real value of element j is `q[j] * 2^exp`. */
export type UpdateTensor = { name: string; shape: number[]; dtype: "I8" | "I16" | "I32"; q: IntArray; exp: number };

/** A decoded update file. Tensors are in ascending name order. */
export type Update = { round: string; base: Hash; samples: number; tensors: UpdateTensor[] };

/** What an update must match: the round and the base model's tensor names and shapes. */
export type UpdateExpectation = {
  roundId: string;
  baseHash: Hash;
  layout: readonly { name: string; shape: readonly number[] }[];
};

function fail(message: string): never {
  throw new MalformedFileError(message);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Decodes a canonical update file and checks every rule of §1.2 against `expect`.
 * @throws {MalformedFileError} on any violation (reason code `malformed`).
 */
export function decodeUpdate(bytes: Uint8Array, expect: UpdateExpectation, limits: SafetensorsLimits = DEFAULT_LIMITS): Update {
  // The header cap is the one the base model's layout admits, checked before the header is read.
  const file = parseSafetensors(bytes, { ...limits, maxHeaderBytes: Math.min(limits.maxHeaderBytes, maxUpdateHeaderBytes(expect.layout)) });
  const meta = file.metadata;
  if (meta.get("format") !== UPDATE_FORMAT) fail(`format is not ${UPDATE_FORMAT}`);
  if (meta.get("round") !== expect.roundId) fail("wrong round");
  if (meta.get("base") !== expect.baseHash) fail("wrong base");
  const samples = parseBoundedInteger(meta.get("samples") ?? "", 1n, BigInt(MAX_SAMPLES));
  if (samples === undefined) fail("samples missing or out of range");
  if (meta.size !== 4 + expect.layout.length) fail("unexpected metadata keys");
  if (file.tensors.length !== expect.layout.length) fail("tensor set differs from the base model");
  const tensors = file.tensors.map((t, i): UpdateTensor => {
    const want = expect.layout[i];
    if (want === undefined || want.name !== t.name || !sameShape(want.shape, t.shape)) fail(`tensor ${t.name} differs from the base model`);
    if (t.dtype === "F32") fail(`tensor ${t.name} has dtype F32`);
    const exp = parseBoundedInteger(meta.get(`exp.${t.name}`) ?? "", BigInt(MIN_EXPONENT), BigInt(MAX_EXPONENT));
    if (exp === undefined) fail(`exponent of ${t.name} missing or out of range`);
    return { name: t.name, shape: t.shape, dtype: t.dtype, q: typedView(t.dtype, file.data.subarray(t.begin, t.end)), exp: Number(exp) };
  });
  return { round: expect.roundId, base: expect.baseHash, samples: Number(samples), tensors };
}

/**
 * Encodes a canonical update file from integer tensors and their exponents. Contributors quantize
 * (rounding toward zero) and call this; the result passes {@link decodeUpdate}.
 * @throws {MalformedFileError} when an exponent, `samples`, name or shape breaks §1.2.
 */
export function encodeUpdate(update: Update): Uint8Array {
  if (!Number.isSafeInteger(update.samples) || update.samples < 1 || update.samples > MAX_SAMPLES) fail("samples out of range");
  if (!/^(0|[1-9][0-9]*)$/.test(update.round)) fail("round id is not a canonical decimal");
  const meta = new Map<string, string>([
    ["base", update.base],
    ["format", UPDATE_FORMAT],
    ["round", update.round],
    ["samples", String(update.samples)],
  ]);
  for (const t of update.tensors) {
    if (!Number.isInteger(t.exp) || t.exp < MIN_EXPONENT || t.exp > MAX_EXPONENT) fail(`exponent of ${t.name} out of range`);
    if (elementCount(t.shape) !== t.q.length) fail(`tensor ${t.name} shape disagrees with its values`);
    const expected = { I8: Int8Array, I16: Int16Array, I32: Int32Array }[t.dtype];
    if (!(t.q instanceof expected)) fail(`tensor ${t.name} values are not ${t.dtype}`);
    meta.set(`exp.${t.name}`, String(t.exp + 0));
  }
  return encodeSafetensors(meta, update.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, bytes: bytesOf(t.q) })));
}
