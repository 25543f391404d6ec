// Compatibility re-exports: the rewards tree lives in ./result-trees.ts with the invalid-contributor tree.
/** @deprecated Import from `./result-trees.ts`. */
export * from "./result-trees.ts";
