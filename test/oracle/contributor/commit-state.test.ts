import { expect } from "chai";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { emptyRoundState, freshSalt, readRoundState, statePath, writeRoundState, type StateKey } from "../../../oracle/contributor/commit-state.ts";
import { ConfigError } from "../../../oracle/errors.ts";

const KEY: StateKey = {
  chainId: 31337n,
  rounds: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  roundId: 7n,
  account: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
};

describe("contributor/commit-state: the salts needed to reveal", function () {
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-state-"));
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps one file per chain, rounds contract, round and account", function () {
    expect(statePath(dir, KEY)).to.equal(
      join(dir, "31337", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "round-7", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266.json"),
    );
  });

  it("reads back exactly what was written, with no temporary file left behind", async function () {
    const state = emptyRoundState(KEY);
    state.attempts.push({ updateHash: `0x${"ab".repeat(32)}`, uri: "file:///u", salt: freshSalt(), commitment: `0x${"cd".repeat(32)}`, preparedAt: "2025-01-01T00:00:00.000Z" });

    const path = await writeRoundState(dir, state);

    expect(await readRoundState(dir, KEY)).to.deep.equal(state);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    expect(await readFile(path, "utf8")).to.include(state.attempts[0]?.salt);
  });

  it("draws a fresh 32-byte salt each time", function () {
    const salts = new Set(Array.from({ length: 16 }, () => freshSalt()));

    expect(salts.size).to.equal(16);
    for (const salt of salts) expect(salt).to.match(/^0x[0-9a-f]{64}$/);
  });

  it("returns undefined when nothing was committed for the key", async function () {
    expect(await readRoundState(dir, KEY)).to.equal(undefined);
  });

  it("refuses a corrupt state file instead of treating it as empty", async function () {
    const path = await writeRoundState(dir, emptyRoundState(KEY));
    await writeFile(path, "{ not json");

    const error = await readRoundState(dir, KEY).then(() => undefined, (err: unknown) => err);

    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.match(/corrupt/);
  });
});
