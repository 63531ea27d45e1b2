import { PipeTransform } from '@nestjs/common';
import type { ZodType } from 'zod';
import { zodIssuesToFields } from '@portal/contracts';
import { ValidationFailed } from './domain-errors';

/** Validates a body or query with the shared contract schema; 400 with each field and why. */
export class ZodPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>, private readonly where: 'body' | 'query' = 'body') {}
  transform(value: unknown): T {
    if (this.where === 'body' && (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ValidationFailed([{ field: 'body', message: 'must be a JSON object' }]);
    }
    const parsed = this.schema.safeParse(value ?? {});
    if (!parsed.success) throw new ValidationFailed(zodIssuesToFields(parsed.error.issues));
    return parsed.data;
  }
}
