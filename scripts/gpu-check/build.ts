// `node scripts/gpu-check/build.ts [OUT_DIR]`: packs the GPU check for a bare GPU machine (no Node, no
// npm, no network): the pinned Node binary, dawn.node, Debian's Vulkan loader, the check bundled with
// esbuild (compute backends, protocol, bench) and the conformance vectors, as one tar.xz under 64 MiB,
// plus run-on-gpu.sh beside it. Carry both files over, then `sh run-on-gpu.sh gpu-check.tar.xz`.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = process.argv[2] ?? join(root, ".cw/gpu-check");
const stage = join(out, "gpu-check");
/** What one carry to the GPU machine may hold. */
const LIMIT_BYTES = 64 * 2 ** 20;

function vulkanLoader(): string {
  try {
    const listed = execFileSync("dpkg", ["-L", "libvulkan1"], { encoding: "utf8" }).split("\n").find((f) => f.endsWith("/libvulkan.so.1"));
    if (listed !== undefined && existsSync(listed)) return realpathSync(listed);
  } catch {
    // Not installed: fetch the Debian package instead (below).
  }
  const dir = mkdtempSync(join(tmpdir(), "libvulkan1-"));
  execFileSync("apt-get", ["download", "libvulkan1"], { cwd: dir, stdio: "inherit" });
  const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
  if (deb === undefined) throw new Error("apt-get download libvulkan1 produced no .deb");
  execFileSync("dpkg", ["-x", join(dir, deb), join(dir, "x")]);
  return realpathSync(join(dir, "x/usr/lib/x86_64-linux-gnu/libvulkan.so.1"));
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(stage, "app/node_modules/webgpu/dist/linux-x64"), { recursive: true });
mkdirSync(join(stage, "lib"), { recursive: true });

// ESM bundles; CommonJS dependencies get a `require`. The cpu backend starts `./worker.ts` next to
// the bundle (new URL("./worker.ts", import.meta.url)), so the worker is bundled under that name.
const common = {
  bundle: true, platform: "node" as const, format: "esm" as const, target: "node24", external: ["webgpu", "@tensorflow/*"], logLevel: "warning" as const,
  banner: { js: "import { createRequire as __cwRequire } from 'node:module'; const require = __cwRequire(import.meta.url);" },
};
await build({ ...common, entryPoints: [join(root, "scripts/gpu-check/check.ts")], outfile: join(stage, "app/check.mjs") });
await build({ ...common, entryPoints: [join(root, "oracle/compute/cpu/worker.ts")], outfile: join(stage, "app/worker.ts") });
writeFileSync(join(stage, "app/package.json"), '{"type":"module"}\n');

const webgpu = join(root, "node_modules/webgpu");
for (const f of ["index.js", "package.json", "LICENSE.md"]) copyFileSync(join(webgpu, f), join(stage, "app/node_modules/webgpu", f));
copyFileSync(join(webgpu, "dist/linux-x64/dawn.node"), join(stage, "app/node_modules/webgpu/dist/linux-x64/dawn.node"));
copyFileSync(join(root, "node_modules/node/bin/node"), join(stage, "node"));
chmodSync(join(stage, "node"), 0o755);
copyFileSync(vulkanLoader(), join(stage, "lib/libvulkan.so.1"));
cpSync(join(root, "test/vectors"), join(stage, "app/vectors"), { recursive: true });
copyFileSync(join(root, "scripts/gpu-check/run.sh"), join(stage, "run.sh"));
chmodSync(join(stage, "run.sh"), 0o755);

const tarball = join(out, "gpu-check.tar.xz");
execFileSync("tar", ["-cJf", tarball, "-C", out, "gpu-check"], { stdio: "inherit", env: { ...process.env, XZ_OPT: "-3 -T0" } });
copyFileSync(join(root, "scripts/gpu-check/run-on-gpu.sh"), join(out, "run-on-gpu.sh"));
rmSync(stage, { recursive: true });
const bytes = statSync(tarball).size + statSync(join(out, "run-on-gpu.sh")).size;
process.stdout.write(`${tarball}: ${(bytes / 2 ** 20).toFixed(1)} MiB with run-on-gpu.sh (limit 64 MiB)\n`);
if (bytes > LIMIT_BYTES) {
  process.stderr.write("the bundle is over the 64 MiB carry limit\n");
  process.exit(1);
}
