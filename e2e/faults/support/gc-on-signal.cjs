// Test instrumentation for e2e/faults, preloaded into a gateway child process with
// NODE_OPTIONS="--expose-gc --require …": a full collection on SIGUSR2, so a test can measure the
// heap the gateway retains rather than garbage it has not collected yet.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
});
