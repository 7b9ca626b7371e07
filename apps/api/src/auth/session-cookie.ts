import { parse, serialize } from 'cookie';
import type { Request, Response } from 'express';
import type { BrowserSession, BrowserSessions, Principal } from '@gatehouse/identity';

export const SESSION_COOKIE = 'gatehouse_session';

/** How the console session cookie is set: httpOnly always, SameSite=Lax, Secure outside local http. */
export class SessionCookie {
  constructor(
    readonly sessions: BrowserSessions,
    private readonly secure: () => boolean,
  ) {}

  read(req: Request): string | null {
    return parse(req.headers.cookie ?? '')[SESSION_COOKIE] ?? null;
  }

  /** The signed-in session behind this request's cookie, with its user as of now. */
  async current(req: Request): Promise<{ id: string; session: BrowserSession; principal: Principal } | null> {
    const id = this.read(req);
    if (!id) return null;
    const session = await this.sessions.get(id);
    if (!session) return null;
    const principal = await this.sessions.principal(session);
    return principal ? { id, session, principal } : null;
  }

  set(res: Response, id: string): void {
    res.append(
      'Set-Cookie',
      serialize(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: this.secure(), path: '/', maxAge: Math.floor(this.sessions.policy.absoluteMs / 1000) }),
    );
  }

  clear(res: Response): void {
    res.append('Set-Cookie', serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: this.secure(), path: '/', maxAge: 0 }));
  }
}
