import { z } from 'zod';
import { baseEnvSchema, loadEnvConfig, portSchema } from '@gatehouse/core';

const apiEnvSchema = baseEnvSchema.extend({
  API_PORT: portSchema.default(3001),
  API_HOST: z.string().default('127.0.0.1'),
});
export type ApiConfig = z.infer<typeof apiEnvSchema>;
export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig => loadEnvConfig(apiEnvSchema, env);
export const API_CONFIG = Symbol('API_CONFIG');
