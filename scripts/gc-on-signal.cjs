// Measurement instrumentation for e2e/faults and bench/, preloaded into a gateway child process with
// NODE_OPTIONS="--expose-gc --require …": a full collection on SIGUSR2, so a test can measure the
// heap the gateway retains rather than garbage it has not collected yet. With GC_REPORT_FILE set,
// the process's memory usage after that collection is written there as JSON.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  if (process.env.GC_REPORT_FILE) require('node:fs').writeFileSync(process.env.GC_REPORT_FILE, JSON.stringify(process.memoryUsage()));
});
