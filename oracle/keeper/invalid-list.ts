// The invalid contributors of a round's result, with proofs the keeper builds itself and checks against the
// round's invalid root on chain, so a package from anyone (or a local recomputation) can only be used if it is right.
import { readFile } from "node:fs/promises";

import { z } from "zod";

import { ActionRefusedError } from "../chain/errors.ts";
import { buildInvalidTree } from "../protocol/attestation.ts";
import { INVALID_REASONS, type InvalidReason } from "../protocol/validate.ts";
import { fetchBytes, type FetchLimits } from "../storage/fetch-blob.ts";
import type { InvalidEntry } from "./due-actions.ts";

/** The part of a result package (or a docs/protocol.md §6 result) the keeper reads. */
const InvalidMapSchema = z.record(z.string().regex(/^0x[0-9a-fA-F]{40}$/), z.enum(INVALID_REASONS));
const PackageInvalidSchema = z.object({ result: z.object({ invalid: InvalidMapSchema }) });

/**
 * The proofs of `invalid` (account -> reason), checked against `invalidRoot`.
 * @throws {ActionRefusedError} when the list does not hash to the round's root (a wrong package or recomputation).
 */
export function invalidEntriesOf(invalid: Readonly<Record<string, InvalidReason>>, invalidRoot: string, roundId: bigint): InvalidEntry[] {
  const tree = buildInvalidTree(invalid);
  if (tree.root.toLowerCase() !== invalidRoot.toLowerCase()) {
    throw new ActionRefusedError(`round ${roundId}: the invalid list given has root ${tree.root}, the chain recorded ${invalidRoot}; not using it`);
  }
  return [...tree.proofs].map(([account, { reason, proof }]) => ({ account, reason, proof }));
}

/**
 * Reads the invalid list of a result package from a file path or a `file://`/`http(s)://` URI.
 * @throws {ActionRefusedError} when it cannot be read or is not a result package.
 */
export async function readPackageInvalid(source: string, limits: FetchLimits): Promise<Record<string, InvalidReason>> {
  let bytes: Uint8Array;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    const fetched = await fetchBytes(source, limits);
    if (!fetched.bytes) throw new ActionRefusedError(`cannot fetch result package ${source}: ${fetched.detail}`);
    bytes = fetched.bytes;
  } else {
    bytes = await readFile(source).catch((err: unknown) => {
      throw new ActionRefusedError(`cannot read result package ${source}`, { cause: err });
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ActionRefusedError(`result package ${source} is not JSON`, { cause: err });
  }
  const parsed = PackageInvalidSchema.safeParse(json);
  if (!parsed.success) throw new ActionRefusedError(`${source} is not a result package (no result.invalid)`);
  return parsed.data.result.invalid;
}
