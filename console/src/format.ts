// Times as the console shows them: `YYYY-MM-DD HH:mm:ss` in the browser's time zone, the same in
// both languages (as Alibaba's consoles show times in their lists). Built from the Date's fields:
// the first Intl.DateTimeFormat of a page cost its first list tens of milliseconds (ICU's locale
// data), and one built per call cost that again and again.

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * A time (an ISO-8601 text or ms since the epoch); `empty` for none (0 included), the text as given
 * when it is not a time. `lang` is the console's language (kept for callers; the format is the same).
 */
export function formatDate(at: string | number | undefined, _lang?: string, empty = '—'): string {
  if (at === undefined || at === '' || at === 0) return empty;
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
