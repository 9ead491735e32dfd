import { useEffect, useState } from 'preact/hooks';

export type Lang = 'zh-CN' | 'en';
const KEY = 'ktv.lang';
const listeners = new Set<(l: Lang) => void>();

/** The page's language: Chinese unless the user chose English on this device. */
export function lang(): Lang {
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

export function setLang(l: Lang): void {
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
  for (const fn of listeners) fn(l);
}

/**
 * The strings of the current language, re-rendering on a switch. A page passes
 * its dictionaries; English must have every key the Chinese one has.
 */
export function useStrings<T>(dicts: Readonly<Record<Lang, T>>): [T, Lang] {
  const [current, setCurrent] = useState<Lang>(lang());
  useEffect(() => {
    listeners.add(setCurrent);
    return () => void listeners.delete(setCurrent);
  }, []);
  return [dicts[current], current];
}

/** Wall-clock time of an ISO instant in the venue's time zone (not the device's), e.g. 20:30. */
export const clockTime = (iso: string, l: Lang, timeZone: string) =>
  new Date(iso).toLocaleTimeString(l, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone });
