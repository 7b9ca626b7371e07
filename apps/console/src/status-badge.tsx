import { Badge } from '@mantine/core';

/**
 * Colour by outcome, always with the word itself: colour is never the only signal. The `dot`
 * variant keeps the word in the body text colour, so contrast does not depend on the hue.
 */
const COLOURS: Record<string, string> = {
  ok: 'green',
  approved: 'green',
  succeeded: 'green',
  error: 'red',
  denied: 'red',
  blocked: 'red',
  failed: 'red',
  interrupted: 'red',
  pending_approval: 'yellow',
  pending: 'yellow',
  queued: 'yellow',
  running: 'blue',
  expired: 'gray',
  withdrawn: 'gray',
};

export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const colour = COLOURS[status] ?? 'gray';
  return (
    <Badge color={colour} variant="dot" size="lg" data-testid={testId} tt="none" className={`status-${colour}`}>
      {status.replace('_', ' ')}
    </Badge>
  );
}
