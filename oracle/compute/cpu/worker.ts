// Worker thread of the cpu backend: holds one opened round and runs kernels on request.
import { parentPort } from "node:worker_threads";

import { InvariantError } from "../../errors.ts";
import type { AlignedRound } from "../../protocol/alignment.ts";
import { runKernel, type KernelRequest } from "./kernels.ts";

type Message = { id: number; open: AlignedRound } | { id: number; request: KernelRequest } | { id: number; close: true };

let round: AlignedRound | undefined;

parentPort?.on("message", (message: Message) => {
  try {
    if ("open" in message) {
      round = message.open;
      parentPort?.postMessage({ id: message.id, result: null });
    } else if ("close" in message) {
      round = undefined;
      parentPort?.postMessage({ id: message.id, result: null });
    } else {
      if (round === undefined) throw new InvariantError("no round opened in this worker");
      parentPort?.postMessage({ id: message.id, result: runKernel(round, message.request) });
    }
  } catch (err) {
    // Reported to the caller, which rejects the pending call with it.
    parentPort?.postMessage({ id: message.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
});
