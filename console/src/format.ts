// Dates as the console shows them: the language's date and time (what Date#toLocaleString gives),
// through one Intl.DateTimeFormat per language, built once: building one per call cost a list of
// twenty groups tens of milliseconds.

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(lang: string): Intl.DateTimeFormat {
  const locale = lang === 'zh' ? 'zh-CN' : 'en-US';
  let f = formats.get(locale);
  if (f === undefined) {
    // toLocaleString's defaults: numeric date and time
    f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(locale, f);
  }
  return f;
}

/**
 * A time (an ISO-8601 text or ms since the epoch) in the console's language; `empty` for none (0
 * included), the text as given when it is not a time.
 */
export function formatDate(at: string | number | undefined, lang: string, empty = '—'): string {
  if (at === undefined || at === '' || at === 0) return empty;
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : formatOf(lang).format(d);
}
