// The name and description rules the ECS and VPC APIs share for their resources (VPCs, vSwitches,
// security groups): a name has `min` to 128 characters, starts with a letter and not with
// `http://` or `https://`; a description has `min` to 256 characters and doesn't start with them
// either. Absent or empty values are not checked (they mean "none").
import { DomainError } from './errors.ts';

const URL_START = /^https?:\/\//;
const LETTER_START = /^[\p{L}]/u;

export function checkName(value: string | undefined, rule: { param: string; code: string; min: 1 | 2 }): void {
  if (value === undefined || value === '') return;
  if (value.length < rule.min || value.length > 128 || URL_START.test(value) || !LETTER_START.test(value)) {
    throw new DomainError(rule.code, 400, `The specified \`${rule.param}\` \`${value.slice(0, 128)}\` is invalid: ${rule.min} to 128 characters, starting with a letter, not with \`http://\` or \`https://\`.`);
  }
}

export function checkDescription(value: string | undefined, min: 1 | 2): void {
  if (value === undefined || value === '') return;
  if (value.length < min || value.length > 256 || URL_START.test(value)) {
    throw new DomainError('InvalidDescription.Malformed', 400, `The specified \`Description\` is invalid: ${min === 1 ? 'at most 256' : `${min} to 256`} characters, not starting with \`http://\` or \`https://\`.`);
  }
}
