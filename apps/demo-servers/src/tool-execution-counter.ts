/**
 * Counts how many times each tool handler actually ran in this process.
 *
 * Gateway tests use these counts to prove what reached the upstream: a denied
 * or held call must leave the count untouched, an approved one must raise it by
 * exactly one. A call counts once its input passed validation and the handler
 * started, whatever the outcome (an `isError` result still ran).
 */
export type ToolExecutionCounts = Record<string, number>;

export class ToolExecutionCounter {
  private readonly counts = new Map<string, number>();

  /** Tools named here appear in snapshots with a zero count before their first call. */
  constructor(tools: readonly string[] = []) {
    for (const tool of tools) this.counts.set(tool, 0);
  }

  record(tool: string): void {
    this.counts.set(tool, (this.counts.get(tool) ?? 0) + 1);
  }

  snapshot(): ToolExecutionCounts {
    return Object.fromEntries(this.counts);
  }
}
