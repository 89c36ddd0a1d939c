// The language: Simplified Chinese unless the user switched, remembered in localStorage, sent to
// the API (X-Gongzhi-Lang, and the gz_lang cookie for the WebSocket, which cannot carry headers),
// and every user-visible string comes from one catalogue per language.

import zh from "../i18n/zh.js";
import en from "../i18n/en.js";

const CATALOGUES = { zh, en };
const LOCALES = { zh: "zh-CN", en: "en-GB" };
const STORAGE_KEY = "gz.lang";
const listeners = new Set();

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode): fall back to the default
  }
}

let lang = stored() === "en" ? "en" : "zh";

export function getLang() {
  return lang;
}

export function locale() {
  return LOCALES[lang];
}

/** Switch language, remember it, and tell the shell to re-render. */
export function setLang(next) {
  if (!(next in CATALOGUES) || next === lang) return;
  lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, but the switch still works for this page
  }
  applyDocumentLang();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function applyDocumentLang() {
  document.documentElement.lang = LOCALES[lang];
  // Max-Age a year; SameSite=Lax like the session cookie. Not HttpOnly: it is not a secret.
  document.cookie = `gz_lang=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

/** Is there a string for this key? (for codes from the API we may or may not know) */
export function has(key) {
  return Object.hasOwn(CATALOGUES[lang], key) || Object.hasOwn(CATALOGUES[lang], `${key}.other`);
}

// Plural forms (issue #14 item 8: "1 comment", "2 comments", never "comment(s)"): a key that
// depends on a count is written as KEY.one / KEY.other (Intl.PluralRules' categories; Chinese
// has only "other", so both of its forms read the same) and used as t(KEY, { n }) — the count
// is params.n, or params.count, as a number or as formatNumber wrote it.
const pluralRules = new Map();
function pluralKey(key, params) {
  const raw = params.n ?? params.count;
  const n = typeof raw === "number" ? raw : Number(String(raw ?? "").replace(/[^\d.-]/g, ""));
  if (!pluralRules.has(lang)) pluralRules.set(lang, new Intl.PluralRules(LOCALES[lang]));
  const form = `${key}.${Number.isFinite(n) ? pluralRules.get(lang).select(n) : "other"}`;
  return Object.hasOwn(CATALOGUES[lang], form) ? form : `${key}.other`;
}

/** t("home.greeting", { name }) — a missing key shows itself, loudly, instead of failing. */
export function t(key, params = {}) {
  if (!Object.hasOwn(CATALOGUES.zh, key) && Object.hasOwn(CATALOGUES.zh, `${key}.other`)) {
    key = pluralKey(key, params);
  }
  const text = CATALOGUES[lang][key] ?? CATALOGUES.zh[key];
  if (text === undefined) {
    console.warn(`i18n: missing key ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// Formatters. Areas arrive as exact decimal strings ("89.50"); Number() is exact enough for
// display of two decimals up to 10^13, and nothing here computes with them.

const cache = new Map();
function nf(options) {
  const key = `${lang}|${JSON.stringify(options)}`;
  if (!cache.has(key)) cache.set(key, new Intl.NumberFormat(locale(), options));
  return cache.get(key);
}

export function formatNumber(n) {
  return nf({}).format(n);
}

/** "1,234.50 平方米" / "1,234.50 m²" */
export function formatArea(m2) {
  const n = nf({ minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Number(m2));
  return t("format.area", { n });
}

/** A ratio (0.5) as "50%"; up to two decimals, because 66.67% vs 66.66% can matter here. */
export function formatPercent(ratio) {
  return nf({ style: "percent", maximumFractionDigits: 2 }).format(ratio);
}

const DIGITS = "零一二三四五六七八九";

/** 12 → "十二", 105 → "一百零五": how 第X章 and 第X条 are written in Chinese legal texts (the
 *  same rule as api/formats/ruletext.py chinese_numeral). */
export function chineseNumeral(n) {
  if (!Number.isInteger(n) || n <= 0 || n >= 10000) return String(n);
  if (n < 10) return DIGITS[n];
  if (n < 20) return `十${n % 10 ? DIGITS[n % 10] : ""}`;
  let out = "";
  let zero = false;
  for (const [unit, name] of [[1000, "千"], [100, "百"], [10, "十"], [1, ""]]) {
    const d = Math.floor(n / unit);
    n %= unit;
    if (d) {
      if (zero) out += "零";
      zero = false;
      out += DIGITS[d] + name;
    } else if (out) {
      zero = true;
    }
  }
  return out;
}

/** A chapter's or an article's number as the language writes it: 十二 in Chinese (第十二条, like
 *  the clause labels the API sends), 12 in English. Anything but a number is shown as it is. */
export function formatArticle(n) {
  const k = typeof n === "number" ? n : Number(n);
  if (!Number.isInteger(k)) return String(n);
  return lang === "zh" ? chineseNumeral(k) : formatNumber(k);
}

export function formatDate(value) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long" }).format(new Date(value));
}

export function formatDateTime(value) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeStyle: "short" }).format(
    new Date(value),
  );
}
