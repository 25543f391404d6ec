import { expect } from "chai";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { IntegrityError } from "../../../oracle/errors.ts";
import { hashBytes } from "../../../oracle/protocol/hash.ts";
import { LocalDirectoryStore } from "../../../oracle/storage/local-directory-store.ts";

describe("storage: LocalDirectoryStore", function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-store-"));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("stores bytes under their sha256 and returns them", async function () {
    const store = new LocalDirectoryStore(dir);
    const bytes = new TextEncoder().encode("model bytes");

    const stored = await store.put(bytes);

    expect(stored.hash).to.equal(hashBytes(bytes));
    expect(stored.uri).to.match(/^file:\/\//);
    expect(Buffer.from((await store.get(stored.hash)) ?? []).toString()).to.equal("model bytes");
  });

  it("keeps one file for the same bytes stored twice", async function () {
    const store = new LocalDirectoryStore(dir);
    const bytes = new Uint8Array([1, 2, 3]);

    await store.put(bytes);
    await store.put(bytes);

    expect(await readdir(dir)).to.have.length(1);
  });

  it("returns undefined for an absent hash", async function () {
    const store = new LocalDirectoryStore(dir);

    expect(await store.get(hashBytes(new Uint8Array([9])))).to.equal(undefined);
    expect(await store.has(hashBytes(new Uint8Array([9])))).to.equal(false);
  });

  it("throws IntegrityError when a stored file was altered", async function () {
    const store = new LocalDirectoryStore(dir);
    const stored = await store.put(new Uint8Array([1, 2, 3]));
    await writeFile(fileURLToPath(stored.uri), new Uint8Array([1, 2, 4]));

    const failure: unknown = await store.get(stored.hash).then(() => undefined, (err: unknown) => err);

    expect(failure).to.be.instanceOf(IntegrityError);
  });
});
