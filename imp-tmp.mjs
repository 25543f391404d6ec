import module from "node:module"; module.enableCompileCache?.();
const t0 = performance.now();
const which = process.argv[2];
await import(which);
const t1 = performance.now();
console.log(which, (t1 - t0).toFixed(1), "ms; since process start", performance.now().toFixed(1));
