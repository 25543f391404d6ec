/// <reference types="@webgpu/types" />
import { prepareDawnEnvironment } from "../../config.ts";
import type { Logger } from "../../logger.ts";

/** What an adapter says about itself, logged when a backend takes it. */
export type AdapterSummary = {
  backend: "vulkan" | "opengles" | "default";
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** llvmpipe, lavapipe, SwiftShader or a fallback adapter: correct but not a GPU. */
  software: boolean;
};

/** An opened WebGPU device and the adapter it came from. */
export type WebgpuDevice = { device: GPUDevice; adapter: AdapterSummary };

type DawnModule = { create(flags: string[]): GPU; globals: object };

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader/i;

let loading: Promise<DawnModule | string> | undefined;
/** GPU instances stay referenced for the process's life: an adapter outliving its instance crashes dawn.node. */
const instances: GPU[] = [];

/** Loads the `webgpu` package (Dawn) once; a load failure is returned as its message. */
function loadDawn(): Promise<DawnModule | string> {
  loading ??= (async () => {
    // Dawn's OpenGL ES backend needs EGL without a display (headless); set before dawn.node loads.
    prepareDawnEnvironment();
    try {
      const dawn = (await import("webgpu")) as DawnModule;
      // The documented way to use dawn.node: its GPU* classes and constants (GPUBufferUsage) as globals.
      Object.assign(globalThis, dawn.globals);
      return dawn;
    } catch (err) {
      return `the webgpu package (dawn.node) did not load: ${err instanceof Error ? err.message : String(err)}`;
    }
  })();
  return loading;
}

function summarize(adapter: GPUAdapter, backend: AdapterSummary["backend"]): AdapterSummary {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { backend, vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, software: fallback || SOFTWARE.test(text) };
}

/** Options of {@link openWebgpu}. */
export type OpenOptions = {
  /** Accept a software adapter (Mesa llvmpipe through OpenGL ES) when no hardware one exists. */
  allowSoftware: boolean;
  log: Logger;
};

/**
 * Opens a WebGPU device: first Dawn's default (Vulkan on Linux: the GPU), then, when allowed, Dawn's
 * OpenGL ES backend in compatibility mode (Mesa llvmpipe on a machine without a GPU). Every step that
 * finds nothing is logged with its reason; returns the reason when no device opens.
 */
export async function openWebgpu(options: OpenOptions): Promise<WebgpuDevice | string> {
  const dawn = await loadDawn();
  if (typeof dawn === "string") {
    options.log.warn({ reason: dawn }, "webgpu: package not loaded");
    return dawn;
  }
  const attempts: { backend: AdapterSummary["backend"]; flags: string[]; request: GPURequestAdapterOptions }[] = [
    { backend: "default", flags: [], request: { powerPreference: "high-performance" } },
  ];
  if (options.allowSoftware) attempts.push({ backend: "opengles", flags: ["backend=opengles"], request: { featureLevel: "compatibility" } });
  const reasons: string[] = [];
  for (const attempt of attempts) {
    let adapter: GPUAdapter | null;
    try {
      const gpu = dawn.create(attempt.flags);
      instances.push(gpu);
      adapter = await gpu.requestAdapter(attempt.request);
    } catch (err) {
      reasons.push(`${attempt.backend}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (adapter === null) {
      reasons.push(`${attempt.backend}: no adapter`);
      continue;
    }
    const summary = summarize(adapter, attempt.backend);
    if (summary.software && !options.allowSoftware) {
      reasons.push(`${attempt.backend}: only a software adapter (${summary.device || summary.description})`);
      continue;
    }
    const device = await adapter.requestDevice();
    return { device, adapter: summary };
  }
  const reason = `no WebGPU adapter (${reasons.join("; ")})`;
  options.log.info({ reason }, "webgpu: no adapter");
  return reason;
}
