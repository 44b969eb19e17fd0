// The wire's own errors (decode, signature, freshness, format). Every error that reaches a client,
// from any layer, has this shape: Alibaba's `Code`, an HTTP status and a message naming the
// offending parameter and value. The pipeline maps them to a response in exactly one place. Every
// code and message comes from the error catalog (src/error-catalog.ts).
import { type ErrorArgs, type ErrorCode, errorText } from '../error-catalog.ts';

export interface ErrorShape {
  readonly code: string;
  readonly httpStatus: number;
  readonly message: string;
  readonly accessDeniedDetail?: string;
}

export class WireError extends Error implements ErrorShape {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  constructor(code: ErrorCode, httpStatus: number, message: string) {
    super(message);
    this.name = 'WireError';
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

export function isErrorShape(e: unknown): e is ErrorShape {
  return typeof e === 'object' && e !== null &&
    typeof (e as ErrorShape).code === 'string' && typeof (e as ErrorShape).httpStatus === 'number' &&
    typeof (e as ErrorShape).message === 'string' && (e as { isApiError?: boolean }).isApiError === true;
}

/** The catalog's error `code` (its default message, or the named variant) as a WireError. */
export function wireError<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): WireError {
  const e = errorText(code, ...args);
  return new WireError(e.code, e.httpStatus, e.message);
}

/**
 * The same error answered with another HTTP status: only for what fastify refuses itself
 * (src/api/app.ts), whose own 4xx status the answer keeps.
 */
export function withStatus(e: WireError, httpStatus: number): WireError {
  return new WireError(e.code, httpStatus, e.message);
}

(WireError.prototype as unknown as { isApiError: boolean }).isApiError = true;
