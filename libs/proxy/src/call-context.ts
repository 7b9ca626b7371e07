import type { Principal } from '@gatehouse/identity';

/** Who is calling through which downstream session; attached to every trace. */
export interface CallerContext {
  principal: Principal;
  sessionId: string | null;
  protocolVersion: string | null;
  clientName: string | null;
  clientVersion: string | null;
}
