// `npm run test:multihost`: the multi-host fault test (root only). Builds the namespaces, runs the
// scenario on the chain host, and always removes the namespaces and links, also on failure.
import { spawn } from "node:child_process";
import type { Duplex } from "node:stream";
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createHosts, destroyHosts, netemAvailable, servePartitions, whyNotRunnable } from "../test/multihost/netns.ts";

const HOSTS = ["chain", "opA", "opB", "opBWorkers", "redisCluster", "auditor", "keeper", "c1", "c2", "c3", "c4"] as const;
const TIMEOUT_MS = 15 * 60_000;
/** How much of each host's log a failed run prints. */
const LOG_TAIL_LINES = 40;

const reason = whyNotRunnable();
if (reason !== undefined) {
  console.log(`multihost test skipped: ${reason}`);
  process.exit(0);
}

const startedAt = Date.now();
const work = await mkdtemp(join(tmpdir(), "cw-multihost-"));
const cleanUp = (): void => destroyHosts();
const onSignal = (): void => {
  cleanUp();
  process.exit(130);
};
process.once("SIGINT", onSignal);
process.once("SIGTERM", onSignal);

let status = 1;
try {
  const netem = netemAvailable() ? { delayMs: 50, lossPercent: 1 } : undefined;
  if (!netem) console.log("NOTE: this kernel has no tc netem qdisc: the links run without the 50 ms delay and 1% loss");
  const hosts = createHosts(HOSTS, netem);
  const byName = Object.fromEntries(hosts.map((h) => [h.name, h]));
  const chain = byName.chain!;
  status = await new Promise<number>((resolve) => {
    // fd 3: the scenario's partition requests, carried out here in the root namespace.
    const child = spawn("ip", ["netns", "exec", chain.ns, process.execPath, "scripts/multihost-scenario.ts", work, JSON.stringify(byName)], { stdio: ["inherit", "inherit", "inherit", "pipe"] });
    const control = child.stdio[3];
    if (control) servePartitions(control as Duplex);
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });
} finally {
  cleanUp();
  for (const dir of await readdir("ignition/deployments").catch(() => [] as string[])) {
    const path = join("ignition/deployments", dir);
    if (dir.startsWith("devnet-") && (await stat(path)).mtimeMs >= startedAt) await rm(path, { recursive: true, force: true });
  }
  if (status === 0) await rm(work, { recursive: true, force: true });
  else {
    // The work folder may be gone by the time someone reads a CI log: print each log's tail too.
    for (const name of (await readdir(work).catch(() => [] as string[])).filter((n) => n.endsWith(".log")).sort()) {
      const lines = (await readFile(join(work, name), "utf8").catch(() => "")).trimEnd().split("\n").slice(-LOG_TAIL_LINES);
      console.log(`--- ${name} (last ${lines.length} lines)\n${lines.join("\n")}`);
    }
    console.log(`multihost test failed; the hosts' logs are in ${work}`);
  }
}
process.exit(status);
