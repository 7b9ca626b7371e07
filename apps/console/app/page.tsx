'use client';

import Link from 'next/link';
import { hasRole, useMe, usePending } from '../src/session';

export default function OverviewPage() {
  const me = useMe();
  const pending = usePending();
  return (
    <>
      <h1>Overview</h1>
      <p>
        Signed in as {me.user.email} ({me.role}) in tenant {me.tenant.slug}. Profiles:{' '}
        {me.profiles.length ? me.profiles.join(', ') : 'none'}.
      </p>
      <ul>
        {hasRole(me, 'approver') && (
          <li>
            <Link href="/approvals">{pending?.items.length ?? 0} pending approvals</Link>
          </li>
        )}
        <li>
          <Link href="/traces">Search tool calls</Link>
        </li>
        {hasRole(me, 'admin') && (
          <li>
            <Link href="/admin/audit">Admin audit log</Link>
          </li>
        )}
      </ul>
    </>
  );
}
