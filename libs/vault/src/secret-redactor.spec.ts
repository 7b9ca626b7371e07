import { Writable } from 'node:stream';
import { createLogger } from '@gatehouse/core';
import { describe, expect, it } from 'vitest';
import { SecretRedactor } from './secret-redactor';

describe('SecretRedactor', () => {
  it('blanks remembered values anywhere in a JSON value, keys and errors included, longest first', () => {
    const redactor = new SecretRedactor();
    redactor.remember('short', 'abcdef');
    redactor.remember('long', 'abcdef-ghijkl');
    const input = { a: 'x abcdef-ghijkl y abcdef', list: ['abcdef'], abcdef: 1, n: 5, err: new Error('bad abcdef') };
    const out = redactor.redact(input);
    expect(out).toMatchObject({ a: 'x [secret:long] y [secret:short]', list: ['[secret:short]'], '[secret:short]': 1, n: 5 });
    expect((out.err as Error).message).toBe('bad [secret:short]');
    expect(input.a).toBe('x abcdef-ghijkl y abcdef'); // the original is untouched
  });

  it('ignores values too short to be told from ordinary text, and leaves everything as is until it knows one', () => {
    const redactor = new SecretRedactor();
    const value = { a: 'abc' };
    expect(redactor.redact(value)).toBe(value);
    redactor.remember('pin', 'abc');
    expect(redactor.redact(value)).toBe(value);
  });

  it('scrubs every argument of a logger built with it as the scrub hook (messages, objects, errors)', () => {
    const redactor = new SecretRedactor();
    redactor.remember('token', 'super-secret-value');
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
