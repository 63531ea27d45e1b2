import type { ApiFieldError } from '@portal/contracts';

/** Typed domain errors; the exception filter maps each to its HTTP status and `{ error, message, fields? }`. */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly fields?: ApiFieldError[];
  constructor(message: string, fields?: ApiFieldError[]) {
    super(message);
    this.name = new.target.name;
    this.fields = fields;
  }
}

export class ValidationFailed extends DomainError {
  readonly status = 400;
  readonly code = 'validation_failed';
  constructor(fields: ApiFieldError[], message?: string) {
    super(message ?? `invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`, fields);
  }
}
export class NotFound extends DomainError {
  readonly status = 404;
  readonly code = 'not_found';
}
export class IncidentNotFound extends NotFound {
  constructor() {
    super('incident not found');
  }
}
export class Unauthenticated extends DomainError {
  readonly status = 401;
  readonly code = 'unauthenticated';
}
export class Forbidden extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
}
export class Conflict extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
}
export class InvalidTransition extends DomainError {
  readonly status = 409;
  readonly code = 'invalid_transition';
}
export class PayloadTooLarge extends DomainError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}
export class UnsupportedMediaType extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}
export class TooManyRequests extends DomainError {
  readonly status = 429;
  readonly code = 'too_many_requests';
  constructor(
    message: string,
    /** Seconds until the next attempt is allowed (the Retry-After header). */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
export class IdempotencyKeyReused extends DomainError {
  readonly status = 422;
  readonly code = 'idempotency_key_reused';
}
