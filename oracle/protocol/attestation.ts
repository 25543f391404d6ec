// Compatibility re-exports of the former attestation module, split into the signed result, the commitments and the
// result trees. New code imports those modules directly.
/** @deprecated Import from `./signed-result.ts`, `./commitments.ts` or `./result-trees.ts`. */
export * from "./signed-result.ts";
export * from "./commitments.ts";
export { buildInvalidTree, INVALID_LEAF_ENCODING, INVALID_REASON_CODES, type InvalidTree } from "./result-trees.ts";
