// jose is ESM-only; this CommonJS build loads it with a real dynamic import (kept as `import()`
// under module node16), once, and re-exports its types with the resolution mode TypeScript needs.
export type { CryptoKey, JSONWebKeySet, JWK } from 'jose' with { 'resolution-mode': 'import' };

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

let loading: Promise<Jose> | undefined;

export function loadJose(): Promise<Jose> {
  loading ??= import('jose');
  return loading;
}
