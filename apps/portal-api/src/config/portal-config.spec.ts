import { randomBytes } from 'node:crypto';
import { ConfigInvalid, loadConfig } from './portal-config';

const key = randomBytes(32).toString('base64');

describe('loadConfig', () => {
  it('refuses to start the development sign-in with NODE_ENV=production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DEV_LOGIN_ENABLED: 'true', SECRET_KEY: key })).toThrow(/refuses to start with NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: key }, { demo: true })).toThrow(ConfigInvalid);
  });

  it('requires a secret key in production and checks its length', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SECRET_KEY: required/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty', SECRET_KEY: key })).toThrow(/PORT/);
    expect(() => loadConfig({ PORTAL_ROLE: 'boss', SECRET_KEY: key })).toThrow(/PORTAL_ROLE/);
  });

  it('uses the embedded database and runs migrations when DATABASE_URL is unset', () => {
    const c = loadConfig({ SECRET_KEY: key });
    expect(c.database.url).toBeNull();
    expect(c.database.runMigrations).toBe(true);
    expect(c.database.embeddedDir).toBe('./.data/pg');
    expect(c.devLogin).toBe(false);
    const external = loadConfig({ SECRET_KEY: key, DATABASE_URL: 'postgres://x@127.0.0.1/db' });
    expect(external.database.runMigrations).toBe(false);
  });
});
