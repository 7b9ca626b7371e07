'use client';

import { useEffect, useState } from 'react';
import { api, type AuditEntry, type Page } from '../../../src/api-client';
import { RequireRole } from '../../../src/require-role';
import { useMe } from '../../../src/session';
import { jsonPreview } from '../../../src/text-blocks';
import { localTime } from '../../../src/time';

/** The admin audit log (GET /api/tenants/{tenant}/audit), newest first, keyset-paginated. */
function AuditLog() {
  const me = useMe();
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/tenants/${encodeURIComponent(me.tenant.slug)}/audit?limit=50`;

  const load = async (after: string | null) => {
    try {
      const page = await api<Page<AuditEntry>>(after ? `${base}&cursor=${encodeURIComponent(after)}` : base);
      setItems((prev) => (after ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
      setLoaded(true);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  useEffect(() => {
    void load(null);
  }, [base]);

  return (
    <>
      <h1>Admin audit log</h1>
      {error && <p role="alert">{error}</p>}
      {!loaded && !error && <p aria-busy="true">Loading…</p>}
      {loaded && (
        <table data-testid="audit-table">
          <thead>
            <tr>
              <th style={{ width: '15%' }}>Time</th>
              <th style={{ width: '16%' }}>Actor</th>
              <th style={{ width: '15%' }}>Action</th>
              <th style={{ width: '16%' }}>Target</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>{localTime(e.createdAt)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>
                  {e.targetType}
                  {e.targetId ? `: ${e.targetId}` : ''}
                </td>
                <td>
                  <code>{jsonPreview({ before: e.before, after: e.after }, 200)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <div className="actions">
          <button type="button" onClick={() => void load(cursor)}>
            Older entries
          </button>
        </div>
      )}
    </>
  );
}

export default function AdminAuditPage() {
  return (
    <RequireRole role="admin">
      <AuditLog />
    </RequireRole>
  );
}
