// Languages: English and Simplified Chinese. The browser's languages choose, a switch overrides
// (remembered in localStorage). Dates, numbers and money are formatted with Intl for the locale.
import { exponentOf, toMajor } from './currencies.js';

export const LOCALES = ['en', 'zh-CN'];
const STORAGE_KEY = 'marketplace.lang';
const catalogues = { en: {}, 'zh-CN': {} };
const listeners = new Set();
let current = 'en';

/** Add message catalogues: each is {en: {key: text}, 'zh-CN': {key: text}}. */
export function registerMessages(...parts) {
  for (const part of parts) for (const locale of LOCALES) Object.assign(catalogues[locale], part[locale]);
}

/** The UI language from storage, else the first supported browser language, else English. */
export function detectLocale() {
  const stored = safeStorage()?.getItem(STORAGE_KEY);
  if (LOCALES.includes(stored)) return stored;
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function initLocale() {
  apply(detectLocale());
  return current;
}

export function getLocale() {
  return current;
}

/** Switch language, remember it, and tell every screen to re-render. */
export function setLocale(locale) {
  if (!LOCALES.includes(locale) || locale === current) return;
  safeStorage()?.setItem(STORAGE_KEY, locale);
  apply(locale);
  for (const fn of listeners) fn(locale);
}

export function onLocaleChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function apply(locale) {
  current = locale;
  document.documentElement.lang = locale;
}

function safeStorage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** t('offer.reward', {amount}) -> the message with {placeholders} filled (as text). */
export function t(key, params) {
  const text = catalogues[current][key] ?? catalogues.en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Whether a message exists (for optional labels such as event names). */
export function has(key) {
  return key in catalogues[current];
}

/** The message for `key` when there is one, else `fallback` (for names the server invents). */
export function tOr(key, fallback) {
  return has(key) ? t(key) : fallback;
}

/** The locale for Intl: the browser's own tag when it is a variant of the UI language. */
export function intlLocale() {
  const browser = (navigator.languages || [])[0] || '';
  if (current === 'en' && /^en(-|$)/i.test(browser)) return browser;
  return current;
}

const cache = new Map();
function formatter(kind, options) {
  const key = `${kind}|${intlLocale()}|${JSON.stringify(options)}`;
  if (!cache.has(key)) {
    const Ctor = kind === 'date' ? Intl.DateTimeFormat : kind === 'rel' ? Intl.RelativeTimeFormat : Intl.NumberFormat;
    cache.set(key, new Ctor(intlLocale(), options));
  }
  return cache.get(key);
}

const toDate = (value) => (value instanceof Date ? value : new Date(value));

export function fmtDateTime(value) {
  return value ? formatter('date', { dateStyle: 'medium', timeStyle: 'short' }).format(toDate(value)) : '';
}

export function fmtDate(value, options = { dateStyle: 'medium' }) {
  return value ? formatter('date', options).format(toDate(value)) : '';
}

export function fmtTime(value) {
  return value ? formatter('date', { timeStyle: 'short' }).format(toDate(value)) : '';
}

export function fmtNumber(value, options = {}) {
  return value === null || value === undefined ? '–' : formatter('number', options).format(value);
}

export function fmtPercent(value, digits = 0) {
  return fmtNumber(value, { style: 'percent', maximumFractionDigits: digits });
}

/** Money in minor units -> '¥8.00', 'US$1.50', '¥800' (JPY), with the ISO 4217 exponent. */
export function fmtMoney(amount, currency) {
  if (amount === null || amount === undefined || !currency) return '–';
  let digits;
  try {
    digits = exponentOf(currency);
  } catch {
    return `${amount} ${currency}`;
  }
  return formatter('number', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(toMajor(amount, currency));
}

/** 75 -> '1 min 15 s' / '1分15秒'; long spans in hours or days. */
export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  const unit = (value, name) => formatter('number', { style: 'unit', unit: name, unitDisplay: 'narrow' }).format(value);
  if (s < 60) return unit(s, 'second');
  if (s < 3600) return `${unit(Math.floor(s / 60), 'minute')} ${s % 60 ? unit(s % 60, 'second') : ''}`.trim();
  if (s < 86400) return `${unit(Math.floor(s / 3600), 'hour')} ${Math.floor(s % 3600 / 60) ? unit(Math.floor(s % 3600 / 60), 'minute') : ''}`.trim();
  return `${unit(Math.floor(s / 86400), 'day')} ${Math.floor(s % 86400 / 3600) ? unit(Math.floor(s % 86400 / 3600), 'hour') : ''}`.trim();
}

/** A countdown as m:ss (or h:mm:ss). */
export function fmtClock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const pad = (n) => String(n).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)}:${pad(Math.floor(s % 3600 / 60))}:${pad(s % 60)}`;
  return `${Math.floor(s / 60)}:${pad(s % 60)}`;
}

/** 'in 5 minutes' / '5分钟后', '3 hours ago' / '3小时前'. */
export function fmtRelative(value, now = Date.now()) {
  const seconds = (toDate(value).getTime() - now) / 1000;
  const rel = formatter('rel', { numeric: 'auto' });
  const abs = Math.abs(seconds);
  if (abs < 60) return rel.format(Math.round(seconds), 'second');
  if (abs < 3600) return rel.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rel.format(Math.round(seconds / 3600), 'hour');
  return rel.format(Math.round(seconds / 86400), 'day');
}

/** A language tag's name in the UI language ('zh' -> 'Chinese' / '中文'). */
export function languageName(tag) {
  try {
    return new Intl.DisplayNames([current], { type: 'language' }).of(tag) || tag;
  } catch {
    return tag;
  }
}

/** Text that comes from the server in both languages: {en, zh} / {en, 'zh-CN'} / a string. */
export function localized(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    const zh = value['zh-CN'] ?? value.zh ?? value.zh_cn;
    return (current === 'zh-CN' ? zh ?? value.en : value.en ?? zh) ?? Object.values(value).find((v) => typeof v === 'string') ?? '';
  }
  return String(value);
}
