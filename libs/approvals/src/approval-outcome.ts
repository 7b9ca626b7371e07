import type { Redis } from 'ioredis';
import { GatehouseError } from '@gatehouse/core';
import type { Approval } from './approval.entity';
import { deniedMessage, expiredMessage, withdrawnMessage } from './approval-store';
import { APPROVAL_RESOLVED_CHANNEL } from './approval-queues';

export type ApprovalOutcome =
  { kind: 'waiting' } | { kind: 'result'; result: Record<string, unknown> } | { kind: 'error'; error: GatehouseError };

/** What the client that made a held call gets, given the approval as it stands now. */
export function outcomeOf(approval: Approval): ApprovalOutcome {
  const details = { approvalId: approval.id, status: approval.status };
  switch (approval.status) {
    case 'pending':
      return { kind: 'waiting' };
    case 'denied':
      return {
        kind: 'error',
        error: new GatehouseError('approval_denied', deniedMessage(approval), {
          ...details,
          decidedBy: approval.deciderEmail,
          reason: approval.reason,
        }),
      };
    case 'expired':
      return { kind: 'error', error: new GatehouseError('approval_expired', expiredMessage(approval), details) };
    case 'withdrawn':
      return { kind: 'error', error: new GatehouseError('approval_withdrawn', withdrawnMessage(approval), details) };
    case 'approved':
      if (approval.execution === 'succeeded' || (approval.execution === 'failed' && approval.result))
        return { kind: 'result', result: approval.result ?? {} };
      if (approval.execution === 'failed' || approval.execution === 'interrupted') {
        return {
          kind: 'error',
          error: new GatehouseError(
            'upstream_error',
            `Approved by ${approval.deciderEmail ?? 'an approver'}, but the call failed: ${approval.executionError ?? 'unknown error'}`,
            details,
          ),
        };
      }
      return { kind: 'waiting' };
  }
}

/** Tells every gateway that an approval has an outcome for its waiting client (best effort: they also poll). */
export async function publishResolved(redis: Redis, approvalId: string): Promise<void> {
  await redis.publish(APPROVAL_RESOLVED_CHANNEL, approvalId);
}

/** Wakes held calls when any gateway or the API announces an outcome (on the gateway's subscriber connection). */
export async function subscribeApprovalOutcomes(subscriber: Redis, onResolved: (approvalId: string) => void): Promise<void> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === APPROVAL_RESOLVED_CHANNEL) onResolved(message);
  });
  await subscriber.subscribe(APPROVAL_RESOLVED_CHANNEL);
}
