/**
 * Remembers the secret values a process has used, per tenant, and blanks them out of anything it
 * records (traces, approval results, logs) and returns to clients, as `[secret:NAME]`. An upstream
 * that echoes its credential therefore cannot leak it through Gatehouse. Redacting a tenant's data
 * costs nothing while that tenant has no secret in use, and one scan (no copy) while nothing matches.
 */
export class SecretRedactor {
  /** Per tenant: value → name. Values shorter than 6 characters are not tracked (they would blank ordinary text). */
  private readonly tenants = new Map<string, { values: Map<string, string>; pattern: RegExp }>();
  /** Every tenant's values together, for what belongs to no tenant (log lines). */
  private all: { values: Map<string, string>; pattern: RegExp } | null = null;

  remember(tenantId: string, name: string, value: string): void {
    if (value.length < 6 || this.tenants.get(tenantId)?.values.get(value) === name) return;
    const values = new Map(this.tenants.get(tenantId)?.values ?? []);
    values.set(value, name);
    this.tenants.set(tenantId, { values, pattern: patternOf(values) });
    const everything = new Map([...this.tenants.values()].flatMap((t) => [...t.values]));
    this.all = { values: everything, pattern: patternOf(everything) };
  }

  redactText(text: string, tenantId?: string): string {
    const scope = this.scope(tenantId);
    if (!scope) return text;
    return text.replace(scope.pattern, (value) => `[secret:${scope.values.get(value) ?? '?'}]`);
  }

  /** The value with every string (and object key) redacted: a copy when something matched, else the value itself. */
  redact<T>(value: T, tenantId?: string): T {
    const scope = this.scope(tenantId);
    if (!scope) return value;
    const text = typeof value === 'string' ? value : safeJson(value);
    scope.pattern.lastIndex = 0;
    if (text !== undefined && !scope.pattern.test(text)) return value;
    return this.walk(value, tenantId) as T;
  }

  private scope(tenantId: string | undefined) {
    return tenantId === undefined ? this.all : this.tenants.get(tenantId);
  }

  private walk(value: unknown, tenantId: string | undefined): unknown {
    if (typeof value === 'string') return this.redactText(value, tenantId);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, tenantId));
    if (value instanceof Error) {
      const copy = new Error(this.redactText(value.message, tenantId));
      copy.stack = value.stack === undefined ? undefined : this.redactText(value.stack, tenantId);
      return copy;
    }
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.redactText(k, tenantId), this.walk(v, tenantId)]));
    }
    return value;
  }
}

function patternOf(values: Map<string, string>): RegExp {
  return new RegExp(
    [...values.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
}

/** JSON of a value for the match test; undefined when it cannot be serialized (then it is walked). */
function safeJson(value: unknown): string | undefined {
  try {
    // Errors serialize as {}: test their message and stack too.
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? { message: v.message, stack: v.stack } : v));
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
