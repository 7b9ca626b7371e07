'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { Fragment, useEffect, type ReactNode } from 'react';
import { ADMIN_LINKS } from './admin/admin-links';
import { api } from './api-client';
import { hasRole, usePending, useSession } from './session';

/** Page frame: the navigation for the signed-in role, or a redirect to sign-in. */
export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  const pathname = usePathname();
  const router = useRouter();
  const isSignIn = pathname === '/signin';

  useEffect(() => {
    if (session.status === 'signed-out' && !isSignIn) {
      const returnTo = window.location.pathname + window.location.search;
      router.replace(`/signin?returnTo=${encodeURIComponent(returnTo)}`);
    }
  }, [session.status, isSignIn, router]);

  if (isSignIn) return <main className="main narrow">{children}</main>;
  if (session.status === 'loading' || session.status === 'signed-out') {
    return (
      <main className="main" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (session.status === 'error') {
    return (
      <main className="main">
        <h1>The console cannot reach the API</h1>
        <p role="alert">{session.message}</p>
      </main>
    );
  }
  return (
    <>
      <Nav />
      <main className="main" id="main">
        {children}
      </main>
    </>
  );
}

function Nav() {
  const session = useSession();
  const pending = usePending();
  const pathname = usePathname();
  if (session.status !== 'signed-in') return null;
  const { me } = session;
  const link = (href: string, label: ReactNode) => (
    <li>
      <Link href={href} aria-current={pathname === href || pathname.startsWith(`${href}/`) ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
  const signOut = async () => {
    const out = await api<{ idpLogoutUrl: string | null }>('/api/auth/logout', { method: 'POST', csrfToken: me.csrfToken });
    window.location.href = out.idpLogoutUrl ?? `/signin?tenant=${encodeURIComponent(me.tenant.slug)}`;
  };
  return (
    <header className="top">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <span className="brand">Gatehouse</span>
      <nav aria-label="Main">
        <ul>
          {link('/', 'Overview')}
          {hasRole(me, 'approver') &&
            link(
              '/approvals',
              <>
                Approvals{' '}
                <span
                  className={pending?.items.length ? 'badge' : 'badge zero'}
                  data-testid="pending-count"
                  aria-label={`${pending?.items.length ?? 0} pending`}
                >
                  {pending ? `${pending.items.length}${pending.more ? '+' : ''}` : '…'}
                </span>
              </>,
            )}
          {link('/traces', 'Traces')}
          {hasRole(me, 'admin') && link('/admin/audit', 'Admin: audit log')}
          {hasRole(me, 'admin') && ADMIN_LINKS.map((l) => <Fragment key={l.href}>{link(l.href, `Admin: ${l.label}`)}</Fragment>)}
        </ul>
      </nav>
      <span className="who">
        <span data-testid="who">{me.user.email}</span> · {me.role} · {me.tenant.slug}
        <button type="button" className="link" onClick={() => void signOut()}>
          Sign out
        </button>
      </span>
    </header>
  );
}
