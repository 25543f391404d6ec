// The chain connection of a `cw sponsor` or `cw keeper` command, built from its settings, and the keeper's
// source of invalid lists (a result package, a folder of them, or a local recomputation).
import { join } from "node:path";

import { verifyRound } from "../auditor/verify-round.ts";
import { connectChain, type ChainConnection } from "../chain/connect.ts";
import { createBackend } from "../compute/backends.ts";
import type { KeeperConfig, SponsorConfig } from "../config.ts";
import type { InvalidEntry } from "../keeper/due-actions.ts";
import { invalidEntriesOf, readPackageInvalid } from "../keeper/invalid-list.ts";
import type { KeeperRoundView } from "../keeper/round-view.ts";
import type { InvalidReason } from "../protocol/validate.ts";
import type { IpfsReader } from "../storage/ipfs-node.ts";

/** Connects with the sponsor's or keeper's key (none when `withKey` is false). */
export function connectActor(config: SponsorConfig | KeeperConfig, keyVariable: "SPONSOR_PRIVATE_KEY" | "KEEPER_PRIVATE_KEY", withKey: boolean): Promise<ChainConnection> {
  const privateKey = (config as Record<string, unknown>)[keyVariable] as string | undefined;
  return connectChain({
    rpcUrl: config.RPC_URL,
    deployment: config.DEPLOYMENT,
    key: withKey ? { privateKey, keystore: config.KEYSTORE, keystorePassword: config.KEYSTORE_PASSWORD } : undefined,
  });
}

/**
 * The keeper's invalid-list source: `packageSource` when given, else `<KEEPER_PACKAGE_DIR>/<roundId>.json`, else
 * (with KEEPER_RECOMPUTE) a local recomputation of the round on the CPU. Each list is checked against the
 * round's invalid root before use and remembered per round.
 * @param ipfs Reads `ipfs://` URIs (packages, the base model and update files of a recomputation); the caller
 * owns it (e.g. `lazyIpfsReader(config, log)`, closed when the command ends).
 */
export function invalidSource(config: KeeperConfig, connection: ChainConnection, ipfs: IpfsReader, packageSource?: string): (view: KeeperRoundView) => Promise<readonly InvalidEntry[] | undefined> {
  const known = new Map<bigint, readonly InvalidEntry[]>();
  const limits = { maxBytes: config.FETCH_MAX_BYTES, timeoutMs: config.FETCH_TIMEOUT_MS, ipfs };
  return async (view) => {
    const cached = known.get(view.roundId);
    if (cached) return cached;
    let invalid: Readonly<Record<string, InvalidReason>> | undefined;
    const source = packageSource ?? (config.KEEPER_PACKAGE_DIR ? join(config.KEEPER_PACKAGE_DIR, `${view.roundId}.json`) : undefined);
    if (source !== undefined) invalid = await readPackageInvalid(source, limits);
    else if (config.KEEPER_RECOMPUTE) {
      const backend = await createBackend("cpu", { threads: 1 });
      try {
        const report = await verifyRound({ contracts: connection.contracts, deployment: connection.deployment, roundId: view.roundId, backend, limits });
        invalid = report.result.invalid;
      } finally {
        await backend.dispose();
      }
    }
    if (invalid === undefined) return undefined;
    const entries = invalidEntriesOf(invalid, view.invalidRoot, view.roundId);
    known.set(view.roundId, entries);
    return entries;
  };
}
