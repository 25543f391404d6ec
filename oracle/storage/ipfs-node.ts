import { mkdir } from "node:fs/promises";
import { join } from "node:path";

import { withBitswap } from "@helia/bitswap";
import { withLibp2pLight } from "@helia/libp2p";
import { unixfs, type UnixFS } from "@helia/unixfs";
import { identify } from "@libp2p/identify";
import { noise } from "@libp2p/noise";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { multiaddr, type Multiaddr } from "@multiformats/multiaddr";
import { FsBlockstore } from "blockstore-fs";
import { MemoryDatastore } from "datastore-core";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import { CID } from "multiformats/cid";

import type { IpfsConfig } from "../config.ts";
import { ConfigError, InvalidInputError } from "../errors.ts";
import type { Logger } from "../logger.ts";

/*
 * This process's own IPFS node: Helia over TCP (noise, yamux) with bitswap, a persistent block
 * store, and no discovery or routing of its own. It never dials the public IPFS network: there is
 * no bootstrap list, no DHT, no mDNS, no delegated routing, no HTTP gateways. It talks only to
 * the peers IPFS_PEERS names (and to those that dial it), and fetches blocks from them by bitswap.
 */

/** What fetching over IPFS needs: the file behind a CID, bounded. */
export interface IpfsReader {
  /**
   * The bytes of the UnixFS file (or raw block) `cid`, as a stream that ends, or throws, within
   * `signal`; refused before reading when its declared size exceeds `maxBytes`.
   */
  cat(cid: CID, options: { readonly maxBytes: number; readonly signal: AbortSignal }): AsyncIterable<Uint8Array>;
}

/** A started node: read, add, provide. */
export interface IpfsNode extends IpfsReader {
  /** The peer id, e.g. `12D3KooW...`. */
  readonly peerId: string;
  /** Addresses other nodes can dial, each ending in `/p2p/<peerId>` (what goes in their IPFS_PEERS). */
  multiaddrs(): string[];
  /** Adds `bytes` as a UnixFS file (CIDv1, raw leaves), pins it, and returns its CID. */
  add(bytes: Uint8Array): Promise<CID>;
  /** Dials every configured peer not connected now; failures are logged, never thrown. */
  connectPeers(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startIpfsNode}. */
export interface StartIpfsOptions {
  /**
   * Keep the peer identity in the repo (a publisher whose address others were given). Without it
   * the identity is new each start and only the block store is persistent (fetch-only nodes, of
   * which several worker processes may share one repo).
   */
  readonly persistentIdentity?: boolean;
  /** Dial IPFS_PEERS before returning (up to 5 s). @defaultValue true */
  readonly dialOnStart?: boolean;
}

/** Parses the comma-separated multiaddr list of IPFS_PEERS or IPFS_LISTEN. @throws {ConfigError} */
export function parseMultiaddrs(text: string, setting: string): Multiaddr[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      try {
        return multiaddr(entry);
      } catch (err) {
        throw new ConfigError(`${setting}: ${JSON.stringify(entry.slice(0, 200))} is not a multiaddr`, { cause: err });
      }
    });
}

/** The CID of an `ipfs://<cid>` URI. @throws {InvalidInputError} when it names no CID or has a path. */
export function cidOfUri(uri: string): CID {
  const match = /^ipfs:\/\/([A-Za-z0-9]+)\/?$/.exec(uri);
  if (!match?.[1]) throw new InvalidInputError(`not an ipfs://<cid> URI: ${JSON.stringify(uri.slice(0, 200))}`);
  try {
    return CID.parse(match[1]);
  } catch (err) {
    throw new InvalidInputError(`ipfs:// URI names no valid CID: ${JSON.stringify(match[1].slice(0, 100))}`, { cause: err });
  }
}

/** The `ipfs://` URI of `cid`. */
export function uriOfCid(cid: CID): string {
  return `ipfs://${cid.toString()}`;
}

/** Starts this process's IPFS node from `config` (repo, listen addresses, peers). */
export async function startIpfsNode(config: IpfsConfig, log: Logger, options: StartIpfsOptions = {}): Promise<IpfsNode> {
  const listen = parseMultiaddrs(config.IPFS_LISTEN, "IPFS_LISTEN");
  const peers = parseMultiaddrs(config.IPFS_PEERS, "IPFS_PEERS");
  await mkdir(join(config.IPFS_REPO, "blocks"), { recursive: true });
  const blockstore = new FsBlockstore(join(config.IPFS_REPO, "blocks"));
  const datastore = options.persistentIdentity ? new FsDatastore(join(config.IPFS_REPO, "datastore")) : new MemoryDatastore();
  const helia = withBitswap(
    withLibp2pLight(createHeliaLight({ blockstore, datastore }), {
      addresses: { listen: listen.map((a) => a.toString()) },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      peerDiscovery: [],
      services: { identify: identify() },
    }),
  );
  await helia.start();
  const fs: UnixFS = unixfs(helia);
  const ipfsLog = log.child({ module: "ipfs" });

  const connectPeers = async (signal?: AbortSignal): Promise<void> => {
    const connected = new Set(helia.libp2p.getConnections().map((c) => c.remotePeer.toString()));
    await Promise.all(
      peers.map(async (peer) => {
        const id = peer.getComponents().find((c) => c.name === "p2p")?.value;
        if (id !== undefined && connected.has(id)) return;
        try {
          await helia.libp2p.dial(peer, signal ? { signal } : {});
        } catch (err) {
          ipfsLog.warn({ err, peer: peer.toString() }, "could not dial an IPFS peer");
        }
      }),
    );
  };
  if (options.dialOnStart ?? true) await connectPeers(AbortSignal.timeout(5_000));
  const peerId = helia.libp2p.peerId.toString();
  ipfsLog.info({ peerId, listen: helia.libp2p.getMultiaddrs().map(String), peers: peers.length }, "ipfs node started");

  return {
    peerId,
    multiaddrs: () => helia.libp2p.getMultiaddrs().map((a) => a.toString()),
    async add(bytes) {
      const cid = await fs.addBytes(bytes, { cidVersion: 1, rawLeaves: true });
      for await (const pinned of helia.pins.add(cid)) void pinned;
      return cid;
    },
    connectPeers,
    async *cat(cid, { maxBytes, signal }) {
      await connectPeers(signal);
      const stats = await fs.stat(cid, { signal });
      if (stats.type === "directory") throw new InvalidInputError(`${cid.toString()} is a directory, not a file`);
      if (stats.size > BigInt(maxBytes)) throw new InvalidInputError(`declared ${stats.size} bytes exceed the limit of ${maxBytes}`);
      yield* fs.cat(cid, { signal, length: maxBytes + 1 });
    },
    async stop() {
      await helia.stop();
    },
  };
}

/**
 * An {@link IpfsReader} that starts this process's node on its first read (so that a process that
 * never meets an `ipfs://` URI never starts one), and `close()` to stop it.
 */
export function lazyIpfsReader(config: IpfsConfig, log: Logger): IpfsReader & { close(): Promise<void> } {
  let node: Promise<IpfsNode> | undefined;
  const start = (): Promise<IpfsNode> => {
    // Each read dials the peers itself, within its own deadline.
    node ??= startIpfsNode(config, log, { dialOnStart: false }).catch((err: unknown) => {
      node = undefined;
      throw err;
    });
    return node;
  };
  return {
    async *cat(cid, options) {
      yield* (await start()).cat(cid, options);
    },
    async close() {
      const started = node;
      node = undefined;
      if (started) await (await started).stop();
    },
  };
}
