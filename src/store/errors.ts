// Which failures mean "the database can't be reached right now" rather than a bug: the pipeline
// answers them ServiceUnavailable (503) and the server goes on; anything else stays a 500.

/** SQLSTATE classes and codes of a connection that failed or a server going away. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53000', '58000', '58030']);
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated', 'connection error and is not queryable', 'timeout exceeded when trying to connect',
  'Client was closed and is not queryable', 'Cannot use a pool after calling end', 'the database system is',
  'SQLITE_BUSY', 'database is locked',
];

/**
 * A value the database refused as data (SQLSTATE class 22: a character it can't store, a number
 * out of range): the request's input, answered InvalidParameter, never a 500.
 */
export function isStoreDataError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

export function isStoreUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || UNAVAILABLE_ERRNO.has(code) || code === 'SQLITE_BUSY') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}
