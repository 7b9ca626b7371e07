/**
 * Remembers the secret values a process has used and blanks them out of anything it records
 * (traces, approval results, logs), as `[secret:NAME]`. An upstream that echoes its credential
 * in a result or an error therefore cannot leak it into Gatehouse's own records.
 */
export class SecretRedactor {
  /** value → name; values shorter than 6 characters are not tracked (they would blank ordinary text). */
  private readonly values = new Map<string, string>();
  private pattern: RegExp | null = null;

  remember(name: string, value: string): void {
    if (value.length < 6 || this.values.get(value) === name) return;
    this.values.set(value, name);
    const alternatives = [...this.values.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = new RegExp(alternatives.join('|'), 'g');
  }

  redactText(text: string): string {
    if (!this.pattern) return text;
    return text.replace(this.pattern, (value) => `[secret:${this.values.get(value) ?? '?'}]`);
  }

  /** A copy of a JSON-like value with every string (and object key) redacted. */
  redact<T>(value: T): T {
    if (!this.pattern) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value instanceof Error) {
      const copy = new Error(this.redactText(value.message));
      copy.stack = value.stack === undefined ? undefined : this.redactText(value.stack);
      return copy;
    }
    if (value && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.redactText(k), this.walk(v)]));
    }
    return value;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
