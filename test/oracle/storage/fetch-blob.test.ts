import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { fetchBlob, type FetchLimits } from "../../../oracle/storage/fetch-blob.ts";
import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { LocalDirectoryStore } from "../../../oracle/storage/local-directory-store.ts";

const LIMITS: FetchLimits = { maxBytes: 1024, timeoutMs: 2_000 };
const PAYLOAD = new Uint8Array(Array.from({ length: 600 }, (_, i) => i % 251));

/** A loopback HTTP server whose routes the tests choose. Ends every hanging response on close. */
async function serve(routes: Record<string, (res: import("node:http").ServerResponse) => void>): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => {
    const route = routes[req.url ?? ""];
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, server };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe("storage: fetchBlob", function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-fetch-"));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("returns the bytes of a file:// URI whose hash matches", async function () {
    const path = join(dir, "u.safetensors");
    await writeFile(path, PAYLOAD);

    const outcome = await fetchBlob(pathToFileURL(path).href, hashBytes(PAYLOAD), LIMITS);

    expect(outcome.ok).to.equal(true);
    if (outcome.ok) expect(Buffer.from(outcome.bytes).equals(Buffer.from(PAYLOAD))).to.equal(true);
  });

  it("accepts the revealed hash in uppercase hex (hashes compare as 32-byte values)", async function () {
    const path = join(dir, "u.safetensors");
    await writeFile(path, PAYLOAD);

    const outcome = await fetchBlob(pathToFileURL(path).href, `0x${hashBytes(PAYLOAD).slice(2).toUpperCase()}`, LIMITS);

    expect(outcome.ok).to.equal(true);
  });

  it("reports hash-mismatch when the bytes differ from the revealed hash", async function () {
    const path = join(dir, "u.safetensors");
    await writeFile(path, PAYLOAD);

    const outcome = await fetchBlob(pathToFileURL(path).href, hashBytes(new Uint8Array([1])), LIMITS);

    expect(outcome).to.include({ ok: false, reason: "hash-mismatch" });
  });

  it("reports a missing file as unavailable", async function () {
    const outcome = await fetchBlob(pathToFileURL(join(dir, "absent")).href, hashBytes(PAYLOAD), LIMITS);

    expect(outcome).to.include({ ok: false, reason: "unavailable" });
  });

  it("refuses a file over the size cap as unavailable", async function () {
    const path = join(dir, "big");
    await writeFile(path, new Uint8Array(LIMITS.maxBytes + 1));

    const outcome = await fetchBlob(pathToFileURL(path).href, hashBytes(PAYLOAD), LIMITS);

    expect(outcome).to.include({ ok: false, reason: "unavailable" });
    if (!outcome.ok) expect(outcome.detail).to.match(/exceed the limit/);
  });

  it("reports an unsupported scheme and a non-URI as unavailable", async function () {
    const scheme = await fetchBlob("ftp://example.invalid/u", hashBytes(PAYLOAD), LIMITS);
    const garbage = await fetchBlob("not a uri", hashBytes(PAYLOAD), LIMITS);

    expect(scheme).to.include({ ok: false, reason: "unavailable" });
    expect(garbage).to.include({ ok: false, reason: "unavailable" });
  });

  describe("over HTTP", function () {
    it("fetches and verifies a body", async function () {
      const { base, server } = await serve({ "/u": (res) => res.end(PAYLOAD) });
      try {
        const outcome = await fetchBlob(`${base}/u`, hashBytes(PAYLOAD), LIMITS);

        expect(outcome.ok).to.equal(true);
      } finally {
        await stop(server);
      }
    });

    it("stops reading a body that grows past the cap without a content-length", async function () {
      const { base, server } = await serve({
        "/big": (res) => {
          res.writeHead(200, { "transfer-encoding": "chunked" });
          for (let i = 0; i < 8; i += 1) res.write(new Uint8Array(512));
          res.end();
        },
      });
      try {
        const outcome = await fetchBlob(`${base}/big`, hashBytes(PAYLOAD), LIMITS);

        expect(outcome).to.include({ ok: false, reason: "unavailable" });
        if (!outcome.ok) expect(outcome.detail).to.match(/limit of 1024/);
      } finally {
        await stop(server);
      }
    });

    it("gives up on a server that never finishes, after the timeout", async function () {
      const { base, server } = await serve({
        "/hang": (res) => {
          res.writeHead(200);
          res.write(new Uint8Array(10));
        },
      });
      try {
        const outcome = await fetchBlob(`${base}/hang`, hashBytes(PAYLOAD), { maxBytes: 1024, timeoutMs: 300 });

        expect(outcome).to.deep.equal({ ok: false, reason: "unavailable", detail: "timed out" });
      } finally {
        await stop(server);
      }
    });

    it("reports an HTTP error status as unavailable", async function () {
      const { base, server } = await serve({});
      try {
        const outcome = await fetchBlob(`${base}/missing`, hashBytes(PAYLOAD), LIMITS);

        expect(outcome).to.deep.equal({ ok: false, reason: "unavailable", detail: "HTTP 404 Not Found" });
      } finally {
        await stop(server);
      }
    });
  });

  describe("with a content-addressed cache", function () {
    it("serves a second fetch from the cache, even when the source is gone", async function () {
      const cache = new LocalDirectoryStore(join(dir, "cache"));
      const path = join(dir, "u.safetensors");
      await writeFile(path, PAYLOAD);
      const first = await fetchBlob(pathToFileURL(path).href, hashBytes(PAYLOAD), LIMITS, cache);
      await rm(path);

      const second = await fetchBlob(pathToFileURL(path).href, hashBytes(PAYLOAD), LIMITS, cache);

      expect(first).to.include({ ok: true, fromCache: false });
      expect(second).to.include({ ok: true, fromCache: true });
    });
  });
});
