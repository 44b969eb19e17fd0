// Domain errors: closed, typed, each with Alibaba's `Code` and HTTP status. The pipeline maps them
// (and the wire's own errors) to responses in one place.
export class DomainError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly accessDeniedDetail?: string;
  constructor(code: string, httpStatus: number, message: string, accessDeniedDetail?: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.httpStatus = httpStatus;
    if (accessDeniedDetail !== undefined) this.accessDeniedDetail = accessDeniedDetail;
  }
}
(DomainError.prototype as unknown as { isApiError: boolean }).isApiError = true;

export const fail = (code: string, httpStatus: number, message: string): never => {
  throw new DomainError(code, httpStatus, message);
};

export { isStoreDataError, isStoreUnavailable } from '../store/errors.ts';

export const errors = {
  invalidParameter: (name: string, value: string, why = '') =>
    new DomainError('InvalidParameter', 400, `The specified parameter \`${name}\` value \`${value}\` is not valid.${why ? ' ' + why : ''}`),
  invalidRegion: (region: string) =>
    new DomainError('InvalidRegionId.NotFound', 404, `The specified RegionId \`${region}\` does not exist.`),
  storeRefusedValue: () =>
    new DomainError('InvalidParameter', 400, 'A specified parameter value can not be stored: it holds a character or number out of range.'),
  serviceUnavailable: () =>
    new DomainError('ServiceUnavailable', 503, 'The request has failed due to a temporary failure of the server.'),
  idempotentParameterMismatch: (token: string) =>
    new DomainError('IdempotentParameterMismatch', 400, `The ClientToken \`${token}\` was used before with other parameters.`),
};
