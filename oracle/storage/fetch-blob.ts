import { createHash, type Hash as Hasher } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import type { BlobStore } from "./blob-store.ts";
import { cidOfUri, type IpfsReader } from "./ipfs-node.ts";
import { normalizeHash, type Hash } from "../protocol/hash.ts";

/** An operator's limits on fetching one update file. */
export interface FetchLimits {
  /** Larger files are refused before or while reading, never buffered whole. */
  readonly maxBytes: number;
  /** The whole fetch (connect, headers, body) must finish within this time. */
  readonly timeoutMs: number;
  /** This process's IPFS node, which reads `ipfs://<cid>` URIs; without one they are unavailable. */
  readonly ipfs?: IpfsReader;
}

/**
 * What fetching a revealed file gave: its verified bytes, or the docs/protocol.md §1.2 reason it cannot
 * be used (`unavailable`: not fetchable within the limits; `hash-mismatch`: fetched, but not the
 * bytes the contributor revealed) with a human-readable detail.
 */
export type FetchOutcome =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly hash: Hash; readonly fromCache: boolean }
  | { readonly ok: false; readonly reason: "unavailable" | "hash-mismatch"; readonly detail: string };

/** Raised inside a read to stop it; always turned into an `unavailable` outcome. */
class FetchRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FetchRefused";
  }
}

/**
 * Fetches `uri` (`file://`, `http://`, `https://`, `ipfs://`) and checks it against `expectedHash` while
 * streaming. A `cache` is consulted first and filled on success, so a retried job never fetches
 * the same file twice. Never throws for anything the remote side does; only a broken cache
 * (an I/O error or an `IntegrityError` from it) throws.
 */
export async function fetchBlob(uri: string, expectedHash: string, limits: FetchLimits, cache?: BlobStore): Promise<FetchOutcome> {
  const wanted = normalizeHash(expectedHash);
  const cached = await cache?.get(wanted);
  if (cached) return { ok: true, bytes: cached, hash: wanted, fromCache: true };

  let received: { bytes: Uint8Array; hash: Hash };
  try {
    received = await readWithin(uri, limits);
  } catch (err) {
    return { ok: false, reason: "unavailable", detail: describe(err) };
  }
  if (received.hash !== wanted) {
    return { ok: false, reason: "hash-mismatch", detail: `fetched bytes hash to ${received.hash}, revealed ${wanted}` };
  }
  await cache?.put(received.bytes);
  return { ok: true, bytes: received.bytes, hash: wanted, fromCache: false };
}

/**
 * The bytes at `uri` within `limits` and their sha256, whatever they are: what an auditor uses to
 * re-run validation itself. `undefined` with a reason when not fetchable within the limits.
 */
export async function fetchBytes(uri: string, limits: FetchLimits): Promise<{ bytes: Uint8Array; hash: Hash } | { bytes: undefined; detail: string }> {
  try {
    return await readWithin(uri, limits);
  } catch (err) {
    return { bytes: undefined, detail: describe(err) };
  }
}

async function readWithin(uri: string, limits: FetchLimits): Promise<{ bytes: Uint8Array; hash: Hash }> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new FetchRefused(`not a URI: ${JSON.stringify(uri.slice(0, 200))}`);
  }
  const signal = AbortSignal.timeout(limits.timeoutMs);
  switch (url.protocol) {
    case "file:":
      return readFile(url, limits.maxBytes, signal);
    case "http:":
    case "https:":
      return readHttp(url, limits.maxBytes, signal);
    case "ipfs:":
      return readIpfs(uri, limits, signal);
    default:
      throw new FetchRefused(`unsupported URI scheme ${url.protocol} (file:, http:, https:, ipfs: are)`);
  }
}

async function readFile(url: URL, maxBytes: number, signal: AbortSignal): Promise<{ bytes: Uint8Array; hash: Hash }> {
  const path = fileURLToPath(url);
  const info = await stat(path);
  if (!info.isFile()) throw new FetchRefused(`${path} is not a regular file`);
  if (info.size > maxBytes) throw new FetchRefused(`${info.size} bytes exceed the limit of ${maxBytes}`);
  return collect(createReadStream(path, { signal }), maxBytes);
}

async function readHttp(url: URL, maxBytes: number, signal: AbortSignal): Promise<{ bytes: Uint8Array; hash: Hash }> {
  const response = await fetch(url, { signal, redirect: "follow" });
  if (!response.ok) {
    await response.body?.cancel();
    throw new FetchRefused(`HTTP ${response.status} ${response.statusText}`);
  }
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new FetchRefused(`declared ${declared} bytes exceed the limit of ${maxBytes}`);
  }
  if (!response.body) throw new FetchRefused("empty response body");
  return collect(response.body, maxBytes);
}

async function readIpfs(uri: string, limits: FetchLimits, signal: AbortSignal): Promise<{ bytes: Uint8Array; hash: Hash }> {
  if (!limits.ipfs) throw new FetchRefused("no IPFS node configured in this process to read ipfs:// URIs");
  let cid: ReturnType<typeof cidOfUri>;
  try {
    cid = cidOfUri(uri);
  } catch (err) {
    throw new FetchRefused(err instanceof Error ? err.message : String(err));
  }
  return collect(limits.ipfs.cat(cid, { maxBytes: limits.maxBytes, signal }), limits.maxBytes, signal);
}

/** Reads a stream into one buffer, hashing as it goes, and stops at the first byte past `maxBytes`. */
async function collect(stream: AsyncIterable<Uint8Array>, maxBytes: number, signal?: AbortSignal): Promise<{ bytes: Uint8Array; hash: Hash }> {
  const hasher: Hasher = createHash("sha256");
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    total += chunk.byteLength;
    if (total > maxBytes) throw new FetchRefused(`more than the limit of ${maxBytes} bytes`);
    hasher.update(chunk);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, hash: `0x${hasher.digest("hex")}` };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === "TimeoutError" || err.name === "AbortError") return "timed out";
    const code = "code" in err && typeof err.code === "string" ? `${err.code}: ` : "";
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
    return `${code}${err.message}${cause}`;
  }
  return String(err);
}
