import { expect } from "chai";
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { EquivocationRefusedError } from "../../../oracle/errors.ts";
import { SigningGuard } from "../../../oracle/operator/signing-guard.ts";

const DIGEST_A = `0x${"aa".repeat(32)}`;
const DIGEST_B = `0x${"bb".repeat(32)}`;
const ROUND = "31337-0xrounds-7";

describe("operator: the signing guard", function () {
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "cw-guard-"));
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("allows signing the same digest again", async function () {
    const guard = new SigningGuard(dir);
    await guard.claim(ROUND, DIGEST_A);

    await guard.claim(ROUND, DIGEST_A);

    expect(await guard.signed(ROUND)).to.equal(DIGEST_A);
  });

  it("refuses a second, different digest for the round, also after a restart", async function () {
    await new SigningGuard(dir).claim(ROUND, DIGEST_A);

    const failure = await new SigningGuard(dir).claim(ROUND, DIGEST_B).then(() => undefined, (err: unknown) => err);

    expect(failure).to.be.instanceOf(EquivocationRefusedError);
  });

  it("reads an empty record (a crash mid-write by an older writer) as nothing signed, and records the digest", async function () {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${ROUND}.digest`), "");
    const guard = new SigningGuard(dir);

    await guard.claim(ROUND, DIGEST_B);

    expect(await guard.signed(ROUND)).to.equal(DIGEST_B);
  });

  it("reads a torn record (half a digest) as nothing signed", async function () {
    await writeFile(join(dir, `${ROUND}.digest`), DIGEST_A.slice(0, 30));

    expect(await new SigningGuard(dir).signed(ROUND)).to.equal(undefined);
  });

  it("leaves no temporary file behind and writes the whole digest", async function () {
    await new SigningGuard(dir).claim(ROUND, DIGEST_A);

    expect(await readdir(dir)).to.deep.equal([`${ROUND}.digest`]);
    expect(await readFile(join(dir, `${ROUND}.digest`), "utf8")).to.equal(DIGEST_A);
  });
});
