// The language of the console: English or 简体中文, chosen in the top bar and remembered in
// localStorage ('parapet.lang'); the first visit follows the browser's language. useT() gives the
// t(key, values) of the current language; antd's own strings follow through ConfigProvider's locale.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en.ts';
import { zh } from './zh.ts';

export type Lang = 'en' | 'zh';
export type { MessageKey };
const CATALOGS: Record<Lang, Messages> = { en, zh };
const STORAGE_KEY = 'parapet.lang';

export type T = (key: MessageKey, values?: Record<string, string | number>) => string;

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh') return saved;
  } catch { /* storage may be disabled: fall back to the browser's language */ }
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function format(catalog: Messages, key: MessageKey, values?: Record<string, string | number>): string {
  const text = catalog[key];
  if (values === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : m));
}

interface I18n { lang: Lang; setLang: (lang: Lang) => void; t: T }
const I18nContext = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try { localStorage.setItem(STORAGE_KEY, l); } catch { /* not remembered, still switched */ }
  }, []);
  // screen readers and fonts follow the page's language
  useEffect(() => { document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'; }, [lang]);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (key, values) => format(CATALOGS[lang], key, values) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (ctx === undefined) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

/** t(key, values) in the current language. */
export function useT(): T {
  return useI18n().t;
}
