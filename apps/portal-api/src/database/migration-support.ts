/** Migrations grant rights to the runtime role; its name comes from configuration. */
let appRole = 'portal_app';
export function setMigrationAppRole(role: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new Error('invalid app role name');
  appRole = role;
}
export const APP_ROLE_PLACEHOLDER = (): string => appRole;
