/** A personal access token as the API lists it: never the token itself nor its hash. */
export interface TokenSummary {
  id: string;
  userEmail: string;
  name: string | null;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** To the minute; null if never used. */
  lastUsedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

export const LIFETIMES = [
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '365d', label: '1 year' },
];
