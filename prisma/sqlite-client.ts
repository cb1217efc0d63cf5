// A libsql client whose every connection waits for other writers. libsql opens a new
// connection after each transaction (the old one goes to the transaction), and a new
// connection has no busy timeout: another process writing (a second instance, `npm run
// db:migrate` while the bot runs) would fail at once with SQLITE_BUSY. This wrapper applies
// the busy timeout to each connection before its first use.
import { createClient, type Client } from '@libsql/client';

export const sqliteBusyTimeoutMs = 15_000;

const usesConnection = new Set(['execute', 'batch', 'executeMultiple', 'migrate', 'transaction']);

export function createSqliteClient(url: string): Client {
  const client = createClient({ url });
  let connectionIsNew = true;

  async function prepareConnection(): Promise<void> {
    if (!connectionIsNew) return;
    connectionIsNew = false;
    await client.execute(`PRAGMA busy_timeout = ${sqliteBusyTimeoutMs}`);
  }

  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (!usesConnection.has(String(property))) return value.bind(target);
      return async (...args: unknown[]) => {
        await prepareConnection();
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        // The transaction took the connection; the client opens a fresh one on next use.
        if (property === 'transaction') connectionIsNew = true;
        return result;
      };
    },
  });
}
