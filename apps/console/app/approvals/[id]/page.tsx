'use client';

import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { api, type Approval } from '../../../src/api-client';
import { RequireRole } from '../../../src/require-role';
import { useMe, usePending } from '../../../src/session';
import { JsonText, resultText } from '../../../src/text-blocks';
import { ago, localTime, timeLeft } from '../../../src/time';

const settled = (a: Approval) => a.status !== 'pending' && a.execution !== 'queued' && a.execution !== 'running';

function ApprovalDetail({ id }: { id: string }) {
  const me = useMe();
  const pending = usePending();
  const [approval, setApproval] = useState<Approval | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const base = `/api/tenants/${encodeURIComponent(me.tenant.slug)}/approvals/${encodeURIComponent(id)}`;

  const load = useCallback(async () => {
    try {
      setApproval(await api<Approval>(base));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [base]);

  useEffect(() => {
    void load();
  }, [load]);
  // Until it has run (or was refused), follow it: the decision may come from elsewhere.
  useEffect(() => {
    if (!approval || settled(approval)) return;
    const timer = setInterval(() => void load(), 2000);
    return () => clearInterval(timer);
  }, [approval, load]);

  const decide = async (decision: 'approve' | 'deny') => {
    setBusy(true);
    setError(null);
    try {
      setApproval(
        await api<Approval>(`${base}/${decision}`, {
          method: 'POST',
          csrfToken: me.csrfToken,
          body: JSON.stringify(reason.trim() ? { reason: reason.trim() } : {}),
        }),
      );
      void pending?.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!approval) return error ? <p role="alert">{error}</p> : <p aria-busy="true">Loading…</p>;
  const text = resultText(approval.result);
  return (
    <>
      <p>
        <Link href="/approvals">← Approvals inbox</Link>
      </p>
      <h1>
        {approval.exposedTool} <span className={`status-${approval.status}`}>{approval.status}</span>
      </h1>
      <dl className="fields">
        <dt>Caller</dt>
        <dd>{approval.requesterEmail}</dd>
        <dt>Client</dt>
        <dd>{approval.clientName ? `${approval.clientName} ${approval.clientVersion ?? ''}` : '—'}</dd>
        <dt>Profile</dt>
        <dd>{approval.profile}</dd>
        <dt>Upstream</dt>
        <dd>
          {approval.server}/{approval.upstreamTool}
        </dd>
        <dt>Why it is held</dt>
        <dd>{approval.policyReason}</dd>
        {approval.scan && (
          <>
            <dt>Scanner</dt>
            <dd data-testid="approval-scan">
              {approval.scan.action}: {approval.scan.findings.map((f) => `${f.rule} (${f.in} ${f.path})`).join(', ')}
            </dd>
          </>
        )}
        <dt>Requested</dt>
        <dd>
          {localTime(approval.createdAt)} ({ago(approval.createdAt)})
        </dd>
        <dt>Expires</dt>
        <dd>
          {localTime(approval.expiresAt)} ({timeLeft(approval.expiresAt)})
        </dd>
        {approval.deciderEmail && (
          <>
            <dt>Decided by</dt>
            <dd>
              {approval.deciderEmail}
              {approval.decidedAt ? ` at ${localTime(approval.decidedAt)}` : ''}
            </dd>
            <dt>Reason</dt>
            <dd>{approval.reason ?? '—'}</dd>
          </>
        )}
        {approval.execution && (
          <>
            <dt>Execution</dt>
            <dd data-testid="execution" className={`status-${approval.execution}`}>
              {approval.execution}
            </dd>
          </>
        )}
      </dl>
      <h2>Arguments</h2>
      {approval.payloadPurged ? (
        <p className="muted">Purged after the tenant&apos;s retention period.</p>
      ) : (
        <JsonText value={approval.arguments} label="Arguments" testId="approval-arguments" />
      )}
      {approval.status === 'pending' && (
        <form className="panel" onSubmit={(e) => e.preventDefault()}>
          <label>
            Reason (recorded in the audit log and sent to the caller on deny)
            <textarea name="reason" rows={3} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="actions">
            <button type="button" className="primary" disabled={busy} onClick={() => void decide('approve')}>
              Approve
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => void decide('deny')}>
              Deny
            </button>
          </div>
        </form>
      )}
      {error && <p role="alert">{error}</p>}
      {(approval.result || approval.executionError) && (
        <>
          <h2>Result</h2>
          {approval.executionError && <p role="alert">{approval.executionError}</p>}
          {text !== null && (
            <pre className="json" data-testid="approval-result-text">
              {text}
            </pre>
          )}
          {approval.result && <JsonText value={approval.result} label="Result (raw)" />}
        </>
      )}
    </>
  );
}

export default function ApprovalPage() {
  const params = useParams<{ id: string }>();
  return <RequireRole role="approver">{params.id ? <ApprovalDetail id={params.id} /> : null}</RequireRole>;
}
