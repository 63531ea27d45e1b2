import { Db } from '../apps/portal-api/src/database/db.service';
import { createTenant, createTestApp, TestApp } from './support/test-app';

/** Issue 17: a statement that runs away is cancelled by PostgreSQL after DB_STATEMENT_TIMEOUT_MS, not left to hold a connection. */
describe('database limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { DB_STATEMENT_TIMEOUT_MS: '300' } });
  });
  afterAll(() => t.close());

  it('cancels a statement that runs longer than the statement timeout, and the pool goes on serving', async () => {
    const tenant = await createTenant(t.app);
    const db = t.app.get(Db);
    await expect(db.forTenants([tenant.id], (em) => em.query('select pg_sleep(2)'))).rejects.toMatchObject({ driverError: { code: '57014' } });
    const [row] = await db.forTenants([tenant.id], (em) => em.query<{ setting: string }[]>(`select current_setting('statement_timeout') as setting`));
    expect(row.setting).toBe('300ms');
    await t.http.get('/health/ready').expect(200);
  });
});
