import { InvalidInputError } from "../errors.ts";
import { HASH_PATTERN } from "./hash.ts";
import { array, DECIMAL_UINT, fieldPath, matching, strictObject, type Problems } from "./json-fields.ts";
import { checkPolicy, type Policy } from "./policy.ts";

/** A contributor who revealed: address (lowercase), revealed update hash, and the fetched file or `null`. */
export type Contributor = { address: string; revealedHash: string; file: Uint8Array | null };

/** Everything one round's aggregation reads. */
export type RoundInput = { roundId: string; policy: Policy; base: Uint8Array; contributors: Contributor[] };

/** Parsed `round.json`. */
export type RoundJson = { roundId: string; policy: Policy; contributors: { address: string; revealedHash: string; file: string | null }[] };

/**
 * Parses `round.json` content.
 * @throws {InvalidInputError} listing every problem.
 */
export function parseRoundJson(value: unknown): RoundJson {
  const problems: Problems = [];
  const round = checkRoundJson(value, problems);
  if (round === undefined) throw new InvalidInputError(`invalid round.json: ${problems.join("; ")}`);
  return round;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const PLAIN_FILE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;

/** `round.json` of a conformance case (docs/protocol.md §6), checked field by field; `file` names a file beside it or is null. */
function checkRoundJson(value: unknown, problems: Problems): RoundJson | undefined {
  const json = strictObject(value, "round", ["roundId", "policy", "contributors"], problems);
  if (json === undefined) return undefined;
  const roundId = matching(json.roundId, "roundId", DECIMAL_UINT, "must be a decimal integer", problems);
  const policy = checkPolicy(json.policy, "policy", problems);
  const contributors: RoundJson["contributors"] = [];
  const seen = new Set<string>();
  for (const [i, entry] of (array(json.contributors, "contributors", problems) ?? []).entries()) {
    const path = fieldPath("contributors", i);
    const c = strictObject(entry, path, ["address", "revealedHash", "file"], problems);
    if (c === undefined) continue;
    const address = matching(c.address, fieldPath(path, "address"), ADDRESS, "must be a 20-byte hex address", problems)?.toLowerCase();
    const revealedHash = matching(c.revealedHash, fieldPath(path, "revealedHash"), HASH_PATTERN, "must be a 32-byte hex hash", problems);
    const file = c.file === null ? null : matching(c.file, fieldPath(path, "file"), PLAIN_FILE_NAME, "must be a plain file name or null", problems);
    if (address !== undefined && seen.has(address)) problems.push(`${path}.address: duplicate contributor address`);
    if (address !== undefined) seen.add(address);
    if (address !== undefined && revealedHash !== undefined && file !== undefined) contributors.push({ address, revealedHash, file });
  }
  if (problems.length > 0 || roundId === undefined || policy === undefined) return undefined;
  return { roundId, policy, contributors };
}
