import { assertInvariant } from "../errors.ts";
import type { Dtype } from "./safetensors.ts";

/** Integer element arrays of update files. */
export type IntArray = Int8Array | Int16Array | Int32Array;

// Typed arrays use the host byte order; files are little-endian. Every supported host is.
assertInvariant(new Uint8Array(new Uint16Array([1]).buffer)[0] === 1, "a little-endian host is required");

const WIDTH = { F32: 4, I8: 1, I16: 2, I32: 4 } as const;

function view(dtype: Dtype, buffer: ArrayBufferLike, byteOffset: number, length: number): Float32Array | IntArray {
  switch (dtype) {
    case "F32":
      return new Float32Array(buffer, byteOffset, length);
    case "I8":
      return new Int8Array(buffer, byteOffset, length);
    case "I16":
      return new Int16Array(buffer, byteOffset, length);
    case "I32":
      return new Int32Array(buffer, byteOffset, length);
  }
}

/**
 * A typed view of little-endian tensor bytes: zero-copy when aligned, else an aligned copy.
 * Shared-memory inputs stay shared when aligned, so worker threads can read them.
 */
export function typedView(dtype: "F32", bytes: Uint8Array): Float32Array;
export function typedView(dtype: "I8" | "I16" | "I32", bytes: Uint8Array): IntArray;
export function typedView(dtype: Dtype, bytes: Uint8Array): Float32Array | IntArray {
  const width = WIDTH[dtype];
  if (bytes.byteOffset % width === 0) return view(dtype, bytes.buffer, bytes.byteOffset, bytes.byteLength / width);
  return view(dtype, bytes.slice().buffer, 0, bytes.byteLength / width);
}

/** The little-endian bytes of a typed array (a view, no copy). */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
