// The one source of randomness: resource ids, request ids, account ids and secrets.
import { randomBytes, randomUUID } from 'node:crypto';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  // rejection sampling keeps the distribution uniform
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += alphabet[b % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export interface Ids {
  /** `vpc-bp1…`: a prefix, a region hint and 20 random characters */
  resource(prefix: string): string;
  requestId(): string;
  accountId(): string;
  accessKeyId(): string;
  accessKeySecret(): string;
  token(bytes: number): string;
}

export const randomIds: Ids = {
  resource: (prefix) => `${prefix}-${pick(ALNUM, 20)}`,
  requestId: () => randomUUID().toUpperCase(),
  // the first digit stays below 9 so the id is exact as a JSON number (OwnerId is numeric on the wire)
  accountId: () => String(1 + (randomBytes(1)[0]! % 8)) + pick('0123456789', 15),
  accessKeyId: () => 'LTAI' + pick(MIXED, 20),
  accessKeySecret: () => pick(MIXED, 30),
  token: (bytes) => randomBytes(bytes).toString('base64url'),
};
