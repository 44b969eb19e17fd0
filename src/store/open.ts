// Picks the engine from configuration: PostgreSQL when a database URL is given, else SQLite.
import type { Store } from './store.ts';
import { openSqlite } from './sqlite.ts';
import { openPostgres } from './postgres.ts';

export async function openStore(config: { dataDir: string; databaseUrl?: string | undefined; databaseSchema?: string | undefined }): Promise<Store> {
  if (config.databaseUrl !== undefined && config.databaseUrl !== '') {
    return openPostgres({ url: config.databaseUrl, ...(config.databaseSchema !== undefined ? { schema: config.databaseSchema } : {}) });
  }
  return openSqlite({ dataDir: config.dataDir });
}
