import { Client } from 'pg';

/**
 * The portal's runtime role: LOGIN, not superuser, not BYPASSRLS, owns nothing, so
 * FORCE ROW LEVEL SECURITY applies to every query it runs. Migrations run as the owner.
 */
export async function ensureAppRole(ownerUrl: string, role: string, password: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const quotedPw = `'${password.replace(/'/g, "''")}'`;
    await client.query(`
      do $$ begin
        if not exists (select 1 from pg_roles where rolname = '${role}') then
          begin
            create role ${role} login nosuperuser nobypassrls nocreatedb nocreaterole password ${quotedPw};
          exception when duplicate_object then null;
          end;
        end if;
      end $$;`);
    await client.query(`alter role ${role} login nosuperuser nobypassrls nocreatedb nocreaterole password ${quotedPw}`);
    const db = await client.query('select current_database() as db');
    await client.query(`grant connect on database "${db.rows[0].db}" to ${role}`);
  } finally {
    await client.end();
  }
}

/** The runtime URL: the owner URL with the app role's credentials. */
export function appRoleUrl(ownerUrl: string, role: string, password: string): string {
  const u = new URL(ownerUrl);
  u.username = role;
  u.password = password;
  return u.toString();
}
