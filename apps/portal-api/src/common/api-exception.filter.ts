import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import type { ApiErrorBody } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { DomainError, TooManyRequests } from './domain-errors';

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  507: 'insufficient_storage',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** One place maps errors to HTTP: typed domain errors, framework errors, and the rest as a bare 500. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const correlationId = TenantContext.maybeStore()?.requestId;
    let status = 500;
    let body: ApiErrorBody;
    if (exception instanceof DomainError) {
      status = exception.status;
      if (exception instanceof TooManyRequests) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
      body = { error: exception.code, message: exception.message, ...(exception.fields ? { fields: exception.fields } : {}) };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const r = exception.getResponse();
      const message = typeof r === 'string' ? r : ((r as { message?: unknown }).message ?? exception.message);
      body = {
        error: HTTP_CODES[status] ?? 'error',
        message: Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : JSON.stringify(message),
      };
      if (status === 404 && !req.path.startsWith('/api')) body.message = 'not found';
      if (typeof r === 'object' && r !== null && 'checks' in r) Object.assign(body, { checks: r.checks });
    } else if (isRequestBodyError(exception)) {
      ({ status, body } = requestBodyError(exception, req));
    } else if (isLostDatabase(exception)) {
      // The database went away under this request (restart, failover): nothing was committed; try again.
      this.logger.warn({ path: req.path }, 'database connection lost during a request');
      status = 503;
      res.setHeader('Retry-After', '2');
      body = { error: 'unavailable', message: 'the database connection was lost; nothing was saved, please retry' };
    } else if (isNoSpace(exception)) {
      this.logger.error({ path: req.path }, 'storage full');
      status = 507;
      body = { error: 'insufficient_storage', message: 'the evidence storage is full; nothing was stored. Try again later or contact support' };
    } else if (isMalformedValue(exception)) {
      // PostgreSQL refused a value the validation let through (SQLSTATE class 22, data exception): the
      // request is at fault, not the server. The validation should catch it first; the log says where.
      this.logger.warn({ path: req.path, sqlstate: exception.driverError.code }, 'malformed value reached the database');
      status = 400;
      body = { error: 'bad_request', message: 'a value in the request is malformed or out of range' };
    } else {
      this.logger.error({ err: exception, path: req.path }, 'unhandled error');
      body = { error: 'internal_error', message: 'something went wrong on our side; quote the correlation id to support' };
    }
    if (correlationId) body.correlationId = correlationId;
    if (!res.headersSent) res.status(status).json(body);
  }
}

interface RequestBodyError {
  status: number;
  type?: string;
  code?: string;
  limit?: number;
  encoding?: string;
  charset?: string;
}

/** Errors raised while reading the body (body-parser, raw-body, zlib): always the client's, never a 500. */
function isRequestBodyError(e: unknown): e is RequestBodyError {
  if (typeof e !== 'object' || e === null || !('status' in e) || typeof e.status !== 'number') return false;
  return (
    e.status >= 400 &&
    e.status < 500 &&
    ('type' in e || ('code' in e && typeof e.code === 'string' && /^(Z_|ERR_ZLIB|ERR_BROTLI|ERR__ERROR_)/.test(e.code)) || 'expose' in e)
  );
}

function requestBodyError(e: RequestBodyError, req: Request): { status: number; body: ApiErrorBody } {
  const mib = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
  switch (e.type) {
    case 'entity.too.large':
    case 'parameters.too.many':
      return { status: 413, body: { error: 'payload_too_large', message: `request body is larger than the ${e.limit ? mib(e.limit) : 'allowed'} limit` } };
    case 'encoding.unsupported':
      return {
        status: 415,
        body: {
          error: 'unsupported_media_type',
          message: `Content-Encoding "${String(req.header('content-encoding') ?? '').slice(0, 40)}" is not supported; send the body as identity, gzip, deflate or br`,
          fields: [{ field: 'content-encoding', message: 'must be identity, gzip, deflate or br' }],
        },
      };
    case 'charset.unsupported':
      return {
        status: 415,
        body: { error: 'unsupported_media_type', message: 'the body must be UTF-8', fields: [{ field: 'content-type', message: 'charset must be utf-8' }] },
      };
    case 'entity.parse.failed':
      return {
        status: 400,
        body: { error: 'bad_request', message: 'request body is not valid JSON', fields: [{ field: 'body', message: 'is not valid JSON' }] },
      };
    default:
      break;
  }
  if (e.code && /^(Z_|ERR_ZLIB|ERR_BROTLI|ERR__ERROR_)/.test(e.code)) {
    const enc = String(req.header('content-encoding') ?? '').slice(0, 40);
    return {
      status: 400,
      body: {
        error: 'bad_request',
        message: `request body could not be decompressed (Content-Encoding: ${enc})`,
        fields: [{ field: 'body', message: `is not valid ${enc} data` }],
      },
    };
  }
  return { status: e.status, body: { error: HTTP_CODES[e.status] ?? 'bad_request', message: 'the request body could not be read' } };
}

/**
 * PostgreSQL ended the connection (admin shutdown, crash, restart) or the socket died mid-query. When it dies inside
 * a transaction, TypeORM releases the query runner on the connection's error and the transaction's next statement
 * (or its rollback) fails with QueryRunner(Provider)AlreadyReleasedError instead: the same loss, seen one step later.
 * A statement cancelled by DB_STATEMENT_TIMEOUT_MS (57014) is answered the same way: the database could not answer in time.
 */
function isLostDatabase(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  if (e instanceof QueryRunnerAlreadyReleasedError || e instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const d = 'driverError' in e ? e.driverError : e;
  const code = typeof d === 'object' && d !== null && 'code' in d ? String(d.code) : '';
  const message = e instanceof Error ? e.message : '';
  return (
    ['57P01', '57P02', '57P03', '08006', '08003', '08000', '57014'].includes(code) ||
    /Connection terminated|Client has encountered a connection error|terminating connection/.test(message)
  );
}

/** The disk or quota is full (evidence storage). */
function isNoSpace(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && ['ENOSPC', 'EDQUOT'].includes(String(e.code));
}

/** A QueryFailedError whose SQLSTATE is a data exception (22xxx): invalid text representation, datetime out of range, … */
function isMalformedValue(e: unknown): e is { driverError: { code: string } } {
  if (typeof e !== 'object' || e === null || !('driverError' in e)) return false;
  const d = e.driverError;
  return typeof d === 'object' && d !== null && 'code' in d && typeof d.code === 'string' && d.code.startsWith('22');
}
