import type { ToolSummary } from '../servers/server-types';

export type ApprovalPolicy = 'auto' | 'always' | 'never';

/** One tool entry of a profile, as a config file declares it. */
export interface ProfileToolEntry {
  server: string;
  tool: string;
  as?: string;
  description?: string;
  pin?: Record<string, unknown>;
  hide?: string[];
  approval?: ApprovalPolicy;
}

export interface ProfileView {
  slug: string;
  description: string | null;
  tools: ProfileToolEntry[];
  catalog: Array<{ server: string; tools: ToolSummary[] | null }>;
  preview: {
    result: { tools: Array<{ name: string; description?: string }> };
    tokens: number;
    withheld: Array<{ tool: string; reason: string }>;
  };
  yaml: string;
}

export const profilePath = (tenant: string, slug?: string) =>
  `/api/tenants/${encodeURIComponent(tenant)}/profiles${slug === undefined ? '' : `/${encodeURIComponent(slug)}`}`;

export const exposedName = (entry: ProfileToolEntry) => entry.as ?? entry.tool;
