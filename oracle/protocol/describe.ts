import { MalformedFileError } from "./file-errors.ts";
import { hashBytes, type Hash } from "./hash.ts";
import { sumOfSquares } from "./norm.ts";
import { parseSafetensors } from "./safetensors.ts";
import { typedView } from "./typed-views.ts";
import { UPDATE_FORMAT } from "./update-file.ts";
import { MODEL_FORMAT } from "./model-file.ts";

/** What `cw inspect` reports about one tensor. */
export type TensorDescription = { name: string; dtype: string; shape: number[]; elements: number; exponent?: number };

/** What `cw inspect` reports about a file. */
export type FileDescription = {
  hash: Hash;
  bytes: number;
  kind: "model" | "update" | "other";
  canonical: true;
  metadata: Record<string, string>;
  tensors: TensorDescription[];
  /** Update files: `sum_t 4^e[t] sum_j q^2` as `numerator / 4^denominatorLog4`, and its float64 square root. */
  norm?: { squaredNumerator: string; denominatorLog4: number; approx: number };
};

/**
 * Describes a canonical safetensors file for humans; the norm is exact (as a fraction) plus an
 * approximate float64 value.
 * @throws {MalformedFileError} when the file is not canonical safetensors.
 */
export function describeFile(bytes: Uint8Array): FileDescription {
  const file = parseSafetensors(bytes);
  const format = file.metadata.get("format");
  const kind = format === MODEL_FORMAT ? "model" : format === UPDATE_FORMAT ? "update" : "other";
  const tensors = file.tensors.map((t): TensorDescription => {
    const exp = file.metadata.get(`exp.${t.name}`);
    const description: TensorDescription = { name: t.name, dtype: t.dtype, shape: t.shape, elements: (t.end - t.begin) / { F32: 4, I8: 1, I16: 2, I32: 4 }[t.dtype] };
    if (kind === "update" && exp !== undefined && /^(0|-?[1-9][0-9]{0,3})$/.test(exp)) description.exponent = Number(exp);
    return description;
  });
  const out: FileDescription = { hash: hashBytes(bytes), bytes: bytes.length, kind, canonical: true, metadata: Object.fromEntries(file.metadata), tensors };
  if (kind === "update" && tensors.every((t) => t.exponent !== undefined && t.dtype !== "F32")) {
    const m = Math.min(0, ...tensors.map((t) => t.exponent ?? 0));
    let numerator = 0n;
    file.tensors.forEach((t, i) => {
      if (t.dtype === "F32") throw new MalformedFileError("update tensor with dtype F32");
      numerator += sumOfSquares(typedView(t.dtype, file.data.subarray(t.begin, t.end))) << BigInt(2 * ((tensors[i]?.exponent ?? 0) - m));
    });
    out.norm = { squaredNumerator: String(numerator), denominatorLog4: -m, approx: Math.sqrt(Number(numerator)) * 2 ** m };
  }
  return out;
}
