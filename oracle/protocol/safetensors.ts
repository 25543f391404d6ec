import { MalformedFileError } from "./file-errors.ts";

/** Element types this protocol uses, with their byte widths. */
export const DTYPE_BYTES = { F32: 4, I8: 1, I16: 2, I32: 4 } as const;
export type Dtype = keyof typeof DTYPE_BYTES;

/** Tensor names allowed by docs/protocol.md §1. */
export const TENSOR_NAME_PATTERN = /^[A-Za-z0-9_./-]{1,128}$/;
/** Metadata keys and values: printable ASCII without `"` or `\`, so JSON never escapes them. */
const METADATA_TEXT_PATTERN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const HEADER_LENGTH_BYTES = 8;
const HEADER_ALIGNMENT = 8;

/** Caps applied before anything proportional to the claimed sizes is allocated. */
export type SafetensorsLimits = {
  /** Largest accepted file, in bytes. */
  maxFileBytes: number;
  /** Largest accepted JSON header, in bytes. */
  maxHeaderBytes: number;
};

/** 2 GiB of data, 16 MiB of header: far above any honest update, far below a memory blow-up. */
export const DEFAULT_LIMITS: SafetensorsLimits = { maxFileBytes: 2 ** 31, maxHeaderBytes: 2 ** 24 };

/** One tensor entry of a header; `begin`/`end` are byte offsets into the data section. */
export type TensorEntry = { name: string; dtype: Dtype; shape: number[]; begin: number; end: number };

/** A parsed, canonical safetensors file; tensor data are views into the input bytes. */
export type SafetensorsFile = {
  metadata: ReadonlyMap<string, string>;
  tensors: TensorEntry[];
  /** The data section (after the padded header). */
  data: Uint8Array;
};

function fail(message: string): never {
  throw new MalformedFileError(message);
}

function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

function parseHeaderJson(bytes: Uint8Array, limits: SafetensorsLimits): unknown {
  if (bytes.length > limits.maxFileBytes) fail(`file exceeds ${limits.maxFileBytes} bytes`);
  if (bytes.length < HEADER_LENGTH_BYTES) fail("file shorter than its header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getBigUint64(0, true);
  // Both caps are checked on the claimed length before any allocation proportional to it.
  if (headerBytes > BigInt(limits.maxHeaderBytes)) fail("header length exceeds the cap");
  const h = Number(headerBytes);
  if (HEADER_LENGTH_BYTES + h > bytes.length) fail("header runs past the end of the file");
  checkHeaderShape(bytes, HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + h);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + h));
    return JSON.parse(text);
  } catch (err) {
    throw new MalformedFileError("header is not UTF-8 JSON", { cause: err });
  }
}

/** Deepest nesting a canonical header has: the header object, a tensor entry, its `shape` array. */
export const MAX_HEADER_DEPTH = 3;
/** Most elements of one header array: 16 dimensions (the shape cap of {@link parseTensor}). */
const MAX_ARRAY_ELEMENTS = 16;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A linear scan of the header bytes before `JSON.parse` sees them (docs/protocol.md §7, header
 * bounds): nesting deeper than {@link MAX_HEADER_DEPTH}, an array of more than 16 elements, a
 * backslash (canonical text never escapes) or anything but an object at the top is malformed. So
 * the parser only ever builds a flat object of small entries, at most a few times the header's
 * size in memory, whatever a hostile file claims.
 */
