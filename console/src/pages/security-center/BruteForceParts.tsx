// The anti-brute-force values the API allows (src/domain/security-center/brute-force.ts: FailCount,
// Span and ForbiddenTime each from a fixed list), and how a ForbiddenTime reads.
import type { T } from '../../i18n/index.tsx';

export const FAIL_COUNTS = [2, 3, 4, 5, 10, 50, 80, 100];
export const SPANS = [1, 2, 5, 10, 15];
export const FORBIDDEN_TIMES = [5, 15, 30, 60, 120, 360, 720, 1440, 10080, 52560000];
/** the longest ForbiddenTime (100 years) is "permanent" */
const PERMANENT = 52560000;

export function forbiddenLabel(t: T, minutes: number): string {
  if (minutes === PERMANENT) return t('sas.bf.permanent');
  if (minutes === 1440) return t('sas.bf.oneDay');
  if (minutes % 1440 === 0) return t('sas.bf.days', { n: minutes / 1440 });
  if (minutes === 60) return t('sas.bf.oneHour');
  if (minutes % 60 === 0) return t('sas.bf.hours', { n: minutes / 60 });
  return t('sas.bf.minutes', { n: minutes });
}
