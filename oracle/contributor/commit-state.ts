// The contributor's only irreplaceable secret: the salt of each commitment. Without it a commitment can never be
// revealed and the locked stake is slashed as a non-reveal, so it is written durably BEFORE the commit transaction
// is sent (write to a temporary file, fsync, rename, fsync the directory).
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname, join } from "node:path";

import { getAddress, hexlify } from "ethers";
import { z } from "zod";

import { HashSchema } from "../chain/hash-schema.ts";
import { ConfigError } from "../errors.ts";

/** Bytes of a commitment salt (a bytes32). */
export const SALT_BYTES = 32;

const HEX32 = HashSchema;

/** One prepared commitment: what `reveal` needs to open it. */
const AttemptSchema = z.object({
  updateHash: HEX32,
  uri: z.string().min(1),
  salt: HEX32,
  commitment: HEX32,
  preparedAt: z.string(),
  commitTx: z.string().optional(),
  revealTx: z.string().optional(),
});
export type CommitAttempt = z.infer<typeof AttemptSchema>;

/**
 * Everything the client keeps about one account's part in one round. Every prepared commitment is kept (a retry
 * with another update prepares a second one), so whichever commitment landed on chain can be revealed.
 */
const RoundStateSchema = z.object({
  version: z.literal(1),
  chainId: z.string(),
  rounds: z.string(),
  roundId: z.string(),
  account: z.string(),
  attempts: z.array(AttemptSchema),
});
export type RoundState = z.infer<typeof RoundStateSchema>;

/** Which state file: one per chain, rounds contract, round and account. */
export interface StateKey {
  readonly chainId: bigint;
  readonly rounds: string;
  readonly roundId: bigint;
  readonly account: string;
}

/** `<stateDir>/<chainId>/<rounds>/round-<id>/<account>.json` (addresses checksummed). */
export function statePath(stateDir: string, key: StateKey): string {
  return join(stateDir, String(key.chainId), getAddress(key.rounds), `round-${key.roundId}`, `${getAddress(key.account)}.json`);
}

/** A fresh 32-byte salt from the operating system's CSPRNG. */
export function freshSalt(): string {
  return hexlify(randomBytes(SALT_BYTES));
}

/**
 * The state of `key`, or `undefined` when the client never committed for it.
 * @throws {ConfigError} when the file exists but cannot be read or parsed (never silently ignored: it holds salts).
 */
export async function readRoundState(stateDir: string, key: StateKey): Promise<RoundState | undefined> {
  const path = statePath(stateDir, key);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT") return undefined;
    throw new ConfigError(`cannot read commit state ${path}`, { cause: err });
  }
  const parsed = RoundStateSchema.safeParse(safeJson(text));
  if (!parsed.success) throw new ConfigError(`commit state ${path} is corrupt; restore it from a backup`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // Documented expected case: reported as a corrupt file by the schema check.
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** Writes `state` durably: temporary file, fsync, rename over the old one, fsync of the directory. */
export async function writeRoundState(stateDir: string, state: RoundState): Promise<string> {
  const path = statePath(stateDir, {
    chainId: BigInt(state.chainId),
    rounds: state.rounds,
    roundId: BigInt(state.roundId),
    account: state.account,
  });
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const file = await open(temporary, "w", 0o600);
  try {
    await file.writeFile(`${JSON.stringify(state, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const directory = await open(dirname(path), "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  return path;
}

/** An empty state for `key`. */
export function emptyRoundState(key: StateKey): RoundState {
  return {
    version: 1,
    chainId: String(key.chainId),
    rounds: getAddress(key.rounds),
    roundId: String(key.roundId),
    account: getAddress(key.account),
    attempts: [],
  };
}
