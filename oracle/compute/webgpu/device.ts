/// <reference types="@webgpu/types" />
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

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

const execFileAsync = promisify(execFile);

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

/** One way of asking Dawn for an adapter. */
type Attempt = { backend: AdapterSummary["backend"]; flags: string[]; request: GPURequestAdapterOptions };

/** Dawn's default (Vulkan on Linux: the GPU), then, when allowed, OpenGL ES in compatibility mode (Mesa llvmpipe). */
function attemptsFor(allowSoftware: boolean): Attempt[] {
  const attempts: Attempt[] = [{ backend: "default", flags: [], request: { powerPreference: "high-performance" } }];
  if (allowSoftware) attempts.push({ backend: "opengles", flags: ["backend=opengles"], request: { featureLevel: "compatibility" } });
  return attempts;
}

async function requestAdapter(dawn: DawnModule, attempt: Attempt): Promise<GPUAdapter | string> {
  try {
    const gpu = dawn.create(attempt.flags);
    instances.push(gpu);
    return (await gpu.requestAdapter(attempt.request)) ?? "no adapter";
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** What the probe process found for one attempt: the adapter's summary, or why there was none. */
export type ProbeResult = { summary: AdapterSummary } | { reason: string };

/**
 * Runs in the short-lived probe process (`probe.ts`): asks Dawn for an adapter the way each attempt
 * says. Dawn and the Vulkan loader print warnings on file descriptor 2 natively; here they land in
 * the parent's pipe, not on the user's terminal.
 */
export async function probeAttempts(allowSoftware: boolean): Promise<ProbeResult[]> {
  const dawn = await loadDawn();
  if (typeof dawn === "string") return [{ reason: dawn }];
  const results: ProbeResult[] = [];
  for (const attempt of attemptsFor(allowSoftware)) {
    const adapter = await requestAdapter(dawn, attempt);
    results.push(typeof adapter === "string" ? { reason: `${attempt.backend}: ${adapter}` } : { summary: summarize(adapter, attempt.backend) });
  }
  return results;
}

const PROBE = fileURLToPath(new URL("./probe.ts", import.meta.url));
const PROBE_TIMEOUT_MS = 60_000;

/** Runs {@link probeAttempts} in a child process; its stderr (Dawn's native noise) is logged at debug level. */
async function probeInChild(allowSoftware: boolean, log: Logger): Promise<ProbeResult[] | string> {
  prepareDawnEnvironment();
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [PROBE, allowSoftware ? "software" : "hardware"], {
      timeout: PROBE_TIMEOUT_MS,
      maxBuffer: 1 << 20,
    });
    if (stderr.trim() !== "") log.debug({ stderr: stderr.trim() }, "webgpu: adapter probe's native output");
    return JSON.parse(stdout) as ProbeResult[];
  } catch (err) {
    const detail = err as { stderr?: string; message?: string };
    if (detail.stderr) log.debug({ stderr: detail.stderr.trim() }, "webgpu: adapter probe's native output");
    return `the adapter probe failed: ${(detail.message ?? String(err)).split("\n")[0]}`;
  }
}

/** Device files through which Linux exposes a GPU (DRM render nodes, NVIDIA, WSL's /dev/dxg). */
function linuxGpuDevices(): string[] {
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const dri = list("/dev/dri").filter((name) => name.startsWith("renderD")).map((name) => `/dev/dri/${name}`);
  const dev = list("/dev").filter((name) => /^nvidia\d+$/.test(name) || name === "dxg").map((name) => `/dev/${name}`);
  return [...dri, ...dev];
}

/**
 * Why no hardware adapter can exist without asking Dawn (Linux with no GPU device file), else
 * undefined: then `auto` costs no probe process on a machine without a GPU.
 */
function missingGpuDevice(): string | undefined {
  if (process.platform !== "linux" || linuxGpuDevices().length > 0) return undefined;
  return "no WebGPU adapter (no GPU device file: /dev/dri/renderD*, /dev/nvidia*, /dev/dxg)";
}

/** Options of {@link openWebgpu}. */
export type OpenOptions = {
  /** Accept a software adapter (Mesa llvmpipe through OpenGL ES) when no hardware one exists. */
  allowSoftware: boolean;
  log: Logger;
};

/**
 * Opens a WebGPU device: first Dawn's default (Vulkan on Linux: the GPU), then, when allowed, Dawn's
 * OpenGL ES backend in compatibility mode (Mesa llvmpipe on a machine without a GPU). Adapters are
 * first probed in a short-lived child process (skipped for a hardware-only request on Linux
 * without a GPU device file), so a machine without a usable adapter never loads Dawn here and nothing native reaches this process's stderr. Every step that finds nothing is
 * logged with its reason; returns the reason when no device opens.
 */
export async function openWebgpu(options: OpenOptions): Promise<WebgpuDevice | string> {
  const noGpu = options.allowSoftware ? undefined : missingGpuDevice();
  if (noGpu !== undefined) {
    options.log.debug({ reason: noGpu }, "webgpu: no adapter");
    return noGpu;
  }
  const probed = await probeInChild(options.allowSoftware, options.log);
  if (typeof probed === "string") {
    options.log.debug({ reason: probed }, "webgpu: no adapter");
    return probed;
  }
  const attempts = attemptsFor(options.allowSoftware);
  const reasons: string[] = [];
  for (const [i, result] of probed.entries()) {
    const attempt = attempts[i];
    if ("reason" in result || attempt === undefined) {
      reasons.push("reason" in result ? result.reason : "unexpected probe result");
      continue;
    }
    if (result.summary.software && !options.allowSoftware) {
      reasons.push(`${attempt.backend}: only a software adapter (${result.summary.device || result.summary.description})`);
      continue;
    }
    const dawn = await loadDawn();
    if (typeof dawn === "string") {
      reasons.push(dawn);
      break;
    }
    const adapter = await requestAdapter(dawn, attempt);
    if (typeof adapter === "string") {
      reasons.push(`${attempt.backend}: ${adapter} (the probe found one)`);
      continue;
    }
    const device = await adapter.requestDevice();
    return { device, adapter: summarize(adapter, attempt.backend) };
  }
  const reason = `no WebGPU adapter (${reasons.join("; ")})`;
  // The caller logs its choice with this reason (auto) or fails with it (webgpu).
  options.log.debug({ reason }, "webgpu: no adapter");
  return reason;
}
