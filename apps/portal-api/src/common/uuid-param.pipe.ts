import { PipeTransform } from '@nestjs/common';
import { NotFound } from './domain-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id that is not a uuid names nothing: 404, the same answer as another tenant's id. */
export class UuidOr404Pipe implements PipeTransform<string, string> {
  constructor(private readonly what = 'resource') {}
  transform(value: string): string {
    if (!UUID.test(value)) throw new NotFound(`${this.what} not found`);
    return value.toLowerCase();
  }
}
