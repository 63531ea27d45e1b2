import type { EntityManager } from 'typeorm';

/** Runs SQL in the unit of work's transaction and returns its rows, whatever the command. */
export async function sql<T = Record<string, any>>(em: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  if (!em.queryRunner) throw new Error('sql() runs inside a transaction (Db.tx / forTenants / scoped)');
  // Structured result: TypeORM otherwise returns [rows, count] for UPDATE/DELETE.
  const result = await em.queryRunner.query(text, params, true);
  return (result.records ?? []) as T[];
}
