import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@gatehouse/core';
import { SecretRedactor } from './secret-redactor';

describe('SecretRedactor', () => {
  it("blanks a tenant's remembered values anywhere in a JSON value, keys and errors included, longest first", () => {
    const redactor = new SecretRedactor();
    redactor.remember('t1', 'short', 'abcdef');
    redactor.remember('t1', 'long', 'abcdef-ghijkl');
    const input = { a: 'x abcdef-ghijkl y abcdef', list: ['abcdef'], abcdef: 1, n: 5, err: new Error('bad abcdef') };
    const out = redactor.redact(input, 't1');
    expect(out).toMatchObject({ a: 'x [secret:long] y [secret:short]', list: ['[secret:short]'], '[secret:short]': 1, n: 5 });
    expect((out.err as Error).message).toBe('bad [secret:short]');
    expect(input.a).toBe('x abcdef-ghijkl y abcdef'); // the original is untouched
  });

  it("touches only the tenant's own data, and returns the same object when nothing matches (no copy on the call path)", () => {
    const redactor = new SecretRedactor();
    redactor.remember('t1', 'token', 'tenant-one-token');
    const other = { text: 'tenant-one-token' };
    expect(redactor.redact(other, 't2')).toBe(other); // another tenant: nothing of t1 applies
    const clean = { text: 'nothing secret here' };
    expect(redactor.redact(clean, 't1')).toBe(clean);
    expect(redactor.redact({ text: 'tenant-one-token' }, 't1')).toEqual({ text: '[secret:token]' });
    expect(redactor.redact('tenant-one-token')).toBe('[secret:token]'); // no tenant (a log line): everything known
  });

  it('ignores values too short to be told from ordinary text', () => {
    const redactor = new SecretRedactor();
    redactor.remember('t1', 'pin', 'abc');
    const value = { a: 'abc' };
    expect(redactor.redact(value, 't1')).toBe(value);
  });

  it('scrubs every argument of a logger built with it as the scrub hook (messages, objects, errors)', () => {
    const redactor = new SecretRedactor();
    redactor.remember('t1', 'token', 'super-secret-value');
    let output = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((output += String(chunk)), done()) });
    const logger = createLogger('test', 'info', (v) => redactor.redact(v), sink);
    logger.error(
      { err: new Error('refused super-secret-value'), headers: { x: 'Bearer super-secret-value' } },
      'upstream said super-secret-value',
    );
    logger.info('plain super-secret-value');
    expect(output).not.toContain('super-secret-value');
    expect(output.match(/\[secret:token\]/g)).toHaveLength(5); // both messages, err.message, err.stack, the header
  });
});
