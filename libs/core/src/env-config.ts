import { z } from 'zod';

/**
 * Parses process environment against a zod schema once at start. On failure the message names
 * every bad variable, so an operator fixes them all in one go instead of one per restart.
 */
export function loadEnvConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
    return `  ${name}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${issue.message}`;
  });
  throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
}

export const portSchema = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be an integer')
  .min(0, 'must be between 0 (any free port) and 65535')
  .max(65535, 'must be between 0 (any free port) and 65535');

export const postgresUrlSchema = z.string().refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL');

export const redisUrlSchema = z.string().refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// URL');

/** The settings every server process shares. */
export const baseEnvSchema = z.object({
  DATABASE_URL: postgresUrlSchema.default('postgres://postgres@127.0.0.1:5432/gatehouse'),
  REDIS_URL: redisUrlSchema.default('redis://127.0.0.1:6379'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** BullMQ key prefix; unset, it is derived from the database name (see `queuePrefix`). */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional(),
  /** The vault's master key (base64 or hex, 32 bytes), or a file holding it; during a rotation also the previous one. */
  GATEHOUSE_MASTER_KEY: z.string().optional(),
  GATEHOUSE_MASTER_KEY_FILE: z.string().optional(),
  GATEHOUSE_MASTER_KEY_PREVIOUS: z.string().optional(),
  GATEHOUSE_MASTER_KEY_PREVIOUS_FILE: z.string().optional(),
});

/**
 * Where this installation's BullMQ jobs live in Redis. Derived from the database name unless set,
 * so installations (or test runs) sharing one Redis never take each other's jobs.
 */
export function queuePrefix(config: { DATABASE_URL: string; QUEUE_PREFIX?: string }): string {
  return config.QUEUE_PREFIX ?? `gatehouse-${new URL(config.DATABASE_URL).pathname.slice(1) || 'default'}`;
}
