import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";

import { IpfsConfigSchema } from "../../../oracle/config.ts";
import { createLogger } from "../../../oracle/logger.ts";
import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { fetchBlob } from "../../../oracle/storage/fetch-blob.ts";
import { cidOfUri, startIpfsNode, uriOfCid, type IpfsNode } from "../../../oracle/storage/ipfs-node.ts";

const log = createLogger({ LOG_LEVEL: "silent" });

function ipfsConfig(repo: string, peers: string[] = []): ReturnType<typeof IpfsConfigSchema.parse> {
  return IpfsConfigSchema.parse({ IPFS_REPO: repo, IPFS_LISTEN: "/ip4/127.0.0.1/tcp/0", IPFS_PEERS: peers.join(",") });
}

describe("ipfs:// URIs", function () {
  it("reads the CID of an ipfs:// URI and refuses one with a path", function () {
    const cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    expect(cidOfUri(`ipfs://${cid}`).toString()).to.equal(cid);
    expect(() => cidOfUri(`ipfs://${cid}/etc/passwd`)).to.throw(/not an ipfs:\/\/<cid> URI/);
  });

  it("marks an ipfs:// URI unavailable in a process without an IPFS node", async function () {
    const outcome = await fetchBlob("ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", `0x${"00".repeat(32)}`, { maxBytes: 1_024, timeoutMs: 1_000 });
    expect(outcome).to.deep.include({ ok: false, reason: "unavailable" });
    expect(outcome.ok ? "" : outcome.detail).to.match(/no IPFS node/);
  });
});

describe("two Helia nodes on loopback: publish on one, fetch on the other", function () {
  this.timeout(60_000);
  let dir: string;
  let publisher: IpfsNode;
  let fetcher: IpfsNode;
  // Larger than one chunk, so the file is a DAG of several blocks.
  const bytes = new Uint8Array(randomBytes(1_500_000));
  let uri: string;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-ipfs-"));
    publisher = await startIpfsNode(ipfsConfig(join(dir, "publisher")), log, { persistentIdentity: true });
    uri = uriOfCid(await publisher.add(bytes));
    fetcher = await startIpfsNode(ipfsConfig(join(dir, "fetcher"), publisher.multiaddrs()), log);
  });

  after(async function () {
    await fetcher?.stop();
    await publisher?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("fetches the published file and verifies the revealed sha256", async function () {
    const outcome = await fetchBlob(uri, hashBytes(bytes), { maxBytes: 2_000_000, timeoutMs: 20_000, ipfs: fetcher });
    expect(outcome.ok).to.equal(true);
    expect(outcome.ok && Buffer.from(outcome.bytes).equals(Buffer.from(bytes))).to.equal(true);
  });

  it("reports hash-mismatch when the file behind the CID is not what was revealed", async function () {
    const outcome = await fetchBlob(uri, hashBytes(new TextEncoder().encode("something else")), { maxBytes: 2_000_000, timeoutMs: 20_000, ipfs: fetcher });
    expect(outcome).to.deep.include({ ok: false, reason: "hash-mismatch" });
  });

  it("refuses a file larger than the size cap as unavailable", async function () {
    const outcome = await fetchBlob(uri, hashBytes(bytes), { maxBytes: 1_000_000, timeoutMs: 20_000, ipfs: fetcher });
    expect(outcome).to.deep.include({ ok: false, reason: "unavailable" });
    expect(outcome.ok ? "" : outcome.detail).to.match(/exceed the limit of 1000000/);
  });

  it("reports a CID that no peer has as unavailable", async function () {
    const missing = new Uint8Array(randomBytes(64));
    const cid = CID.createV1(raw.code, await sha256.digest(missing));
    const outcome = await fetchBlob(uriOfCid(cid), hashBytes(missing), { maxBytes: 1_024, timeoutMs: 5_000, ipfs: fetcher });
    expect(outcome).to.deep.include({ ok: false, reason: "unavailable" });
  });

  it("gives up at the deadline when its peer accepts the connection and never answers", async function () {
    // Prepare: a TCP listener that holds every connection open and says nothing.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    const stuck = await startIpfsNode(ipfsConfig(join(dir, "stuck"), [`/ip4/127.0.0.1/tcp/${port}/p2p/${publisher.peerId}`]), log);
    try {
      // Execute
      const outcome = await fetchBlob(uri, hashBytes(bytes), { maxBytes: 2_000_000, timeoutMs: 1_500, ipfs: stuck });
      // Assert
      expect(outcome).to.deep.equal({ ok: false, reason: "unavailable", detail: "timed out" });
    } finally {
      await stuck.stop();
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });

  it("keeps its peer id and serves its pinned files after a restart (persistent repo)", async function () {
    // Prepare
    const id = publisher.peerId;
    const small = new Uint8Array(randomBytes(10_000));
    const smallUri = uriOfCid(await publisher.add(small));
    await publisher.stop();
    // Execute
    publisher = await startIpfsNode(ipfsConfig(join(dir, "publisher")), log, { persistentIdentity: true });
    const other = await startIpfsNode(ipfsConfig(join(dir, "other"), publisher.multiaddrs()), log);
    try {
      const outcome = await fetchBlob(smallUri, hashBytes(small), { maxBytes: 20_000, timeoutMs: 20_000, ipfs: other });
      // Assert
      expect(publisher.peerId).to.equal(id);
      expect(outcome.ok).to.equal(true);
    } finally {
      await other.stop();
    }
  });
});
