import { SetMetadata } from '@nestjs/common';
import type { Role } from '@gatehouse/tenancy';

/**
 * What a route needs, declared on every route (or its controller). `public`: anyone, the route
 * authenticates itself if it must (OAuth endpoints, SAML ACS, health). `signed-in`: any
 * authenticated user, for routes about the caller themselves (`/api/me`). A role: a signed-in user
 * of the route's `:tenant` holding at least that role. A route without a declaration is refused
 * at runtime and fails the route-inventory test.
 */
export type AccessPolicy = { kind: 'public' } | { kind: 'signed-in' } | { kind: 'role'; role: Role };

export const ACCESS_POLICY = 'gatehouse:access-policy';

export const Public = () => SetMetadata(ACCESS_POLICY, { kind: 'public' } satisfies AccessPolicy);

export const SignedIn = () => SetMetadata(ACCESS_POLICY, { kind: 'signed-in' } satisfies AccessPolicy);

/** Requires a user of the route's tenant with at least `role` (member < approver < admin). */
export const RequireRole = (role: Role) => SetMetadata(ACCESS_POLICY, { kind: 'role', role } satisfies AccessPolicy);
