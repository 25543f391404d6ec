import type * as TfModule from "@tensorflow/tfjs";

/** The TensorFlow.js API object (the same surface for tfjs and tfjs-node-gpu). */
export type Tf = typeof TfModule;

/** A loaded TensorFlow.js, and whether it runs on `@tensorflow/tfjs-node-gpu`. */
export type LoadedTfjs = { tf: Tf; onGpu: boolean; /** Why tfjs-node-gpu did not load (for the selection log). */ gpuError?: string };

let loading: Promise<LoadedTfjs> | undefined;

async function importGpu(): Promise<Tf | string> {
  try {
    // Optional dependency: its install downloads libtensorflow and may be absent.
    const specifier = "@tensorflow/tfjs-node-gpu";
    return (await import(specifier)) as Tf;
  } catch (err) {
    // Documented expected case: not installed (or its native library failed to load); use the JS backend.
    if (err instanceof Error) return err.message;
    throw err;
  }
}

/**
 * Loads TensorFlow.js once: on `@tensorflow/tfjs-node-gpu` when it is installed and loads, otherwise
 * `@tensorflow/tfjs` on its pure-JS `cpu` backend (installs from npm alone, so CI runs this path).
 */
export function loadTfjs(): Promise<LoadedTfjs> {
  loading ??= (async () => {
    const gpu = await importGpu();
    if (typeof gpu !== "string") {
      await gpu.ready();
      return { tf: gpu, onGpu: true };
    }
    const tf = await import("@tensorflow/tfjs");
    await tf.setBackend("cpu");
    await tf.ready();
    return { tf, onGpu: false, gpuError: gpu };
  })();
  return loading;
}
