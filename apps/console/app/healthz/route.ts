/**
 * Liveness of the console process itself, for the image's HEALTHCHECK and Kubernetes probes. It
 * deliberately does not ask the API: with the API away the console still serves its pages and
 * answers /api/* with a clear 502, which is better than leaving the load balancer.
 */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } });
}
