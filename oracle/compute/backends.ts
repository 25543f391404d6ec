import { pino } from "pino";

import { InvalidInputError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { CpuBackend } from "./cpu/backend.ts";
import { TfjsBackend, loadTfjs } from "./tfjs/backend.ts";
import type { BackendName, ComputeBackend } from "./types.ts";
import { WebgpuBackend } from "./webgpu/backend.ts";
import { openWebgpu } from "./webgpu/device.ts";

/** Options of {@link createBackend}. */
export type BackendOptions = {
  /** Worker threads of the cpu backend. @defaultValue os.availableParallelism() */
  threads?: number;
  /**
   * Where backend selection is logged (which adapter, and why).
   * @defaultValue info-level JSON lines on stderr (stdout may carry a command's result)
   */
  log?: Logger;
};

/**
 * Creates a backend by name. `tfjs` runs on `@tensorflow/tfjs-node-gpu` when it is installed,
 * otherwise on tfjs's pure-JS cpu backend. `webgpu` takes a hardware WebGPU adapter, else the
 * software one (Mesa llvmpipe). `auto` takes a hardware WebGPU adapter, else tfjs on a GPU, else
 * `cpu`, and never a software adapter. The choice and its reason are logged.
 * @throws {InvalidInputError} on an unknown name, or `webgpu` when no adapter exists.
 */
export async function createBackend(name: BackendName | string, options: BackendOptions = {}): Promise<ComputeBackend> {
  const log = (options.log ?? pino({ level: "info" }, pino.destination(2))).child({ module: "compute-backend" });
  switch (name) {
    case "cpu":
      return new CpuBackend({ threads: options.threads });
    case "tfjs":
      return new TfjsBackend(await loadTfjs());
    case "webgpu": {
      const opened = await openWebgpu({ allowSoftware: true, log });
      if (typeof opened === "string") throw new InvalidInputError(`backend webgpu: ${opened}`);
      log.info({ adapter: opened.adapter }, `backend webgpu: ${opened.adapter.software ? "software adapter" : "hardware adapter"}`);
      return new WebgpuBackend(opened, log);
    }
    case "auto": {
      const opened = await openWebgpu({ allowSoftware: false, log });
      if (typeof opened !== "string") {
        log.info({ adapter: opened.adapter }, "backend auto: webgpu on a hardware adapter");
        return new WebgpuBackend(opened, log);
      }
      const tf = await loadTfjs();
      if (tf.onGpu) {
        log.info({ webgpu: opened }, "backend auto: tfjs-node-gpu (no hardware WebGPU adapter)");
        return new TfjsBackend(tf);
      }
      log.info({ webgpu: opened, tfjsNodeGpu: tf.gpuError ?? "not loaded" }, "backend auto: cpu (no hardware WebGPU adapter, no tfjs-node-gpu)");
      return new CpuBackend({ threads: options.threads });
    }
    default:
      throw new InvalidInputError(`unknown backend "${name}"; expected cpu, tfjs, webgpu or auto`);
  }
}