function checkHeaderShape(bytes: Uint8Array, from: number, to: number): void {
  if (bytes[from] !== 0x7b) fail("header is not a JSON object");
  // Per open bracket: whether it is an array, and its commas so far.
  const isArray: boolean[] = [];
  const commas: number[] = [];
  let inString = false;
  for (let i = from; i < to; i++) {
    const c = bytes[i] as number;
    if (inString) {
      if (c === QUOTE) inString = false;
      else if (c === BACKSLASH) fail("header contains an escape");
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      // { or [
      if (isArray.length === MAX_HEADER_DEPTH) fail("header nests too deeply");
      isArray.push(c === 0x5b);
      commas.push(0);
    } else if (c === 0x7d || c === 0x5d) {
      // } or ]
      if (isArray.pop() === undefined) fail("header brackets do not balance");
      commas.pop();
    } else if (c === 0x2c && isArray.at(-1) === true) {
      const d = commas.length - 1;
      commas[d] = (commas[d] as number) + 1;
      if ((commas[d] as number) >= MAX_ARRAY_ELEMENTS) fail("header array too long");
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSafeCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function parseMetadata(value: unknown): Map<string, string> {
  if (!isRecord(value)) fail("__metadata__ is not an object");
  const metadata = new Map<string, string>();
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== "string") fail(`metadata ${key} is not a string`);
    if (!METADATA_TEXT_PATTERN.test(key) || !METADATA_TEXT_PATTERN.test(text)) fail("metadata is not plain printable ASCII");
    metadata.set(key, text);
  }
  return metadata;
}

function parseTensor(name: string, value: unknown, dataBytes: number): TensorEntry {
  if (!TENSOR_NAME_PATTERN.test(name)) fail("tensor name not allowed");
  if (!isRecord(value)) fail(`tensor ${name} is not an object`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== "string" || !Object.hasOwn(DTYPE_BYTES, dtype)) fail(`tensor ${name} has an unsupported dtype`);
  if (!Array.isArray(shape) || shape.length > 16 || !shape.every(isSafeCount)) fail(`tensor ${name} has a bad shape`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeCount)) fail(`tensor ${name} has bad offsets`);
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataBytes) fail(`tensor ${name} lies outside the data`);
  // The product is bounded before it can overflow: each dimension is checked against the data size.
  let count = 1;
  for (const dim of shape as number[]) {
    if (dim !== 0 && count > dataBytes / dim) fail(`tensor ${name} is larger than the file`);
    count *= dim;
  }
  if (count * DTYPE_BYTES[dtype as Dtype] !== end - begin) fail(`tensor ${name} size disagrees with its offsets`);
  return { name, dtype: dtype as Dtype, shape: shape as number[], begin, end };
}

/**
 * Parses a safetensors file and requires canonical form (docs/protocol.md §1).
 *
 * "Not canonical" is defined as: parse, re-encode canonically, the bytes differ. Re-encoding copies
 * each tensor's bytes from its offsets into a contiguous, name-ordered layout, so the bytes are equal
 * exactly when the header bytes equal {@link encodeHeader} of the parsed entries, the offsets are
 * already that contiguous layout, and the file ends with the last tensor. This checks those three
 * facts instead of copying the data.
 * @throws {MalformedFileError} on any violation.
 */
export function parseSafetensors(bytes: Uint8Array, limits: SafetensorsLimits = DEFAULT_LIMITS): SafetensorsFile {
  const header = parseHeaderJson(bytes, limits);
  if (!isRecord(header)) fail("header is not a JSON object");
  const h = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const dataStart = HEADER_LENGTH_BYTES + h;
  const dataBytes = bytes.length - dataStart;
  let metadata = new Map<string, string>();
  const tensors: TensorEntry[] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === "__metadata__") metadata = parseMetadata(value);
    else tensors.push(parseTensor(key, value, dataBytes));
  }
  tensors.sort((a, b) => compareBytes(a.name, b.name));
  let offset = 0;
  for (const tensor of tensors) {
    if (tensor.begin !== offset) fail("tensor data not contiguous in name order");
    offset = tensor.end;
  }
  if (offset !== dataBytes) fail("file length disagrees with its tensors");
  const canonical = encodeHeader(metadata, tensors);
  if (canonical.length !== dataStart || !equalBytes(canonical, bytes.subarray(0, dataStart))) fail("header is not canonical");
  return { metadata, tensors, data: bytes.subarray(dataStart) };
}

