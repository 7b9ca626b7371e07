import type { NextRequest } from 'next/server';

/**
 * Forwards a request to the Gatehouse API (API_URL, read at run time, never at build time, so one
 * image serves any deployment), so the browser only ever talks to the console's origin: the API's
 * httpOnly session cookie, its redirects (SAML login, ACS) and its CSRF check all work as if the
 * API were served here. Nothing is interpreted. The route handlers that use it say which paths.
 */

// Hop-by-hop headers, and the ones fetch() rewrites (it decompresses bodies).
const SKIP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host', 'upgrade']);

export async function forwardToApi(req: NextRequest): Promise<Response> {
  const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3001';
  const target = new URL(req.nextUrl.pathname + req.nextUrl.search, apiUrl);
  const headers = new Headers();
  req.headers.forEach((value, name) => {
    if (!SKIP.has(name)) headers.set(name, value);
  });
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: req.method,
      headers,
      body: hasBody ? await req.arrayBuffer() : undefined,
      redirect: 'manual',
      cache: 'no-store',
    });
  } catch {
    return Response.json(
      { error: { code: 'api_unreachable', message: `The console cannot reach the API at ${apiUrl}.` } },
      { status: 502 },
    );
  }
  const out = new Headers();
  upstream.headers.forEach((value, name) => {
    if (!SKIP.has(name) && name !== 'set-cookie') out.set(name, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) out.append('set-cookie', cookie);
  return new Response(upstream.body, { status: upstream.status, statusText: upstream.statusText, headers: out });
}
