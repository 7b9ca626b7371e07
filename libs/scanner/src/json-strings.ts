/** A string inside a JSON value and where it sits (`body`, `content[0].text`). */
export interface LocatedString {
  path: string;
  text: string;
}

const BINARY_CONTENT = new Set(['image', 'audio']);

/**
 * Every string value in a JSON document, depth first, with its path. Binary payloads (image and
 * audio content `data`, resource `blob`) are skipped: they are base64, not text anyone reads.
 */
export function* jsonStrings(value: unknown, path = ''): Generator<LocatedString> {
  if (typeof value === 'string') {
    yield { path: path || '$', text: value };
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* jsonStrings(value[i], `${path}[${i}]`);
    return;
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const binary = typeof record.type === 'string' && BINARY_CONTENT.has(record.type);
    for (const [key, child] of Object.entries(record)) {
      if (key === 'blob' || (binary && key === 'data')) continue;
      yield* jsonStrings(child, path ? `${path}.${key}` : key);
    }
  }
}

/** A copy of `value` with every string passed through `map`; the same object when nothing changed. */
export function mapJsonStrings<T>(value: T, map: (text: string) => string): T {
  if (typeof value === 'string') return map(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = mapJsonStrings(item, map);
      if (next !== item) changed = true;
      return next;
    });
    return (changed ? out : value) as T;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const next = mapJsonStrings(child, map);
      if (next !== child) changed = true;
      out[key] = next;
    }
    return (changed ? out : value) as T;
  }
  return value;
}
