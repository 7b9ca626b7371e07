import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

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

export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  scrub?: (value: unknown) => unknown,
  destination?: DestinationStream,
): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    // Values (not just keys) the process knows to be secret are blanked from every argument.
    ...(scrub
      ? {
          hooks: {
            logMethod(this: Logger, args: Parameters<Logger['info']>, method: Logger['info']) {
              return method.apply(this, args.map(scrub) as Parameters<Logger['info']>);
            },
          },
        }
      : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
