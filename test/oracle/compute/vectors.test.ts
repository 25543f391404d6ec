import { readdir, readFile } from "node:fs/promises";

import { expect } from "chai";

import { aggregateRound } from "../../../oracle/compute/aggregate-round.ts";
import { createBackend } from "../../../oracle/compute/backends.ts";
import { CpuBackend } from "../../../oracle/compute/cpu/backend.ts";
import { loadCase } from "../../../oracle/storage/case-loader.ts";
import type { ComputeBackend } from "../../../oracle/compute/types.ts";
import { canonicalJson } from "../../../oracle/protocol/result.ts";
import { vectorCaseNames, VECTORS_DIR } from "./vectors-dir.ts";

type BackendCase = { label: string; make: () => Promise<ComputeBackend> };

const BACKENDS: BackendCase[] = [
  { label: "cpu (1 thread)", make: () => createBackend("cpu", { threads: 1 }) },
  // The vectors are small: without minThreadedElements 0 they would run on the calling thread.
  { label: "cpu (2 threads)", make: () => Promise.resolve(new CpuBackend({ threads: 2, minThreadedElements: 0 })) },
  { label: "tfjs", make: () => createBackend("tfjs") },
];

async function readOptional(url: URL): Promise<Buffer | null> {
  try {
    return await readFile(url);
  } catch (err) {
    if (err instanceof Error && "code" in err && err.code === "ENOENT") return null;
    throw err;
  }
}

describe("conformance vectors (docs/protocol.md §6)", function () {
  this.timeout(120_000);
  const cases = vectorCaseNames();

  it("finds all conformance cases", function () {
    expect(cases.length).to.be.at.least(16);
  });

  for (const backendCase of BACKENDS) {
    describe(backendCase.label, function () {
      let backend: ComputeBackend;
      before(async function () {
        backend = await backendCase.make();
      });
      after(async function () {
        await backend.dispose();
      });

      for (const name of cases) {
        for (const shards of [1, 3]) {
          it(`${name} with ${shards} shard(s) reproduces expected.json and the model bytes`, async function () {
            const dir = new URL(`${name}/`, VECTORS_DIR);
            const expected = JSON.parse(await readFile(new URL("expected.json", dir), "utf8")) as Record<string, unknown>;
            const expectedModel = await readOptional(new URL("expected-model.safetensors", dir));

            const { result, model } = await aggregateRound(await loadCase(dir.pathname), { backend, shards });

            expect(Object.keys(result)).to.deep.equal(Object.keys(expected));
            expect(canonicalJson(result)).to.equal(canonicalJson(expected));
            if (expectedModel === null) expect(model).to.equal(null);
            else expect(Buffer.from(model ?? new Uint8Array()).equals(expectedModel)).to.equal(true);
          });
        }
      }
    });
  }
});
