/// <reference types="@webgpu/types" />
import { performance } from "node:perf_hooks";

import { InvariantError } from "../../errors.ts";
import { WORKGROUP } from "./shaders.ts";

/** Milliseconds spent per stage since the last {@link Gpu.resetTiming}. */
export type StageTiming = { uploadMs: number; kernelMs: number; readbackMs: number };

/** Largest dispatch extent per dimension (the WebGPU default limit). */
const MAX_GROUPS = 65_535;
/** Workgroups along x when a dispatch needs a second dimension. */
const WIDE_X = 32_768;

// GPUBufferUsage / GPUMapMode values (WebGPU spec), so this module needs no globals at load time.
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;

/** The kernel parameters: the `Params` struct of shaders.ts (n, len, stride, -, a, b, c, d). */
export type Params = { n: number; len: number; stride: number; a?: number; b?: number; c?: number; d?: number };

/**
 * A WebGPU device with the few operations the backend needs: storage buffers, one dispatch with
 * validation checked, readback, and per-stage timing (each stage waits for the queue, so the
 * figures separate upload, kernel and readback).
 */
export class Gpu {
  readonly device: GPUDevice;
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  timing: StageTiming = { uploadMs: 0, kernelMs: 0, readbackMs: 0 };

  constructor(device: GPUDevice) {
    this.device = device;
  }

  resetTiming(): StageTiming {
    const before = this.timing;
    this.timing = { uploadMs: 0, kernelMs: 0, readbackMs: 0 };
    return before;
  }

  /** A storage buffer of `bytes` (rounded up to 4; zero-filled by WebGPU). */
  storage(bytes: number): GPUBuffer {
    return this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: STORAGE | COPY_DST | COPY_SRC });
  }

  /** Writes `data` to `buffer` and waits until the queue has it. */
  async upload(buffer: GPUBuffer, data: ArrayBufferView, started: number = performance.now()): Promise<void> {
    const bytes = Math.ceil(data.byteLength / 4) * 4;
    if (bytes > 0) this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, bytes);
    await this.device.queue.onSubmittedWorkDone();
    this.timing.uploadMs += performance.now() - started;
  }

  async #pipeline(source: string): Promise<GPUComputePipeline> {
    let pipeline = this.#pipelines.get(source);
    if (pipeline !== undefined) return pipeline;
    this.device.pushErrorScope("validation");
    const module = this.device.createShaderModule({ code: source });
    pipeline = this.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
    const error = await this.device.popErrorScope();
    if (error !== null) throw new InvariantError(`webgpu: kernel did not compile: ${error.message}`);
    this.#pipelines.set(source, pipeline);
    return pipeline;
  }

  /** Runs `source` over `threads` invocations with `buffers` at bindings 1.. and waits for it. */
  async run(source: string, params: Params, buffers: GPUBuffer[], threads: number): Promise<void> {
    const pipeline = await this.#pipeline(source);
    const started = performance.now();
    const groups = Math.max(1, Math.ceil(threads / WORKGROUP));
    const [x, y] = groups <= MAX_GROUPS ? [groups, 1] : [WIDE_X, Math.ceil(groups / WIDE_X)];
    if (y > MAX_GROUPS) throw new InvariantError(`webgpu: dispatch of ${threads} invocations is too large`);
    const uniform = this.device.createBuffer({ size: 32, usage: UNIFORM | COPY_DST });
    this.device.queue.writeBuffer(uniform, 0, new Uint32Array([params.n, params.len, params.stride, x * WORKGROUP, params.a ?? 0, params.b ?? 0, params.c ?? 0, params.d ?? 0]));
    this.device.pushErrorScope("validation");
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [uniform, ...buffers].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    const error = await this.device.popErrorScope();
    await this.device.queue.onSubmittedWorkDone();
    uniform.destroy();
    if (error !== null) throw new InvariantError(`webgpu: dispatch failed: ${error.message}`);
    this.timing.kernelMs += performance.now() - started;
  }

  /** Copies the first `bytes` of `buffer` back to the host. */
  async read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const started = performance.now();
    const size = Math.max(4, Math.ceil(bytes / 4) * 4);
    const staging = this.device.createBuffer({ size, usage: MAP_READ | COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(1 /* GPUMapMode.READ */);
    const copy = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    staging.destroy();
    this.timing.readbackMs += performance.now() - started;
    return copy;
  }

  destroy(): void {
    this.device.destroy();
  }
}
