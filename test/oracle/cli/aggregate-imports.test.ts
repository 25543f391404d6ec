import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { VECTORS_DIR } from "../compute/vectors-dir.ts";

const ROOT = new URL("../../../", import.meta.url);
const CW = fileURLToPath(new URL("bin/cw.js", ROOT));

/** A module-resolution hook that prints every module a process loads (`--import` of this URL). */
const HOOK = `data:text/javascript,${encodeURIComponent('export async function resolve(specifier, context, next) { const r = await next(specifier, context); process.stderr.write("LOADED " + r.url + "\\n"); return r; }')}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(HOOK)});`)}`;

/** What `cw <args>` loads: the packages (by name) and our own modules (paths from the repository root). */
function loadedBy(args: string[]): Promise<{ stdout: string; packages: Set<string>; own: Set<string> }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", REGISTER, CW, ...args], { encoding: "utf8", maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err !== null) return reject(new Error(`cw ${args.join(" ")} failed: ${stderr.slice(-2000)}`));
      const urls = stderr.split("\n").filter((l) => l.startsWith("LOADED file:")).map((l) => l.slice("LOADED ".length));
      const packages = new Set(urls.filter((u) => u.includes("/node_modules/")).map((u) => (/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u) as RegExpExecArray)[1] as string));
      const own = new Set(urls.filter((u) => !u.includes("/node_modules/") && u.startsWith(ROOT.href)).map((u) => u.slice(ROOT.href.length)));
      resolve({ stdout, packages, own });
    });
  });
}

describe("what cw aggregate loads at start", function () {
  this.timeout(60_000);

  it("loads commander and the aggregation alone: no chain, queue, IPFS, logging, tfjs, webgpu or schema library", async function () {
    const dir = fileURLToPath(new URL("multi-krum-wide/", VECTORS_DIR));
    const { stdout, packages, own } = await loadedBy(["aggregate", dir, "--backend", "cpu"]);
    // It still computes the round.
    expect(JSON.parse(stdout)).to.deep.equal(JSON.parse(await readFile(new URL("expected.json", `file://${dir}`), "utf8")));
    expect([...packages]).to.deep.equal(["commander"]);
    const outside = [...own].filter((path) => !/^(bin\/cw\.js|oracle\/(cli|compute|protocol|storage)\/.*\.ts|oracle\/errors\.ts)$/.test(path));
    expect(outside, "modules outside the aggregation path").to.deep.equal([]);
    for (const path of own) expect(path).to.not.match(/oracle\/(compute\/(tfjs|webgpu)|storage\/ipfs|cli\/commands\/(?!aggregate))/);
  });
});
