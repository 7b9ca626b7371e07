// Entry for the TypeORM CLI (`migration:generate`), built to dist/cli-data-source.js.
import { createDataSource } from './data-source';

export default createDataSource({ url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gatehouse_codegen' });
