'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useState, type FormEvent } from 'react';
import { api, TRACE_STATUSES, type Page, type Trace } from '../../src/api-client';
import { hasRole, useMe } from '../../src/session';
import { JsonText, resultText } from '../../src/text-blocks';
import { localTime } from '../../src/time';

/** Every filter lives in the query string, so a search (and the page of it) is a shareable URL. */
const FILTERS = ['user', 'tool', 'server', 'profile', 'client', 'status', 'since', 'q'] as const;
type Filter = (typeof FILTERS)[number];

function TraceSearch() {
  const me = useMe();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = params.toString();
  const [page, setPage] = useState<Page<Trace> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const selected = params.get('trace');
  // A shared link's trace may not be on this page of results: it is then read on its own.
  const [linked, setLinked] = useState<Trace | null>(null);
  const [linkedError, setLinkedError] = useState<string | null>(null);

  useEffect(() => {
    const apiQuery = new URLSearchParams(query);
    apiQuery.delete('trace');
    let live = true;
    setError(null);
    api<Page<Trace>>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/traces?${apiQuery.toString()}`)
      .then((p) => live && setPage(p))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [query, me.tenant.slug]);

  const go = (next: URLSearchParams) => router.push(`${pathname}?${next.toString()}`);
  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of FILTERS) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next.set(name, value);
    }
    go(next);
  };
  const withParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(query);
    if (value === null) next.delete(name);
    else next.set(name, value);
    return `${pathname}?${next.toString()}`;
  };
  const nextPage = () => {
    const next = new URLSearchParams(query);
    next.delete('trace');
    if (page?.nextCursor) next.set('cursor', page.nextCursor);
    go(next);
  };
  const onPage = page?.items.find((t) => t.id === selected) ?? null;
  useEffect(() => {
    setLinked(null);
    setLinkedError(null);
    if (!selected || !page || onPage) return;
    let live = true;
    api<Trace>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/traces/${encodeURIComponent(selected)}`)
      .then((t) => live && setLinked(t))
      .catch((e: unknown) => live && setLinkedError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [selected, page, onPage, me.tenant.slug]);
  const detail = onPage ?? linked;

  return (
    <>
      <h1>Trace search</h1>
      {me.role === 'member' && <p className="muted">Members see their own tool calls.</p>}
      <form className="filters" onSubmit={search} role="search" key={query}>
        {(['user', 'tool', 'server', 'profile', 'client'] as Filter[]).map((name) => (
          <label key={name}>
            {name[0]?.toUpperCase() + name.slice(1)}
            <input name={name} defaultValue={params.get(name) ?? ''} />
          </label>
        ))}
        <label>
          Status
          <select name="status" defaultValue={params.get('status') ?? ''}>
            <option value="">any</option>
            {TRACE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Since
          <input name="since" defaultValue={params.get('since') ?? ''} placeholder="1h, 7d or an ISO time" />
        </label>
        <label>
          Text in arguments
          <input name="q" type="search" defaultValue={params.get('q') ?? ''} />
        </label>
        <div className="actions">
          <button type="submit" className="primary">
            Search
          </button>
          <Link href={pathname}>Clear</Link>
        </div>
      </form>
      {error && <p role="alert">{error}</p>}
      {!page && !error && <p aria-busy="true">Loading…</p>}
      {page && (
        <>
          <table data-testid="traces-table">
            <thead>
              <tr>
                <th style={{ width: '13%' }}>Time</th>
                <th style={{ width: '15%' }}>User</th>
                <th style={{ width: '11%' }}>Client</th>
                <th style={{ width: '8%' }}>Profile</th>
                <th>Tool</th>
                <th style={{ width: '10%' }}>Server</th>
                <th style={{ width: '10%' }}>Status</th>
                <th style={{ width: '7%' }}>Latency</th>
                <th style={{ width: '6%' }}></th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((t) => (
                <tr key={t.id} data-trace-id={t.id} aria-selected={t.id === selected}>
                  <td>{localTime(t.createdAt)}</td>
                  <td>{t.userEmail ?? '—'}</td>
                  <td>{t.clientName ?? '—'}</td>
                  <td>{t.profile}</td>
                  <td>{t.exposedTool}</td>
                  <td>{t.server ?? '—'}</td>
                  <td className={`status-${t.status}`}>{t.status.replace('_', ' ')}</td>
                  <td>{Math.round(t.latencyMs)} ms</td>
                  <td>
                    <Link
                      href={withParam('trace', t.id)}
                      scroll={false}
                      aria-label={`Details of ${t.exposedTool} at ${localTime(t.createdAt)}`}
                    >
                      Details
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.items.length === 0 && <p>No tool calls match.</p>}
          <div className="actions">
            {params.get('cursor') && <Link href={withParam('cursor', null)}>First page</Link>}
            {page.nextCursor && (
              <button type="button" onClick={nextPage}>
                Next page
              </button>
            )}
          </div>
          {selected && !detail && linkedError && <p role="alert">{linkedError}</p>}
          {detail && <TraceDetail trace={detail} closeHref={withParam('trace', null)} canOpenApprovals={hasRole(me, 'approver')} />}
        </>
      )}
    </>
  );
}

function TraceDetail({ trace, closeHref, canOpenApprovals }: { trace: Trace; closeHref: string; canOpenApprovals: boolean }) {
  const text = resultText(trace.result);
  return (
    <section className="panel" aria-labelledby="trace-detail" data-testid="trace-detail">
      <h2 id="trace-detail">
        {trace.exposedTool} <span className={`status-${trace.status}`}>{trace.status.replace('_', ' ')}</span>
      </h2>
      <p>
        <Link href={closeHref} scroll={false}>
          Close
        </Link>
      </p>
      <dl className="fields">
        <dt>Trace id</dt>
        <dd>
          <code>{trace.id}</code>
        </dd>
        <dt>When</dt>
        <dd>{localTime(trace.createdAt)}</dd>
        <dt>User</dt>
        <dd>{trace.userEmail ?? '—'}</dd>
        <dt>Client</dt>
        <dd>{trace.clientName ? `${trace.clientName} ${trace.clientVersion ?? ''}` : '—'}</dd>
        <dt>Profile</dt>
        <dd>{trace.profile}</dd>
        <dt>Upstream</dt>
        <dd>{trace.server ? `${trace.server}/${trace.upstreamTool ?? ''}` : '—'}</dd>
        <dt>Latency</dt>
        <dd data-testid="trace-latency">{trace.latencyMs.toFixed(1)} ms</dd>
        <dt>Approval</dt>
        <dd>
          {trace.approvalId ? (
            canOpenApprovals ? (
              <Link href={`/approvals/${trace.approvalId}`}>{trace.approvalId}</Link>
            ) : (
              trace.approvalId
            )
          ) : (
            'not needed'
          )}
        </dd>
        {trace.payloadMode && (
          <>
            <dt>Payloads</dt>
            <dd>{trace.payloadMode}</dd>
          </>
        )}
        {trace.scan && (
          <>
            <dt>Scanner</dt>
            <dd>
              {trace.scan.action}: {trace.scan.findings.map((f) => `${f.rule} (${f.in} ${f.path})`).join(', ')}
            </dd>
          </>
        )}
      </dl>
      {trace.error && (
        <>
          <h3>Error</h3>
          <pre className="json" data-testid="trace-error">
            {trace.errorCode ? `[${trace.errorCode}] ` : ''}
            {trace.error}
          </pre>
        </>
      )}
      <h3>Arguments</h3>
      <JsonText value={trace.arguments} label="Arguments" testId="trace-arguments" />
      <h3>Result{trace.resultTruncated ? ' (truncated)' : ''}</h3>
      {text !== null && (
        <>
          <h4>Text content</h4>
          <pre className="json" data-testid="trace-result-text">
            {text}
          </pre>
        </>
      )}
      <h4>As returned (JSON)</h4>
      <JsonText value={trace.result} label="Result" testId="trace-result" />
      <details>
        <summary>Raw JSON</summary>
        <JsonText value={trace} label="Raw trace JSON" testId="trace-raw" />
      </details>
    </section>
  );
}

export default function TracesPage() {
  return (
    <Suspense>
      <TraceSearch />
    </Suspense>
  );
}
