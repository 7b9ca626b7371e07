import pino, { type Logger } from 'pino';

/**
 * Paths redacted from every log line. Redaction is configuration, not discipline: a secret
 * that reaches a logged object under one of these keys never reaches the output.
 */
export const REDACTED_LOG_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.password',
  '*.secret',
  '*.apiKey',
  'token',
  'password',
  'secret',
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } });
}

export type { Logger };
