// The wire's own errors (decode, signature, freshness, format). Every error that reaches a client,
// from any layer, has this shape: Alibaba's `Code`, an HTTP status and a message naming the
// offending parameter and value. The pipeline maps them to a response in exactly one place.

export interface ErrorShape {
  readonly code: string;
  readonly httpStatus: number;
  readonly message: string;
  readonly accessDeniedDetail?: string;
}

export class WireError extends Error implements ErrorShape {
  readonly code: string;
  readonly httpStatus: number;
  constructor(code: string, httpStatus: number, message: string) {
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

export const wireErrors = {
  missingParameter: (name: string) =>
    new WireError('MissingParameter', 400, `The input parameter \`${name}\` that is mandatory for processing this request is not supplied.`),
  invalidParameter: (name: string, value: string, why = '') =>
    new WireError('InvalidParameter', 400, `The specified parameter \`${name}\` value \`${value}\` is not valid.${why ? ' ' + why : ''}`),
  unsupportedSignature: (detail: string) =>
    new WireError('IncompleteSignature', 400, `The request signature does not conform to Aliyun standards. ${detail}`),
  invalidAccessKeyId: () =>
    new WireError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.'),
  inactiveAccessKeyId: () =>
    new WireError('InvalidAccessKeyId.Inactive', 400, 'Specified access key is disabled.'),
  signatureMismatch: (stringToSign: string) =>
    new WireError('SignatureDoesNotMatch', 400, `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`),
  nonceUsed: () =>
    new WireError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  missingNonce: () =>
    new WireError('MissingSignatureNonce', 400, 'The input parameter `SignatureNonce` that is mandatory for processing this request is not supplied.'),
  timestampExpired: (ts: string) =>
    new WireError('InvalidTimeStamp.Expired', 400, `Specified time stamp or date value is expired: \`${ts}\`.`),
  timestampFormat: (ts: string) =>
    new WireError('InvalidTimeStamp.Format', 400, `Specified time stamp or date value \`${ts}\` is not well formatted.`),
  missingVersion: () =>
    new WireError('MissingVersion', 400, 'The input parameter `Version` that is mandatory for processing this request is not supplied.'),
  invalidVersion: (version: string) =>
    new WireError('InvalidVersion', 400, `Specified parameter Version \`${version}\` is not valid.`),
  missingAction: () =>
    new WireError('MissingAction', 400, 'The input parameter `Action` that is mandatory for processing this request is not supplied.'),
  invalidAction: (action: string) =>
    new WireError('InvalidAction.NotFound', 404, `Specified api \`${action}\` is not found, please check your url and method.`),
  unsupportedHttpMethod: (method: string) =>
    new WireError('UnsupportedHTTPMethod', 400, `The HTTP method \`${method}\` is not supported.`),
  contentHashMismatch: () =>
    new WireError('SignatureDoesNotMatch', 400, 'The `x-acs-content-sha256` header does not match the request body.'),
  invalidSecurityToken: (why: string) =>
    new WireError('InvalidSecurityToken.Malformed', 400, `Specified SecurityToken is malformed. ${why}`),
  expiredSecurityToken: () =>
    new WireError('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired.'),
  internal: () =>
    new WireError('InternalError', 500, 'The request processing has failed due to some unknown error, exception or failure.'),
};
(WireError.prototype as unknown as { isApiError: boolean }).isApiError = true;
