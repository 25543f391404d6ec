// Checks of JSON values for the files the aggregation path reads (round.json and its policy). They are
// written out rather than declared with zod so that `cw aggregate` loads no schema library at start: importing
// zod costs about 25 ms (its locales load with its core), more than the rest of the command's imports together.
// Each check appends `path: message` to `problems` and returns the checked value, or undefined.

/** A decimal integer below 10^78 without leading zeros: the form of every uint256 in these files. */
export const DECIMAL_UINT = /^(0|[1-9][0-9]{0,77})$/;

/** Problems found so far, each `path: message`. */
export type Problems = string[];

/** `path` joined with `key` the way the messages name fields (`policy.rule`, `contributors.2.file`). */
export function fieldPath(path: string, key: string | number): string {
  return path === "" ? String(key) : `${path}.${key}`;
}

function missing(value: unknown, path: string, problems: Problems): boolean {
  if (value !== undefined) return false;
  problems.push(`${path}: required`);
  return true;
}

/** A plain object whose keys are all in `keys` (extra keys are problems, as in a strict schema). */
export function strictObject(value: unknown, path: string, keys: readonly string[], problems: Problems): Record<string, unknown> | undefined {
  if (missing(value, path, problems)) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${path}: must be an object`);
    return undefined;
  }
  for (const key of Object.keys(value)) if (!keys.includes(key)) problems.push(`${path}: unknown key "${key}"`);
  return value as Record<string, unknown>;
}

/** An array (its elements are checked by the caller). */
export function array(value: unknown, path: string, problems: Problems): unknown[] | undefined {
  if (missing(value, path, problems)) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be an array`);
    return undefined;
  }
  return value;
}

/** A JSON number that is a safe integer within [min, max]. */
export function safeInteger(value: unknown, path: string, min: number, max: number, problems: Problems): number | undefined {
  if (missing(value, path, problems)) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    problems.push(`${path}: must be a safe integer`);
    return undefined;
  }
  if (value < min || value > max) {
    problems.push(max === Number.MAX_SAFE_INTEGER ? `${path}: must be at least ${min}` : `${path}: must be from ${min} to ${max}`);
    return undefined;
  }
  return value;
}

/** A string matching `pattern`; `message` says what it must be. */
export function matching(value: unknown, path: string, pattern: RegExp, message: string, problems: Problems): string | undefined {
  if (missing(value, path, problems)) return undefined;
  if (typeof value !== "string" || !pattern.test(value)) {
    problems.push(`${path}: ${message}`);
    return undefined;
  }
  return value;
}

/** One of `options`. */
export function oneOf<T extends string>(value: unknown, path: string, options: readonly T[], problems: Problems): T | undefined {
  if (missing(value, path, problems)) return undefined;
  if (typeof value !== "string" || !(options as readonly string[]).includes(value)) {
    problems.push(`${path}: must be one of ${options.map((o) => `"${o}"`).join(", ")}`);
    return undefined;
  }
  return value as T;
}

/** `fields` when none is undefined (each check that failed left its field undefined), else undefined. */
export function complete<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T | undefined {
  return Object.values(fields).includes(undefined) ? undefined : (fields as T);
}
