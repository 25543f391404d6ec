// Completes an install that npm ran under a Node older than the project's pinned one.
//
// npm decides which optional packages to install from the Node that runs npm itself. On a machine
// whose PATH has Node 20, npm marks EDR's native package (Hardhat's EVM, engines ">= 22") as
// unusable and skips it, although the project runs everything on the pinned Node 24 from the
// `node` dev dependency. By the time this root postinstall runs, `node` on PATH is that Node 24,
// so a second `npm install` pass under it adds what the first pass skipped. That pass runs this
// script again, which then finds everything in place and exits at once.
import { spawnSync } from "node:child_process";

const NATIVE_PROBES = ["@nomicfoundation/edr"];

/** Packages whose native part does not load; probed in a fresh process, so no module cache lies. */
function missingNative() {
  return NATIVE_PROBES.filter((name) => {
    const probe = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(name)})`], {
      stdio: "ignore",
    });
    return probe.status !== 0;
  });
}

/**
 * Compiles the contracts and generates their TypeScript bindings (types/), which the `cw` CLI, the
 * operator and the demo import: after `npm ci`, every command runs without a separate build step.
 * The compiler is the pinned solc npm package, so nothing is downloaded.
 */
function buildContracts() {
  const build = spawnSync("hardhat", ["build", "--quiet", "--no-tests"], { stdio: "inherit" });
  if (build.status !== 0) {
    process.stderr.write("commonweight: `hardhat build` failed; run `npx hardhat build` to see why.\n");
    process.exit(1);
  }
}

const missing = missingNative();
if (missing.length === 0) {
  buildContracts();
  process.exit(0);
}

process.stdout.write(
  `commonweight: completing native packages for Node ${process.version} (${missing.join(", ")})\n`,
);
const npmCli = process.env.npm_execpath;
const [command, args] = npmCli ? [process.execPath, [npmCli]] : ["npm", []];
const result = spawnSync(
  command,
  [...args, "install", "--no-save", "--no-audit", "--no-fund"],
  { stdio: "inherit" },
);
// The nested install ran this script again, which built the contracts once EDR was in place.
if (result.status !== 0 || missingNative().length > 0) {
  process.stderr.write(
    "commonweight: could not install EDR's native package for this platform. " +
      "Run `npx npm@11 install` with Node >= 22.13 on PATH, then retry.\n",
  );
  process.exit(1);
}
