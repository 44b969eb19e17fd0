// The name and description rules the ECS and VPC APIs share for their resources (VPCs, vSwitches,
// security groups): a name has `min` to 128 characters, starts with a letter and not with
// `http://` or `https://`; a description has `min` to 256 characters and doesn't start with them
// either. Absent or empty values are not checked (they mean "none").
import { apiError } from './errors.ts';

const URL_START = /^https?:\/\//;
const LETTER_START = /^[\p{L}]/u;

/** The codes of the names checkName knows: security groups, VPCs, vSwitches. */
export type NameCode = 'InvalidSecurityGroupName.Malformed' | 'InvalidVpcName.Malformed' | 'InvalidVSwitchName.Malformed';

export function checkName(value: string | undefined, rule: { param: string; code: NameCode; min: 1 | 2 }): void {
  if (value === undefined || value === '') return;
  if (value.length < rule.min || value.length > 128 || URL_START.test(value) || !LETTER_START.test(value)) {
    throw apiError(rule.code, { param: rule.param, value: value.slice(0, 128), min: rule.min });
  }
}

export function checkDescription(value: string | undefined, min: 1 | 2): void {
  if (value === undefined || value === '') return;
  if (value.length < min || value.length > 256 || URL_START.test(value)) {
    throw apiError('InvalidDescription.Malformed', { min });
  }
}
