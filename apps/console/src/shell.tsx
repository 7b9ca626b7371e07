'use client';

import { AppShell, Badge, Burger, Button, Group, Loader, NavLink, Stack, Text, Title, Alert } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { ADMIN_LINKS } from './admin/admin-links';
import { api, type Role } from './api-client';
import { hasRole, usePending, useSession } from './session';

/**
 * The navigation, in order. To add a page, add one entry: `href`, its `label`, and the least
 * `role` that may open it (member < approver < admin); the page itself should also wrap its
 * content in <RequireRole> with the same role, and the API checks it anyway. `badge: 'pending'`
 * shows the pending-approvals count next to the label.
 */
interface NavEntry {
  href: string;
  label: string;
  role: Role;
  badge?: 'pending';
}

const NAV_ENTRIES: NavEntry[] = [
  { href: '/', label: 'Overview', role: 'member' },
  { href: '/approvals', label: 'Approvals', role: 'approver', badge: 'pending' },
  { href: '/traces', label: 'Traces', role: 'member' },
  // Admin pages.
  { href: '/admin/audit', label: 'Admin: audit log', role: 'admin' },
  ...ADMIN_LINKS.map((l): NavEntry => ({ href: l.href, label: `Admin: ${l.label}`, role: 'admin' })),
];

/** Page frame: header and navigation for the signed-in role, or a redirect to sign-in. */
export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  const pathname = usePathname();
  const router = useRouter();
  const [navOpen, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  const isSignIn = pathname === '/signin';

  useEffect(() => {
    if (session.status === 'signed-out' && !isSignIn) {
      const returnTo = window.location.pathname + window.location.search;
      router.replace(`/signin?returnTo=${encodeURIComponent(returnTo)}`);
    }
  }, [session.status, isSignIn, router]);
  useEffect(closeNav, [pathname, closeNav]);

  if (isSignIn) {
    return (
      <main id="main">
        <Stack maw={480} mx="auto" mt={48} px="md">
          {children}
        </Stack>
      </main>
    );
  }
  if (session.status === 'loading' || session.status === 'signed-out') {
    return (
      <Group component="main" p="xl" aria-busy="true">
        <Loader size="sm" aria-hidden />
        <Text>Loading…</Text>
      </Group>
    );
  }
  if (session.status === 'error') {
    return (
      <Stack component="main" p="xl">
        <Title order={1}>The console cannot reach the API</Title>
        <Alert color="red" role="alert">
          {session.message}
        </Alert>
      </Stack>
    );
  }
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpen } }} padding="lg">
      <AppShell.Header>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <Group h="100%" px="md" gap="md" wrap="nowrap">
          <Burger opened={navOpen} onClick={toggleNav} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
          <Text fw={700} size="lg">
            Gatehouse
          </Text>
          <Who />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        <Nav />
      </AppShell.Navbar>
      <AppShell.Main id="main">
        <div className="page">{children}</div>
      </AppShell.Main>
    </AppShell>
  );
}

function Nav() {
  const session = useSession();
  const pending = usePending();
  const pathname = usePathname();
  if (session.status !== 'signed-in') return null;
  const current = (href: string) => (href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`));
  return NAV_ENTRIES.filter((entry) => hasRole(session.me, entry.role)).map((entry) => (
    <NavLink
      key={entry.href}
      component={Link}
      href={entry.href}
      label={entry.label}
      active={current(entry.href)}
      aria-current={current(entry.href) ? 'page' : undefined}
      rightSection={entry.badge === 'pending' ? <PendingBadge count={pending?.items.length} more={pending?.more ?? false} /> : undefined}
    />
  ));
}

function PendingBadge({ count, more }: { count: number | undefined; more: boolean }) {
  return (
    <Badge color={count ? 'red' : 'gray'} circle={!more && (count ?? 0) < 10} data-testid="pending-count" aria-label={`${count ?? 0} pending`}>
      {count === undefined ? '…' : `${count}${more ? '+' : ''}`}
    </Badge>
  );
}

function Who() {
  const session = useSession();
  if (session.status !== 'signed-in') return null;
  const { me } = session;
  const signOut = async () => {
    const out = await api<{ idpLogoutUrl: string | null }>('/api/auth/logout', { method: 'POST', csrfToken: me.csrfToken });
    window.location.href = out.idpLogoutUrl ?? `/signin?tenant=${encodeURIComponent(me.tenant.slug)}`;
  };
  return (
    <Group ml="auto" gap="xs" wrap="nowrap" miw={0}>
      <Text size="sm" c="dimmed" truncate="end" visibleFrom="xs">
        <span data-testid="who">{me.user.email}</span> · {me.role} · {me.tenant.slug}
      </Text>
      <Button variant="subtle" size="compact-sm" onClick={() => void signOut()}>
        Sign out
      </Button>
    </Group>
  );
}
