/**
 * The knowledge-base demo's articles. Static and shared by the v2 server and
 * the legacy-SSE flavour, so both expose identical content.
 */
export interface Article {
  id: string;
  title: string;
  tags: string[];
  body: string;
}

export const ARTICLES: readonly Article[] = [
  {
    id: 'reset-password',
    title: 'Resetting your password',
    tags: ['account', 'security'],
    body: 'Open Settings > Security and choose Reset password. A link valid for 30 minutes is emailed to you. If SSO is enabled for your company, reset the password with your identity provider instead.',
  },
  {
    id: 'enable-sso',
    title: 'Enabling SAML single sign-on',
    tags: ['sso', 'admin', 'security'],
    body: 'Admins upload the identity provider metadata XML under Admin > SSO, map IdP groups to roles, then test with one account before enforcing SSO for everyone.',
  },
  {
    id: 'invite-teammates',
    title: 'Inviting teammates',
    tags: ['account', 'admin'],
    body: 'Go to Admin > Members and enter email addresses. Invitations expire after seven days. With SSO enforced, members join automatically on first sign-in.',
  },
  {
    id: 'billing-cycle',
    title: 'How billing cycles work',
    tags: ['billing'],
    body: 'Plans are billed monthly on the day you subscribed. Upgrades are prorated immediately; downgrades take effect at the end of the current cycle.',
  },
  {
    id: 'change-plan',
    title: 'Changing your plan',
    tags: ['billing', 'account'],
    body: 'Owners change plans under Billing > Plan. Moving from pro to enterprise unlocks audit export and SAML; moving to free removes seats beyond three.',
  },
  {
    id: 'refund-policy',
    title: 'Refund policy',
    tags: ['billing'],
    body: 'Annual plans can be refunded within 30 days of purchase. Monthly plans are not refunded, but you can cancel any time to stop the next charge.',
  },
  {
    id: 'export-audit-log',
    title: 'Exporting the audit log',
    tags: ['security', 'compliance'],
    body: 'Enterprise workspaces stream audit events over OpenTelemetry to any collector, or download CSV exports of up to 90 days from Admin > Audit.',
  },
  {
    id: 'data-retention',
    title: 'Data retention',
    tags: ['compliance'],
    body: 'Traces are kept for 400 days by default. Admins can shorten retention; deleted data is purged from backups within 35 days.',
  },
  {
    id: 'api-tokens',
    title: 'Creating API tokens',
    tags: ['developer', 'security'],
    body: 'Personal access tokens are created under Profile > Tokens. Tokens inherit your profiles, can be given an expiry, and are shown only once.',
  },
  {
    id: 'rate-limits',
    title: 'API rate limits',
    tags: ['developer'],
    body: 'The API allows 600 requests per minute per token. Responses carry RateLimit headers; a 429 includes Retry-After in seconds.',
  },
  {
    id: 'webhooks',
    title: 'Configuring webhooks',
    tags: ['developer', 'integrations'],
    body: 'Webhooks deliver JSON events signed with an HMAC-SHA256 header. Failed deliveries are retried with exponential backoff for 24 hours.',
  },
  {
    id: 'slack-integration',
    title: 'Connecting Slack',
    tags: ['integrations'],
    body: 'Install the Slack app from Integrations, pick a channel, and approvers receive approval requests they can accept or reject in place.',
  },
  {
    id: 'two-factor',
    title: 'Two-factor authentication',
    tags: ['account', 'security'],
    body: 'Enable two-factor authentication with any TOTP app under Settings > Security. Recovery codes are shown once; store them somewhere safe.',
  },
  {
    id: 'delete-account',
    title: 'Deleting your account',
    tags: ['account', 'compliance'],
    body: 'Owners delete a workspace under Admin > Danger zone. Deletion is scheduled for 14 days, during which it can be cancelled.',
  },
  {
    id: 'status-page',
    title: 'Checking service status',
    tags: ['support'],
    body: 'Live availability and incident history are on the status page. Subscribe there to receive incident updates by email or RSS.',
  },
];

export function findArticle(id: string): Article | undefined {
  return ARTICLES.find((article) => article.id === id);
}

export function articleUri(id: string): string {
  return `kb://articles/${id}`;
}

export function articleMarkdown(article: Article): string {
  return `# ${article.title}\n\nTags: ${article.tags.join(', ')}\n\n${article.body}\n`;
}
