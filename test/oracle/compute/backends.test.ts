import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { pino } from "pino";

import { aggregateRound } from "../../../oracle/compute/aggregate-round.ts";
import { createBackend } from "../../../oracle/compute/backends.ts";
import { InvalidInputError } from "../../../oracle/errors.ts";
import { canonicalJson } from "../../../oracle/protocol/result.ts";
import { loadCase } from "../../../oracle/storage/case-loader.ts";
import { VECTORS_DIR } from "./vectors-dir.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CW = join(ROOT, "bin/cw.js");
const CASE = fileURLToPath(new URL("median-odd/", VECTORS_DIR));

type Run = { code: number; stdout: string; stderr: string };

function cw(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CW, ...args], { encoding: "utf8", cwd: ROOT, env: { ...process.env, DEBUG: "" }, timeout: 110_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stdout, stderr });
    });
  });
}

type LogLine = { level: number; msg: string; [key: string]: unknown };

function capture(): { log: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, log: pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }) };
}

function tfjsNodeGpuInstalled(): boolean {
  try {
    import.meta.resolve("@tensorflow/tfjs-node-gpu");
    return true;
  } catch {
    return false;
  }
}

describe("compute backend selection", function () {
  this.timeout(180_000);

  it("cw aggregate with the default backend (auto) writes only JSON log lines on stderr, no native Dawn or Vulkan output", async function () {
    const result = await cw(["aggregate", CASE]);
    expect(result.code).to.equal(0);
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.to.throw();
    expect(lines.map((line) => (JSON.parse(line) as LogLine).msg).some((msg) => msg.startsWith("backend auto: "))).to.equal(true);
  });

  it("auto goes to cpu without loading TensorFlow.js when @tensorflow/tfjs-node-gpu is not installed, and says why", async function () {
    if (tfjsNodeGpuInstalled()) this.skip();
    const { log, lines } = capture();
    const backend = await createBackend("auto", { log, threads: 1 });
    try {
      const choice = lines.find((line) => line.msg.startsWith("backend auto: "));
      if (choice?.msg === "backend auto: webgpu on a hardware adapter") this.skip();
      expect(backend.name).to.equal("cpu");
      expect(choice?.msg).to.equal("backend auto: cpu (no hardware WebGPU adapter, @tensorflow/tfjs-node-gpu not installed)");
      expect(String(choice?.tfjsNodeGpu)).to.match(/^not installed/);
    } finally {
      await backend.dispose();
    }
  });

  it("a lazy backend selects nothing until its first round opens, then computes the round", async function () {
    const { log, lines } = capture();
    const backend = await createBackend("auto", { log, threads: 1, lazy: true });
    try {
      expect(lines).to.deep.equal([]);
      expect(backend.name).to.equal("auto (selected at the first job)");
      const expected = JSON.parse(await readFile(join(CASE, "expected.json"), "utf8")) as Record<string, unknown>;
      const { result } = await aggregateRound(await loadCase(CASE), { backend, shards: 1 });
      expect(canonicalJson(result)).to.equal(canonicalJson(expected));
      expect(lines.some((line) => line.msg.startsWith("backend auto: "))).to.equal(true);
      expect(backend.name).not.to.equal("auto (selected at the first job)");
    } finally {
      await backend.dispose();
    }
  });

  it("a lazy backend with an unknown name is refused at once", async function () {
    const { log } = capture();
    const refused = await createBackend("quantum", { log, lazy: true }).then(() => null, (err: unknown) => err);
    expect(refused).to.be.instanceOf(InvalidInputError);
  });
});
