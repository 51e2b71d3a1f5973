import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { pickLanguage, translate, type Language, type MessageKey } from './messages';

const STORAGE_KEY = 'sb.lang';

interface I18n {
  lang: Language;
  locale: string;
  setLang: (lang: Language) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(() => pickLanguage(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]));
  const setLang = useCallback((l: Language) => {
    localStorage.setItem(STORAGE_KEY, l);
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    setLangState(l);
  }, []);
  const value = useMemo<I18n>(
    () => ({ lang, locale: lang === 'zh' ? 'zh-CN' : 'en-US', setLang, t: (key, vars) => translate(lang, key, vars) }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
