import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ApiErrorBody } from '@portal/contracts';
import { TenantContext } from '@portal/tenancy';
import { DomainError } from './domain-errors';

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
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
    } else if (isBodyParserError(exception)) {
      status = exception.status;
      body =
        status === 413
          ? { error: 'payload_too_large', message: 'request body is too large' }
          : { error: 'bad_request', message: 'request body is not valid JSON', fields: [{ field: 'body', message: 'is not valid JSON' }] };
    } else {
      this.logger.error({ err: exception, path: req.path }, 'unhandled error');
      body = { error: 'internal_error', message: 'something went wrong on our side; quote the correlation id to support' };
    }
    if (correlationId) body.correlationId = correlationId;
    if (!res.headersSent) res.status(status).json(body);
  }
}

function isBodyParserError(e: unknown): e is { status: number; type: string } {
  return typeof e === 'object' && e !== null && 'type' in e && 'status' in e && typeof (e as { status: unknown }).status === 'number';
}
