import { GatehouseError } from '@gatehouse/core';
import type { UpstreamToolDefinition } from './tool-definition';

/** The per-profile customisation of one upstream tool. */
export interface ToolOverrides {
  exposedName: string;
  descriptionOverride: string | null;
  pin: Record<string, unknown>;
  hide: string[];
}

/**
 * The definition a client sees: renamed, re-described, and with pinned and hidden properties
 * removed from the input schema (and from `required`), so the model never learns they exist.
 */
export function exposeTool(upstream: UpstreamToolDefinition, overrides: ToolOverrides): UpstreamToolDefinition {
  const removed = new Set([...Object.keys(overrides.pin), ...overrides.hide]);
  const schema = upstream.inputSchema ?? { type: 'object' };
  const properties = schema.properties
    ? Object.fromEntries(Object.entries(schema.properties).filter(([key]) => !removed.has(key)))
    : undefined;
  const required = schema.required?.filter((key) => !removed.has(key));
  const inputSchema = {
    ...schema,
    ...(properties ? { properties } : {}),
    ...(required ? { required } : {}),
  };
  return {
    ...upstream,
    name: overrides.exposedName,
    ...(overrides.descriptionOverride != null ? { description: overrides.descriptionOverride } : {}),
    inputSchema,
  };
}

/**
 * The arguments sent upstream: the caller's arguments plus pinned values. A caller that supplies
 * a hidden or pinned argument is refused — never silently overridden — so a prompt-injected model
 * cannot probe for the fields an admin locked.
 */
export function rewriteArguments(clientArgs: Record<string, unknown> | undefined, overrides: ToolOverrides): Record<string, unknown> {
  const args = clientArgs ?? {};
  const forbidden = Object.keys(args).filter((key) => key in overrides.pin || overrides.hide.includes(key));
  if (forbidden.length > 0) {
    throw new GatehouseError(
      'validation_failed',
      `Tool "${overrides.exposedName}" does not accept argument${forbidden.length > 1 ? 's' : ''} ${forbidden
        .map((k) => `"${k}"`)
        .join(', ')}: ${forbidden.length > 1 ? 'they are' : 'it is'} fixed by the administrator.`,
      { arguments: forbidden },
    );
  }
  return { ...args, ...overrides.pin };
}
