/** A tool withheld because its upstream definition changed since an admin approved it. */
export interface PendingDrift {
  profile: string;
  tool: string;
  server: string;
  upstreamTool: string;
  detectedAt: string;
  approvedHash: string | null;
  newHash: string;
  /** Null for tools approved before definitions were recorded: only the hash is known. */
  approvedDefinition: Record<string, unknown> | null;
  newDefinition: Record<string, unknown>;
}
