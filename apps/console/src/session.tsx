'use client';

import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ApiError, ROLE_RANK, type Approval, type Me, type Page, type Role } from './api-client';

/**
 * Who is signed in (GET /api/me, from the API's httpOnly session cookie) and, for approvers, the
 * pending approvals, polled every few seconds: the navigation's count and the inbox share it.
 */
export const PENDING_POLL_MS = 3000;

export interface Pending {
  items: Approval[];
  more: boolean;
  error: string | null;
  refresh(): Promise<void>;
}

type SessionState =
  { status: 'loading' } | { status: 'signed-out' } | { status: 'error'; message: string } | { status: 'signed-in'; me: Me };

const SessionContext = createContext<SessionState>({ status: 'loading' });
const PendingContext = createContext<Pending | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  useEffect(() => {
    api<Me>('/api/me')
      .then((me) => setState({ status: 'signed-in', me }))
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setState({ status: 'signed-out' });
        else setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
  }, []);
  const me = state.status === 'signed-in' ? state.me : null;
  return (
    <SessionContext.Provider value={state}>
      {me && ROLE_RANK[me.role] >= ROLE_RANK.approver ? <PendingPoller me={me}>{children}</PendingPoller> : children}
    </SessionContext.Provider>
  );
}

function PendingPoller({ me, children }: { me: Me; children: ReactNode }) {
  const [items, setItems] = useState<Approval[]>([]);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      const page = await api<Page<Approval>>(`/api/tenants/${encodeURIComponent(me.tenant.slug)}/approvals?status=pending&limit=200`);
      setItems(page.items);
      setMore(page.nextCursor !== null);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [me.tenant.slug]);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  return <PendingContext.Provider value={{ items, more, error, refresh }}>{children}</PendingContext.Provider>;
}

export const useSession = () => useContext(SessionContext);
export const usePending = () => useContext(PendingContext);

/** The signed-in user; only for components rendered inside `<Shell>` (which waits for a session). */
export function useMe(): Me {
  const state = useContext(SessionContext);
  if (state.status !== 'signed-in') throw new Error('useMe outside a signed-in shell');
  return state.me;
}

export function hasRole(me: Me, role: Role): boolean {
  return ROLE_RANK[me.role] >= ROLE_RANK[role];
}
