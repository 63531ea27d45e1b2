import { Body, PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z, ZodObject, ZodType } from 'zod';
import { zodIssuesToFields } from '@portal/contracts';
import { ValidationFailed } from './domain-errors';

/** Validates a body or query with the shared contract schema; 400 with each field and why. */
export class ZodPipe<T> implements PipeTransform<unknown, T> {
  constructor(
    private readonly schema: ZodType<T>,
    private readonly where: 'body' | 'query' = 'body',
  ) {}
  transform(value: unknown): T {
    if (this.where === 'body' && (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ValidationFailed([{ field: 'body', message: 'must be a JSON object' }]);
    }
    const parsed = this.schema.safeParse(value ?? {});
    if (!parsed.success) throw new ValidationFailed(zodIssuesToFields(parsed.error.issues));
    return parsed.data;
  }
}

/** The request-body schemas the routes validate with, by OpenAPI component name: filled by @ZodBody, read by the document. */
export const OPENAPI_BODY_SCHEMAS = new Map<string, ZodType>();

const toOpenApi = (schema: ZodType) => z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any' }) as Record<string, unknown>;

export function openApiComponents(): Record<string, object> {
  return Object.fromEntries([...OPENAPI_BODY_SCHEMAS].map(([name, schema]) => [name, toOpenApi(schema)]));
}

function methodDescriptor(target: object, key: string | symbol | undefined): [string | symbol, PropertyDescriptor] {
  if (key === undefined) throw new Error('@ZodBody/@ZodQuery decorate route handler parameters');
  return [key, Object.getOwnPropertyDescriptor(target, key)!];
}

/** The body, validated by `schema`; the same schema is the route's OpenAPI request body (one source). */
export function ZodBody<T>(schema: ZodType<T>, name: string): ParameterDecorator {
  const known = OPENAPI_BODY_SCHEMAS.get(name);
  if (known && known !== schema) throw new Error(`two body schemas are named ${name}`);
  OPENAPI_BODY_SCHEMAS.set(name, schema);
  return (target, key, index) => {
    Body(new ZodPipe(schema))(target, key, index);
    const [k, d] = methodDescriptor(target, key);
    ApiBody({ schema: { $ref: `#/components/schemas/${name}` } })(target, k, d);
  };
}

/** The query string, validated by `schema`; each of its fields is documented as a query parameter. */
export function ZodQuery<T>(schema: ZodType<T>): ParameterDecorator {
  return (target, key, index) => {
    Query(new ZodPipe(schema, 'query'))(target, key, index);
    const [k, d] = methodDescriptor(target, key);
    if (!(schema instanceof ZodObject)) return;
    for (const [name, field] of Object.entries(schema.shape)) {
      ApiQuery({ name, required: !field.safeParse(undefined).success, schema: toOpenApi(field) })(target, k, d);
    }
  };
}
