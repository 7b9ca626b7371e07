'use client';

import Link from 'next/link';
import { RequireRole } from '../../src/require-role';
import { PENDING_POLL_MS, usePending } from '../../src/session';
import { jsonPreview } from '../../src/text-blocks';
import { ago, timeLeft } from '../../src/time';

/** Pending approvals, newest first; the list is the one the navigation polls (no reload needed). */
function Inbox() {
  const pending = usePending();
  const now = Date.now();
  if (!pending) return null;
  return (
    <>
      <h1>Approvals inbox</h1>
      <p className="muted">
        Held tool calls waiting for a decision, newest first. Updates every {PENDING_POLL_MS / 1000} s.
        {pending.more && ' Showing the newest 200.'}
      </p>
      {pending.error && <p role="alert">{pending.error}</p>}
      {pending.items.length === 0 ? (
        <p data-testid="inbox-empty">Nothing is waiting for approval.</p>
      ) : (
        <table data-testid="approvals-table">
          <caption className="muted" style={{ textAlign: 'left' }}>
            {pending.items.length} pending
          </caption>
          <thead>
            <tr>
              <th style={{ width: '14%' }}>Caller</th>
              <th style={{ width: '10%' }}>Client</th>
              <th style={{ width: '14%' }}>Tool</th>
              <th style={{ width: '8%' }}>Profile</th>
              <th>Arguments</th>
              <th style={{ width: '8%' }}>Age</th>
              <th style={{ width: '9%' }}>Time left</th>
              <th style={{ width: '7%' }}></th>
            </tr>
          </thead>
          <tbody>
            {pending.items.map((a) => (
              <tr key={a.id} data-approval-id={a.id}>
                <td>{a.requesterEmail}</td>
                <td>{a.clientName ? `${a.clientName}${a.clientVersion ? ` ${a.clientVersion}` : ''}` : '—'}</td>
                <td>
                  <strong>{a.exposedTool}</strong>
                  <div className="muted">
                    {a.server}/{a.upstreamTool}
                  </div>
                </td>
                <td>{a.profile}</td>
                <td>
                  <code>{jsonPreview(a.arguments)}</code>
                </td>
                <td>{ago(a.createdAt, now)}</td>
                <td>{timeLeft(a.expiresAt, now)}</td>
                <td>
                  <Link href={`/approvals/${a.id}`} aria-label={`Review ${a.exposedTool} from ${a.requesterEmail}`}>
                    Review
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export default function ApprovalsPage() {
  return (
    <RequireRole role="approver">
      <Inbox />
    </RequireRole>
  );
}
