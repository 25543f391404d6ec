import { InvalidInputError } from "../errors.ts";
import { CpuBackend } from "./cpu/backend.ts";
import { TfjsBackend, loadTfjs } from "./tfjs/backend.ts";
import { loadTfjsGpu } from "./tfjs/load.ts";
import type { BackendName, ComputeBackend } from "./types.ts";

/** Options of {@link createBackend}. */
export type BackendOptions = {
  /** Worker threads of the cpu backend. @defaultValue os.availableParallelism() */
  threads?: number;
};

/**
 * Creates a backend by name. `tfjs` runs on `@tensorflow/tfjs-node-gpu` when it is installed,
 * otherwise on tfjs's pure-JS cpu backend; `auto` picks tfjs on a GPU when present, else `cpu`.
 * @throws {InvalidInputError} on an unknown name.
 */
export async function createBackend(name: BackendName | string, options: BackendOptions = {}): Promise<ComputeBackend> {
  switch (name) {
    case "cpu":
      return new CpuBackend({ threads: options.threads });
    case "tfjs":
      return new TfjsBackend(await loadTfjs());
    case "auto": {
      const gpu = await loadTfjsGpu();
      return gpu?.onGpu === true ? new TfjsBackend(gpu) : new CpuBackend({ threads: options.threads });
    }
    default:
      throw new InvalidInputError(`unknown backend "${name}"; expected cpu, tfjs or auto`);
  }
}
