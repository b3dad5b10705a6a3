#!/usr/bin/env node
// First: GC and WebAssembly-compiler settings for a long-running process (heap.ts,
// wasm-compile.ts). Everything else is imported only after they are set: the static imports of an
// ES module are all loaded before its body runs, and loading the receiver's few hundred modules
// already grows V8's young generation (its size stays where it got to). cli/main.ts then loads
// only what the command at hand needs.
import './heap.ts';
import './wasm-compile.ts';

await import('./cli/main.ts');
