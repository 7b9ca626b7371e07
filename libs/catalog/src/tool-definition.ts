import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/** The parts of an upstream tool that we pin. A change to any of them is drift. */
export interface UpstreamToolDefinition {
  name: string;
  title?: string;
  description?: string;
  inputSchema: { type: 'object'; properties?: Record<string, unknown>; required?: string[]; [k: string]: unknown };
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  [k: string]: unknown;
}

/**
 * sha256 over a canonical (key-sorted) JSON form of the definition, so a server that merely
 * reorders keys is not flagged, while any change of wording, schema or annotations is.
 */
export function hashToolDefinition(tool: UpstreamToolDefinition): string {
  const pinned = {
    name: tool.name,
    title: tool.title ?? null,
    description: tool.description ?? null,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema ?? null,
    annotations: tool.annotations ?? null,
  };
  return createHash('sha256')
    .update(stringify(pinned) ?? '')
    .digest('hex');
}
