import type { Model } from "./model-file.ts";
import { elementCount } from "./safetensors.ts";

/** One tensor of a model's layout: name, shape and element count. */
export interface TensorLayout {
  readonly name: string;
  readonly shape: number[];
  readonly size: number;
}

/** The base model's tensor layout, which every update must match (docs/protocol.md §1.2). */
export function layoutOf(base: Model): TensorLayout[] {
  return base.tensors.map((t) => ({ name: t.name, shape: t.shape, size: elementCount(t.shape) }));
}
