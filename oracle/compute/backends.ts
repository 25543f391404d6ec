// The tfjs and webgpu backends and the logger load only when a selection needs them, so `--backend cpu`
// (and `cw aggregate` on it) pays for none of them at start.
import { InvalidInputError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { CpuBackend } from "./cpu/backend.ts";
import type { AlignedRound } from "../protocol/alignment.ts";
import { BACKEND_NAMES, type BackendName, type ComputeBackend, type RoundSession } from "./types.ts";

/** Options of {@link createBackend}. */
export type BackendOptions = {
  /** Worker threads of the cpu backend. @defaultValue os.availableParallelism() */
  threads?: number;
  /**
   * Where backend selection is logged (which adapter, and why).
   * @defaultValue info-level JSON lines on stderr (stdout may carry a command's result)
   */
  log?: Logger;
  /**
   * Select (probe adapters, load libraries) only when the first round opens, not now: a process
   * that fails before its first job (chain down) then never touches the GPU.
   * @defaultValue false
   */
  lazy?: boolean;
};

/**
 * Where `@tensorflow/tfjs-node-gpu` would load from, or why it cannot (not installed): checked
 * without importing anything, so `auto` loads TensorFlow.js only where it can run on a GPU.
 */
function tfjsNodeGpuLocation(): string {
  try {
    return `installed at ${import.meta.resolve("@tensorflow/tfjs-node-gpu")}`;
  } catch {
    return "not installed (the optional package @tensorflow/tfjs-node-gpu does not resolve)";
  }
}

/** Info-level JSON lines on stderr (stdout may carry a command's result). */
async function defaultLog(): Promise<Logger> {
  const { pino } = await import("pino");
  return pino({ level: "info" }, pino.destination(2));
}

/** A backend chosen at its first {@link ComputeBackend.open}; concurrent first opens share one selection. */
class LazyBackend implements ComputeBackend {
  readonly #requested: string;
  readonly #create: () => Promise<ComputeBackend>;
  #selected: Promise<ComputeBackend> | undefined;
  #name: string | undefined;

  constructor(requested: string, create: () => Promise<ComputeBackend>) {
    this.#requested = requested;
    this.#create = create;
  }

  /** The selected backend's name, or `<requested> (selected at the first job)` before that. */
  get name(): string {
    return this.#name ?? `${this.#requested} (selected at the first job)`;
  }

  async open(round: AlignedRound): Promise<RoundSession> {
    this.#selected ??= this.#create().then((backend) => {
      this.#name = backend.name;
      return backend;
    });
    return (await this.#selected).open(round);
  }

  async dispose(): Promise<void> {
    if (this.#selected) await (await this.#selected).dispose();
  }
}

/**
 * Creates a backend by name. `tfjs` runs on `@tensorflow/tfjs-node-gpu` when it is installed,
 * otherwise on tfjs's pure-JS cpu backend. `webgpu` takes a hardware WebGPU adapter, else the
 * software one (Mesa llvmpipe). `auto` takes a hardware WebGPU adapter, else tfjs on a GPU (loaded
 * only when `@tensorflow/tfjs-node-gpu` resolves), else `cpu`, and never a software adapter.
 * Adapters are probed in a child process (see {@link openWebgpu}). The choice and its reason are logged.
 * @throws {InvalidInputError} on an unknown name, or `webgpu` when no adapter exists.
 */
export async function createBackend(name: BackendName | string, options: BackendOptions = {}): Promise<ComputeBackend> {
  if (name === "cpu") return new CpuBackend({ threads: options.threads });
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) throw new InvalidInputError(`unknown backend "${name}"; expected cpu, tfjs, webgpu or auto`);
  const log = (options.log ?? (await defaultLog())).child({ module: "compute-backend" });
  if (options.lazy === true) return new LazyBackend(name, () => createBackend(name, { ...options, lazy: false, log }));
  const { TfjsBackend, loadTfjs } = await import("./tfjs/backend.ts");
  const { WebgpuBackend } = await import("./webgpu/backend.ts");
  const { openWebgpu } = await import("./webgpu/device.ts");
  switch (name) {
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
      const gpuPackage = tfjsNodeGpuLocation();
      if (gpuPackage.startsWith("not installed")) {
        log.info({ webgpu: opened, tfjsNodeGpu: gpuPackage }, "backend auto: cpu (no hardware WebGPU adapter, @tensorflow/tfjs-node-gpu not installed)");
        return new CpuBackend({ threads: options.threads });
      }
      const tf = await loadTfjs();
      if (tf.onGpu) {
        log.info({ webgpu: opened }, "backend auto: tfjs-node-gpu (no hardware WebGPU adapter)");
        return new TfjsBackend(tf);
      }
      log.info({ webgpu: opened, tfjsNodeGpu: tf.gpuError ?? "not loaded" }, "backend auto: cpu (no hardware WebGPU adapter, tfjs-node-gpu did not load)");
      return new CpuBackend({ threads: options.threads });
    }
    default:
      throw new InvalidInputError(`unknown backend "${name}"; expected cpu, tfjs, webgpu or auto`);
  }
}
