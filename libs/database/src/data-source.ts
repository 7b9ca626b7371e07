import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DataSourceOptions {
  url: string;
  /** Pool size; the gateway keeps it small, the API larger. */
  poolSize?: number;
  applicationName?: string;
}

/** Never `synchronize`: the schema is whatever the committed migrations say. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'gatehouse_migrations',
    synchronize: false,
    // gen_random_uuid() is built into Postgres 13+; no extension to install.
    uuidExtension: 'pgcrypto',
    logging: false,
    applicationName: options.applicationName ?? 'gatehouse',
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
  });
}

/** Creates the database if it does not exist (first start, demo), then runs pending migrations. */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const ds = createDataSource({ url, poolSize: 2, applicationName: 'gatehouse-migrate' });
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`refusing to create database with unusual name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const ds = new DataSource({ type: 'postgres', url: admin.toString(), extra: { max: 1 } });
  await ds.initialize();
  try {
    const exists = await ds.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.length === 0) await ds.query(`CREATE DATABASE "${name}"`);
  } finally {
    await ds.destroy();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const ds = new DataSource({ type: 'postgres', url: admin.toString(), extra: { max: 1 } });
  await ds.initialize();
  try {
    await ds.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await ds.destroy();
  }
}
