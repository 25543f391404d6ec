// Runs on the chain host of `npm run test:multihost` (started by scripts/multihost.ts).
import { Socket } from "node:net";

import { runScenario } from "../test/multihost/scenario.ts";

const [work, hostsJson] = process.argv.slice(2);
if (!work || !hostsJson) {
  console.error("usage: multihost-scenario.ts <work dir> <hosts json> (run `npm run test:multihost`)");
  process.exit(2);
}
try {
  const control = new Socket({ fd: 3, readable: true, writable: true });
  const report = await runScenario(JSON.parse(hostsJson), work, process.execPath, control);
  control.destroy();
  console.log(`multihost: the round finalized ${(report.closeToFinalizedMs / 1000).toFixed(1)} s after close`);
  for (const [host, moved] of Object.entries(report.bytes)) console.log(`  ${host.padEnd(13)} sent ${String(moved.sent).padStart(10)} B, received ${String(moved.received).padStart(10)} B`);
  console.log("multihost test passed");
  process.exit(0);
} catch (err) {
  // stdout, like the rest of the test's output, so that a log of stdout alone still says why.
  console.log("multihost test FAILED:", err);
  process.exit(1);
}
