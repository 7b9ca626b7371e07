import { z } from 'zod';
import { baseEnvSchema, loadEnvConfig, portSchema } from '@gatehouse/core';

const gatewayEnvSchema = baseEnvSchema.extend({
  GATEWAY_PORT: portSchema.default(8080),
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  /** Public base URL clients use; defaults to http://HOST:PORT. */
  GATEWAY_PUBLIC_URL: z.url({ error: 'must be a URL' }).optional(),
  /**
   * Host names clients may use (DNS-rebinding protection), comma-separated. Default: the loopback
   * names when the gateway listens on loopback; no check otherwise (set it behind a load balancer).
   */
  GATEWAY_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((h) => h.trim())
            .filter(Boolean)
        : undefined,
    ),
  GATEWAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024, 'must be at least 1024')
    .default(4 * 1024 * 1024),
  GATEWAY_SESSION_IDLE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30 * 60 * 1000),
  /** How often upstream tool lists are re-read and re-checked for drift, announced or not. */
  GATEWAY_TOOLS_REFRESH_MS: z.coerce.number().int().min(100).default(60_000),
  /** How often this replica reports its upstream connections' health to Redis, for the console. */
  GATEWAY_STATUS_REPORT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Public base URL of the API, whose per-tenant OAuth authorization servers issue tokens for the gateway. */
  API_PUBLIC_URL: z
    .url({ error: 'must be a URL' })
    .default('http://127.0.0.1:3001')
    .transform((u) => u.replace(/\/+$/, '')),
  /** SSE polling: close a running call's response stream after this long (clients resume with Last-Event-ID); 0 = never. */
  GATEWAY_SSE_POLL_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
  /** The `retry:` reconnection delay announced on resumable SSE streams. */
  GATEWAY_SSE_RETRY_MS: z.coerce.number().int().min(0).default(1000),
  /** Resumable SSE events kept per response stream of a legacy session (in Redis; oldest trimmed first). */
  GATEWAY_SESSION_STREAM_EVENTS: z.coerce.number().int().min(10).default(1000),
  /** How long the SSE events of an answered request stay resumable with Last-Event-ID. */
  GATEWAY_SESSION_EVENT_RETENTION_MS: z.coerce.number().int().min(1000).default(60_000),
  /** While a call is held for approval: progress notifications this often (to clients that sent a progress token). */
  GATEWAY_APPROVAL_PROGRESS_MS: z.coerce.number().int().min(100).default(15_000),
  /** A held call re-reads its approval this often, should a resolution message be lost. */
  GATEWAY_APPROVAL_POLL_MS: z.coerce.number().int().min(50).default(5_000),
  /** How often each gateway sweeps Postgres for approval work Redis lost (expiries, queued executions). */
  GATEWAY_APPROVAL_RECONCILE_MS: z.coerce.number().int().min(100).default(15_000),
  /** An approved call running longer than this is taken as interrupted (its worker died); never re-run. */
  GATEWAY_APPROVAL_EXECUTION_LIMIT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60_000),
  /** 2026-07-28 clients without the Tasks extension are held in rounds this long (input_required between rounds). */
  /** How long a decrypted secret stays in a gateway's memory (dropped at once when it changes). */
  /** How often each gateway purges trace and approval payloads past their tenant's retention. */
  GATEWAY_RETENTION_SWEEP_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(60 * 60_000),
  /** How often each gateway sends waiting telemetry (OTLP) to tenants' collectors, and how many records per request. */
  GATEWAY_EXPORT_INTERVAL_MS: z.coerce.number().int().min(50).default(1000),
  GATEWAY_EXPORT_BATCH: z.coerce.number().int().min(1).max(10_000).default(512),
  GATEWAY_SECRET_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
  GATEWAY_APPROVAL_ROUND_MS: z.coerce.number().int().min(100).default(60_000),
  GATEWAY_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  /** A scanner rules file to use instead of the shipped one (same format: libs/scanner/rules). */
  GATEHOUSE_SCANNER_RULES: z.string().min(1).optional(),
  TRACE_SPOOL_DIR: z.string().default('.gatehouse/spool'),
  /** How long traces are batched in memory before their INSERT (each is journaled on disk at once). */
  TRACE_FLUSH_MS: z.coerce.number().int().min(1).max(60_000).default(50),
  TRACE_RESULT_CAP_BYTES: z.coerce
    .number()
    .int()
    .min(256)
    .default(64 * 1024),
});

export type GatewayConfig = z.infer<typeof gatewayEnvSchema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadEnvConfig(gatewayEnvSchema, env);
}
