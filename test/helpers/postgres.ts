// The PostgreSQL server that tests create their scratch databases on. On a developer
// machine without TEST_POSTGRES_URL the PostgreSQL tests are skipped; on CI they run and
// fail, so that a missing server is never mistaken for a pass.
export const testPostgresUrl = process.env.TEST_POSTGRES_URL;

/** For `describe.skipIf(skipPostgres)`. */
export const skipPostgres = !testPostgresUrl && !process.env.CI;

/** The server URL, or an error saying how to provide one. `what` names the tests, e.g. "drift". */
export function postgresServerUrl(what: string): string {
  if (testPostgresUrl) return testPostgresUrl;
  throw new Error(
    `TEST_POSTGRES_URL is not set, so the PostgreSQL ${what} tests cannot run. Set it to a server where the user may ` +
      'create databases, e.g. TEST_POSTGRES_URL=postgres://provisioning:provisioning@127.0.0.1:5432/postgres',
  );
}
