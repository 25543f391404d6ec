import { expect } from "chai";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { IpfsConfigSchema } from "../../../oracle/config.ts";
import { createLogger } from "../../../oracle/logger.ts";
import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { fetchBlob } from "../../../oracle/storage/fetch-blob.ts";
import { startIpfsNode } from "../../../oracle/storage/ipfs-node.ts";

const CW = fileURLToPath(new URL("../../../bin/cw.js", import.meta.url));

describe("cw contributor publish", function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-publish-"));
  });

  afterEach(async function () {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    child = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps providing the published file to another node until it is stopped, then exits cleanly", async function () {
    // Prepare
    const bytes = new Uint8Array(randomBytes(300_000));
    const file = join(dir, "update.safetensors");
    await writeFile(file, bytes);
    const env = { ...process.env, IPFS_REPO: join(dir, "repo"), IPFS_LISTEN: "/ip4/127.0.0.1/tcp/0", IPFS_PEERS: "", LOG_LEVEL: "warn" };
    child = spawn(process.execPath, [CW, "contributor", "publish", file, "--json"], { env, stdio: ["pipe", "pipe", "pipe"] });
    const lines = createInterface({ input: child.stdout });
    const records: Record<string, unknown>[] = [];
    for await (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      records.push(record);
      if ("providing" in record) break;
    }
    const published = records[0]?.published as { hash: string; uri: string };
    const providing = records[1]?.providing as { multiaddrs: string[] };
    const fetcher = await startIpfsNode(IpfsConfigSchema.parse({ IPFS_REPO: join(dir, "fetcher"), IPFS_PEERS: providing.multiaddrs.join(",") }), createLogger({ LOG_LEVEL: "silent" }));
    try {
      // Execute
      const outcome = await fetchBlob(published.uri, published.hash, { maxBytes: 1_000_000, timeoutMs: 20_000, ipfs: fetcher });
      const exited = new Promise<number | null>((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      // Assert
      expect(published.hash).to.equal(hashBytes(bytes));
      expect(published.uri).to.match(/^ipfs:\/\/baf[a-z2-7]+$/);
      expect(outcome.ok).to.equal(true);
      expect(await exited).to.equal(0);
    } finally {
      await fetcher.stop();
    }
  });
});
