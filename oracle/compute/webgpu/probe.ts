/**
 * The adapter probe process, started by `openWebgpu`: prints what each adapter request found as
 * JSON on stdout and exits. Argument: `software` to include the OpenGL ES (llvmpipe) attempt.
 * @packageDocumentation
 */
import { probeAttempts } from "./device.ts";

const results = await probeAttempts(process.argv[2] === "software");
process.stdout.write(`${JSON.stringify(results)}\n`);
// dawn.node keeps its instances (and the event loop) alive; the answer is written, so leave.
process.stdout.write("", () => process.exit(0));