/** Orders strings by their UTF-8 bytes (names here are ASCII, so this is code-unit order). */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The canonical header (length prefix + JSON + space padding) for these entries. Metadata keys are
 * sorted; tensors must already be sorted by name with contiguous offsets.
 */
export function encodeHeader(metadata: ReadonlyMap<string, string>, tensors: readonly TensorEntry[]): Uint8Array {
  const meta = [...metadata.entries()].sort(([a], [b]) => compareBytes(a, b)).map(([k, v]) => `"${k}":"${v}"`);
  const parts = [`"__metadata__":{${meta.join(",")}}`];
  for (const t of tensors) {
    parts.push(`"${t.name}":{"dtype":"${t.dtype}","shape":[${t.shape.join(",")}],"data_offsets":[${t.begin},${t.end}]}`);
  }
  const json = `{${parts.join(",")}}`;
  const padded = json.length + ((HEADER_ALIGNMENT - (json.length % HEADER_ALIGNMENT)) % HEADER_ALIGNMENT);
  const out = new Uint8Array(HEADER_LENGTH_BYTES + padded).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  new TextEncoder().encodeInto(json, out.subarray(HEADER_LENGTH_BYTES));
  return out;
}

/** A tensor to write: its raw little-endian bytes. */
export type TensorBytes = { name: string; dtype: Dtype; shape: number[]; bytes: Uint8Array };

/** A tensor's entry before its bytes exist: name, dtype and shape. */
export type TensorSpec = { name: string; dtype: Dtype; shape: number[] };

/**
 * A canonical safetensors file with the header written and every tensor's data zeroed, and a view of
 * each tensor's bytes inside it (in `tensors` order), to be filled in place: no second copy of the data.
 * @throws {MalformedFileError} when a name, metadata text or size breaks §1.
 */
export function allocateSafetensors(metadata: ReadonlyMap<string, string>, tensors: readonly TensorSpec[]): { bytes: Uint8Array; views: Uint8Array[] } {
  for (const [k, v] of metadata) {
    if (!METADATA_TEXT_PATTERN.test(k) || !METADATA_TEXT_PATTERN.test(v)) fail("metadata is not plain printable ASCII");
  }
  const order = tensors.map((_, i) => i).sort((a, b) => compareBytes((tensors[a] as TensorSpec).name, (tensors[b] as TensorSpec).name));
  const entries: TensorEntry[] = [];
  const at = new Array<TensorEntry>(tensors.length);
  let offset = 0;
  for (const i of order) {
    const t = tensors[i] as TensorSpec;
    if (!TENSOR_NAME_PATTERN.test(t.name)) fail(`tensor name ${JSON.stringify(t.name)} not allowed`);
    if (entries.at(-1)?.name === t.name) fail(`duplicate tensor ${t.name}`);
    const size = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    const entry = { name: t.name, dtype: t.dtype, shape: [...t.shape], begin: offset, end: offset + size };
    entries.push(entry);
    at[i] = entry;
    offset += size;
  }
  const header = encodeHeader(metadata, entries);
  const bytes = new Uint8Array(header.length + offset);
  bytes.set(header);
  return { bytes, views: at.map((e) => bytes.subarray(header.length + e.begin, header.length + e.end)) };
}

/**
 * Writes a canonical safetensors file.
 * @throws {MalformedFileError} when a name, metadata text or size breaks §1.
 */
export function encodeSafetensors(metadata: ReadonlyMap<string, string>, tensors: readonly TensorBytes[]): Uint8Array {
  for (const t of tensors) {
    if (elementCount(t.shape) * DTYPE_BYTES[t.dtype] !== t.bytes.length) fail(`tensor ${t.name} size disagrees with its shape`);
  }
  const { bytes, views } = allocateSafetensors(metadata, tensors);
  tensors.forEach((t, i) => (views[i] as Uint8Array).set(t.bytes));
  return bytes;
}

/** Number of elements of a tensor of this shape (1 for a scalar). */
export { elementCount };
