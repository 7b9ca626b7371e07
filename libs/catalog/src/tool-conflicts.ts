/** Where an exposed tool name comes from, for conflict messages. */
export interface ExposedToolSource {
  exposedName: string;
  server: string;
  tool: string;
}

export interface ToolNameConflict {
  exposedName: string;
  sources: ExposedToolSource[];
}

/** Every exposed name that more than one tool in a profile would claim. */
export function findToolNameConflicts(tools: ExposedToolSource[]): ToolNameConflict[] {
  const byName = new Map<string, ExposedToolSource[]>();
  for (const tool of tools) {
    byName.set(tool.exposedName, [...(byName.get(tool.exposedName) ?? []), tool]);
  }
  return [...byName.entries()].filter(([, sources]) => sources.length > 1).map(([exposedName, sources]) => ({ exposedName, sources }));
}

export function describeConflict(conflict: ToolNameConflict): string {
  const sources = conflict.sources.map((s) => `${s.server}/${s.tool}`).join(' and ');
  return `tool name "${conflict.exposedName}" is exposed by both ${sources}; rename one with "as"`;
}
