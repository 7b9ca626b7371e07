import { forwardToApi } from '../../../src/api-forwarder';

/** Every /api/* request goes to the API (src/api-forwarder.ts). */
export const dynamic = 'force-dynamic';

export { forwardToApi as GET, forwardToApi as POST, forwardToApi as PUT, forwardToApi as PATCH, forwardToApi as DELETE };
