// Maintenance tool: `node scripts/complete-lockfile.mjs` after any `npm install` that rewrote
// package-lock.json on a machine whose registry mirror lacks some platform packages.
//
// Native packages (EDR, msgpackr-extract) ship one optional package per platform. A mirror that
// only carries the Linux x64 ones makes `npm install` drop the others from the lockfile, and
// `npm ci` then refuses the lockfile as out of sync. This adds the missing entries, with the
// platform fields their names encode, so every platform's `npm ci` sees a complete lockfile and
// skips (never fetches) what is not for it.
import { readFileSync, writeFileSync } from "node:fs";

const LOCK = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, "utf8"));
const packages = lock.packages;

function platformOf(name) {
  const m = /-(darwin|linux|win32)-(arm64|x64|arm|ia32)(?:-(gnu|musl|msvc))?$/.exec(name);
  if (!m) return undefined;
  const [, os, cpu, abi] = m;
  const entry = { os: [os], cpu: [cpu] };
  if (abi === "gnu" || abi === "musl") entry.libc = [abi === "gnu" ? "glibc" : "musl"];
  return entry;
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const depPath = `node_modules/${dep}`;
    if (packages[depPath] || packages[`${path}/${depPath}`]) continue;
    const platform = platformOf(dep);
    if (!platform) {
      throw new Error(`${dep} is missing from the lockfile and is not a platform package`);
    }
    packages[depPath] = { version: range.replace(/^[\^~]/, ""), optional: true, ...platform };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)));
writeFileSync(LOCK, JSON.stringify(lock, null, 2) + "\n");
process.stdout.write(`added ${added} platform entries to package-lock.json\n`);
