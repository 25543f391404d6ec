import { readFile } from "node:fs/promises";
import path from "node:path";

import { checkGenesisModel, DEFAULT_GENESIS_SEED, genesisModelFile } from "../../oracle/contributor/genesis.ts";
import { InvalidInputError } from "../../oracle/errors.ts";
import { hashBytes, isHashText, sameHash, type Hash } from "../../oracle/protocol/hash.ts";
import { LocalDirectoryStore } from "../../oracle/storage/local-directory-store.ts";
import { fetchBytes } from "../../oracle/storage/fetch-blob.ts";
import { TaskInputError } from "./task-error.ts";

/** The genesis model a deployment registers. */
export interface Genesis {
  readonly hash: Hash;
  readonly uri: string;
  /** How it was chosen, for the deploy log. */
  readonly source: string;
}

/** What the deployer asked for (flags of `deploy` and the parameters file's `genesisModelHash`/`genesisModelUri`). */
export interface GenesisRequest {
  /** `--genesis-model`: a local model file. */
  readonly modelFile?: string | undefined;
  /** `--genesis-uri`: where contributors fetch the model. */
  readonly uri?: string | undefined;
  /** `--genesis-seed`: seed of the default model. */
  readonly seed?: string | undefined;
  /** `--store`: the deployer's blob store, where a model without a URI is published. */
  readonly storeDir: string;
  /** The parameters file's `genesisModelHash`, when it names one. */
  readonly parameterHash?: unknown;
  /** The parameters file's `genesisModelUri`, when it names one. */
  readonly parameterUri?: unknown;
}

/** Largest genesis model fetched for the check; far above the contributor MLP (~200 KB). */
const MAX_GENESIS_BYTES = 2 ** 31 - 1;
const FETCH_TIMEOUT_MS = 60_000;

/**
 * Decides and checks the genesis model before anything is deployed: by default the contributor MLP's seeded initial
 * weights, published to the deployer's store under its absolute `file://` URI; or the deployer's own model file
 * (published to the store unless `--genesis-uri` says where it lives), or a URI alone. Whatever the choice, the
 * bytes at the URI are fetched, must be a canonical model file, and must hash to the hash registered.
 * @throws {TaskInputError} when the model is not a canonical model file, the URI is unreachable or serves other
 * bytes, or the flags and the parameters file disagree.
 */
export async function resolveGenesis(request: GenesisRequest): Promise<Genesis> {
  const fromFlags = request.modelFile !== undefined || request.uri !== undefined;
  const fromParameters = request.parameterHash !== undefined || request.parameterUri !== undefined;
  if (fromFlags && fromParameters) throw new TaskInputError("give the genesis model either with --genesis-model/--genesis-uri or in the parameters file (genesisModelHash, genesisModelUri), not both");
  if (fromParameters) {
    const { parameterHash: hash, parameterUri: uri } = request;
    if (typeof hash !== "string" || !isHashText(hash)) throw new TaskInputError("parameters: genesisModelHash must be 0x followed by 64 hex digits (the sha256 of the model file)");
    if (typeof uri !== "string" || uri === "") throw new TaskInputError("parameters: genesisModelUri must be set with genesisModelHash");
    return { hash: await checkAtUri(uri, hash as Hash, "parameters: genesisModelUri"), uri, source: "parameters file" };
  }

  let bytes: Uint8Array | undefined;
  let label = "";
  if (request.modelFile !== undefined) {
    const file = path.resolve(request.modelFile);
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new TaskInputError(`--genesis-model: cannot read ${file}`, { cause: err });
    }
    label = file;
    checkModel(bytes, `--genesis-model ${file}`);
  } else if (request.uri === undefined) {
    bytes = genesisModelFile(request.seed ?? DEFAULT_GENESIS_SEED);
    label = `seeded initial weights (seed ${JSON.stringify(request.seed ?? DEFAULT_GENESIS_SEED)})`;
  }

  if (request.uri !== undefined) {
    const expected = bytes === undefined ? undefined : hashBytes(bytes);
    const hash = await checkAtUri(request.uri, expected, "--genesis-uri");
    return { hash, uri: request.uri, source: bytes === undefined ? request.uri : `${label} at ${request.uri}` };
  }
  if (bytes === undefined) throw new TaskInputError("no genesis model"); // unreachable: one branch above set it
  const stored = await new LocalDirectoryStore(request.storeDir).put(bytes);
  await checkAtUri(stored.uri, stored.hash, "the store");
  return { hash: stored.hash, uri: stored.uri, source: `${label}, published to ${path.resolve(request.storeDir)}` };
}

function checkModel(bytes: Uint8Array, what: string): void {
  try {
    checkGenesisModel(bytes);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new TaskInputError(`${what} is not a canonical model file: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Fetches `uri`, checks it is a canonical model file hashing to `expected` (when given); returns its hash. */
async function checkAtUri(uri: string, expected: Hash | undefined, what: string): Promise<Hash> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch (err) {
    throw new TaskInputError(`${what}: ${JSON.stringify(uri)} is not an absolute URI (e.g. file:///abs/path/model.safetensors or https://…)`, { cause: err });
  }
  if (url.protocol === "file:" && url.host !== "") throw new TaskInputError(`${what}: ${uri} has a host; a file URI is file:///absolute/path`);
  const fetched = await fetchBytes(uri, { maxBytes: MAX_GENESIS_BYTES, timeoutMs: FETCH_TIMEOUT_MS });
  if (fetched.bytes === undefined) throw new TaskInputError(`${what}: cannot fetch ${uri} (${fetched.detail})`);
  if (expected !== undefined && !sameHash(fetched.hash, expected)) {
    throw new TaskInputError(`${what}: the bytes at ${uri} hash to ${fetched.hash}, not ${expected}`);
  }
  checkModel(fetched.bytes, `the file at ${uri}`);
  return fetched.hash;
}
