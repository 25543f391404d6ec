import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { VECTORS_DIR } from "../compute/vectors-dir.ts";

const CW = fileURLToPath(new URL("../../../bin/cw.js", import.meta.url));

type Run = { code: number; stdout: string; stderr: string };

function cw(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CW, ...args], { encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const caseDir = (name: string): string => fileURLToPath(new URL(`${name}/`, VECTORS_DIR));

describe("cw CLI", function () {
  this.timeout(60_000);

  it("aggregate prints expected.json's fields in its key order and writes the model", async function () {
    const dir = await mkdtemp(join(tmpdir(), "cw-test-"));
    try {
      const out = join(dir, "model.safetensors");
      const run = await cw("aggregate", caseDir("trimmed-mean"), "--backend", "cpu", "--shards", "3", "--out", out);
      const expected = JSON.parse(await readFile(join(caseDir("trimmed-mean"), "expected.json"), "utf8")) as object;

      expect(run.code).to.equal(0);
      const printed = JSON.parse(run.stdout) as object;
      expect(Object.keys(printed)).to.deep.equal(Object.keys(expected));
      expect(printed).to.deep.equal(expected);
      expect((await readFile(out)).equals(await readFile(join(caseDir("trimmed-mean"), "expected-model.safetensors")))).to.equal(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("aggregate on the tfjs backend prints the same result", async function () {
    const run = await cw("aggregate", caseDir("median-even"), "--backend", "tfjs");
    expect(run.code).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal(JSON.parse(await readFile(join(caseDir("median-even"), "expected.json"), "utf8")));
  });

  it("inspect reports the hash, exponents and norm of an update", async function () {
    const file = join(caseDir("invalid-reasons"), "u00.safetensors");
    const run = await cw("inspect", file);
    const report = JSON.parse(run.stdout) as { hash: string; kind: string; tensors: { exponent?: number }[]; norm?: { approx: number } };

    expect(run.code).to.equal(0);
    expect(report.kind).to.equal("update");
    expect(report.hash).to.equal("0x41fe424168ed4fc19883594fcc105756399447097ab364e79cddcb37bb06195e");
    expect(report.tensors.map((t) => t.exponent)).to.deep.equal([-15, -8, -15]);
    expect(report.norm?.approx).to.be.a("number").and.be.at.most(1);
  });

  it("inspect rejects a non-canonical file with one line and status 2", async function () {
    const run = await cw("inspect", join(caseDir("invalid-reasons"), "u08.safetensors"));
    expect(run.code).to.equal(2);
    expect(run.stderr.trim().split("\n")).to.have.length(1);
    expect(run.stderr).to.match(/^cw: .*canonical/);
  });

  it("aggregate fails with status 2 and one line for a missing folder", async function () {
    const run = await cw("aggregate", "/nonexistent/case");
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/^cw: cannot read .*round\.json/);
    expect(run.stderr).not.to.match(/\n\s+at /);
  });

  it("aggregate fails with status 2 on malformed round.json", async function () {
    const dir = await mkdtemp(join(tmpdir(), "cw-test-"));
    try {
      await writeFile(join(dir, "round.json"), "{not json");
      const run = await cw("aggregate", dir);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/^cw: round\.json is not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const bad of [["--backend", "gpu"], ["--shards", "0"], ["--shards", "x"]]) {
    it(`aggregate rejects ${bad.join(" ")} with status 2`, async function () {
      const run = await cw("aggregate", caseDir("median-odd"), ...bad);
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal("");
      expect(run.stderr).to.match(/invalid/);
    });
  }

  it("--help exits 0 and lists the commands", async function () {
    const run = await cw("--help");
    expect(run.code).to.equal(0);
    expect(run.stdout).to.match(/aggregate/).and.to.match(/inspect/);
  });
});
