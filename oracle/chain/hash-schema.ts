import { z } from "zod";

import { HASH_PATTERN } from "../protocol/hash.ts";

export { HASH_PATTERN };

/** zod schema of a 32-byte hex hash; the one copy of the pattern for every schema and flag check. */
export const HashSchema = z.string().regex(HASH_PATTERN, "must be a 32-byte hex hash (0x and 64 hex digits)");

/** Whether `text` is a 32-byte hex hash. */
export function isHash(text: string): boolean {
  return HASH_PATTERN.test(text);
}
