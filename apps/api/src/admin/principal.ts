import type { Principal } from '@gatehouse/identity';
import type { RequestWithPrincipal } from '../auth/access.guard';

/** The caller, on a route the access guard let through (it always sets the principal there). */
export function principalOf(req: RequestWithPrincipal): Principal {
  return req.principal as Principal;
}
