// Domain errors: closed, typed, each with Alibaba's `Code` and HTTP status. Every one is an entry
// of the error catalog (src/error-catalog.ts), named where it is raised. The pipeline maps them
// (and the wire's own errors) to responses in one place.
import { type ErrorArgs, type ErrorCode, errorText } from '../error-catalog.ts';

export type { ErrorCode } from '../error-catalog.ts';

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly accessDeniedDetail?: string;
  constructor(code: ErrorCode, httpStatus: number, message: string, accessDeniedDetail?: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.httpStatus = httpStatus;
    if (accessDeniedDetail !== undefined) this.accessDeniedDetail = accessDeniedDetail;
  }
}
(DomainError.prototype as unknown as { isApiError: boolean }).isApiError = true;

/** The catalog's error `code` (its default message, or the named variant) as a DomainError. */
export function apiError<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): DomainError {
  const e = errorText(code, ...args);
  return new DomainError(e.code, e.httpStatus, e.message);
}

/** The same error with the RAM diagnosis an access denial carries (`AccessDeniedDetail`). */
export function withAccessDeniedDetail(e: DomainError, detail: string): DomainError {
  return new DomainError(e.code, e.httpStatus, e.message, detail);
}

/** A catalog error as the `Code` and `Message` of one item of a batch's results (no HTTP status of its own). */
export function itemError<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): { code: C; message: string } {
  const e = errorText(code, ...args);
  return { code: e.code, message: e.message };
}

export { isStoreDataError, isStoreUnavailable } from '../store/errors.ts';
