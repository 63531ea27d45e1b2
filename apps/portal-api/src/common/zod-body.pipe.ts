import { applyDecorators, Body, PipeTransform, Query, SetMetadata } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiQuery,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
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
    const unstorable = unstorableText(value ?? {});
    if (unstorable.length) throw new ValidationFailed(unstorable);
    const parsed = this.schema.safeParse(value ?? {});
    if (!parsed.success) throw new ValidationFailed(zodIssuesToFields(parsed.error.issues));
    return parsed.data;
  }
}

// NUL and unpaired UTF-16 surrogates: valid in a JavaScript string, refused by PostgreSQL text and by UTF-8.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Fields (dotted paths, keys included) holding text that cannot be stored: refused by validation, never by the database. */
export function unstorableText(value: unknown, path = '', out: { field: string; message: string }[] = []): { field: string; message: string }[] {
  if (out.length >= 20) return out;
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value)) out.push({ field: path || 'body', message: 'contains a NUL or an unpaired surrogate character' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableText(v, path ? `${path}.${i}` : String(i), out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path ? `${path}.${k}` : k;
      if (UNSTORABLE.test(k)) out.push({ field, message: 'the field name contains a NUL or an unpaired surrogate character' });
      else unstorableText(v, field, out);
    }
  }
  return out;
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

/**
 * What a route says about its body, checked by the contract test (test/openapi-contract.e2e-spec.ts): every
 * POST, PUT, PATCH and DELETE either validates a JSON body (@ZodBody), takes none (@NoBody), or streams a
 * multipart upload (@MultipartBody).
 */
export const BODY_KIND_KEY = 'portal:body-kind';
export type BodyKind = 'json' | 'none' | 'multipart' | 'saml-post';

/** The body, validated by `schema`; the same schema is the route's OpenAPI request body (one source). */
export function ZodBody<T>(schema: ZodType<T>, name: string): ParameterDecorator {
  const known = OPENAPI_BODY_SCHEMAS.get(name);
  if (known && known !== schema) throw new Error(`two body schemas are named ${name}`);
  OPENAPI_BODY_SCHEMAS.set(name, schema);
  return (target, key, index) => {
    Body(new ZodPipe(schema))(target, key, index);
    const [k, d] = methodDescriptor(target, key);
    ApiBody({ schema: { $ref: `#/components/schemas/${name}` } })(target, k, d);
    SetMetadata(BODY_KIND_KEY, 'json')(target, k, d);
  };
}

const EMPTY = z.strictObject({});

/** An action without a body: none, or `{}`; any field is refused like an unknown field anywhere else. */
export function NoBody(): ParameterDecorator {
  return (target, key, index) => {
    Body(new EmptyBodyPipe())(target, key, index);
    const [k, d] = methodDescriptor(target, key);
    SetMetadata(BODY_KIND_KEY, 'none')(target, k, d);
  };
}

export class EmptyBodyPipe implements PipeTransform<unknown, Record<string, never>> {
  transform(value: unknown): Record<string, never> {
    if (value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationFailed([{ field: 'body', message: 'this action takes no body' }]);
    const parsed = EMPTY.safeParse(value);
    if (!parsed.success) throw new ValidationFailed(zodIssuesToFields(parsed.error.issues));
    return {};
  }
}

/** A streamed multipart upload (evidence): documented and validated by its own reader. */
export const MultipartBody = () => SetMetadata(BODY_KIND_KEY, 'multipart');

/** A SAML HTTP-POST binding form from an identity provider: validated (signature, size, DOCTYPE) by the SAML reader. */
export const SamlPostBody = () => SetMetadata(BODY_KIND_KEY, 'saml-post');

/** The portal's error body, documented once for every route (see PortalController). */
export const API_ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'machine-readable code, e.g. validation_failed, not_found, too_many_requests' },
    message: { type: 'string' },
    fields: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    correlationId: { type: 'string' },
  },
};

export const ApiErrorResponses = () =>
  applyDecorators(
    ApiBadRequestResponse({ description: 'a field is missing or wrong (each named in `fields`)', schema: API_ERROR_SCHEMA }),
    ApiUnauthorizedResponse({ description: 'no valid API token or session', schema: API_ERROR_SCHEMA }),
    ApiForbiddenResponse({ description: 'the role may not do this, or the CSRF token is missing', schema: API_ERROR_SCHEMA }),
    ApiNotFoundResponse({ description: "not found (another tenant's resources are not found either)", schema: API_ERROR_SCHEMA }),
    ApiTooManyRequestsResponse({ description: 'rate limit reached; see Retry-After', schema: API_ERROR_SCHEMA }),
  );

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
