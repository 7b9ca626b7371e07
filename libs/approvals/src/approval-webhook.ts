import { createHmac } from 'node:crypto';
import type { Approval } from './approval.entity';

export const WEBHOOK_SIGNATURE_HEADER = 'x-gatehouse-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed with the body,
 * so a receiver can refuse replays older than a few minutes.
 */
export function signWebhook(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What approvers' systems receive for a new held call: enough to decide where to look, nothing secret. */
export function approvalRequestedEvent(approval: Approval, apiPublicUrl: string | undefined) {
  return {
    type: 'approval.requested',
    approval: {
      id: approval.id,
      tenant: approval.tenantSlug,
      profile: approval.profile,
      tool: approval.exposedTool,
      server: approval.server,
      upstreamTool: approval.upstreamTool,
      arguments: approval.arguments,
      requester: approval.requesterEmail,
      client: approval.clientName ? `${approval.clientName}${approval.clientVersion ? ` ${approval.clientVersion}` : ''}` : null,
      why: approval.policyReason,
      createdAt: approval.createdAt.toISOString(),
      expiresAt: approval.expiresAt.toISOString(),
      ...(apiPublicUrl ? { url: `${apiPublicUrl}/api/tenants/${approval.tenantSlug}/approvals/${approval.id}` } : {}),
    },
  };
}

/**
 * POSTs the event; throws on anything but a 2xx so the queue retries with backoff. Runs as a job,
 * never on the held call's path.
 */
export async function deliverWebhook(url: string, secret: string, approval: Approval, apiPublicUrl: string | undefined, timeoutMs = 5000): Promise<void> {
  const body = JSON.stringify(approvalRequestedEvent(approval, apiPublicUrl));
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body), 'x-gatehouse-delivery': approval.id },
    body,
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'manual',
  });
  await response.body?.cancel();
  if (response.status < 200 || response.status >= 300) throw new Error(`approval webhook ${url} answered ${response.status}`);
}
