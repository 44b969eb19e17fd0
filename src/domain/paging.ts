// PageNumber / PageSize paging, as every Describe operation does it: PageNumber from 1, PageSize
// 1..max (default 10), the total before paging.
import { apiError } from './errors.ts';

export interface Page<T> { totalCount: number; pageNumber: number; pageSize: number; items: T[] }

export function checkPage(pageNumber: number | undefined, pageSize: number | undefined, maxSize: number): { pageNumber: number; pageSize: number } {
  const n = pageNumber ?? 1;
  const s = pageSize ?? 10;
  if (!Number.isInteger(n) || n < 1) throw apiError('InvalidParameter', { name: 'PageNumber', value: String(pageNumber), why: 'It must be a positive integer.' });
  if (!Number.isInteger(s) || s < 1 || s > maxSize) throw apiError('InvalidParameter', { name: 'PageSize', value: String(pageSize), why: `It must be between 1 and ${maxSize}.` });
  return { pageNumber: n, pageSize: s };
}

export function pageOf<T>(items: readonly T[], pageNumber: number | undefined, pageSize: number | undefined, maxSize: number): Page<T> {
  const p = checkPage(pageNumber, pageSize, maxSize);
  return { totalCount: items.length, ...p, items: items.slice((p.pageNumber - 1) * p.pageSize, p.pageNumber * p.pageSize) };
}
