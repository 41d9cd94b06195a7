export const LOCALES: ReadonlySet<string> = new Set([
  'ar', 'ca', 'de', 'es', 'eu', 'he', 'id', 'ja', 'lv', 'pl', 'ro', 'sr', 'th', 'vi', 'az',
  'cs', 'el', 'es-419', 'fi', 'hr', 'it', 'km', 'nl', 'pt', 'ru', 'sv', 'tr', 'zh-CN', 'bg',
  'da', 'en', 'et', 'fr', 'hu', 'iw', 'ko', 'no', 'pt-BR', 'sk', 'ta', 'uk', 'zh-TW', 'bn',
]);

export const WEEKDAYS: ReadonlySet<string> = new Set([
  'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday',
]);

export const DEFAULT_TIME_ZONE = 'Europe/London';
export const DEFAULT_WEEK_START = 'Sunday';
export const DEFAULT_TIME_FORMAT = 12;
export const DEFAULT_LOCALE = 'en';

export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_VALUE_LENGTH = 500;

export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 250;
export const LIST_OFFSET_MAX = 250;

/** Largest accepted request body (1 MiB). */
export const BODY_LIMIT = 1024 * 1024;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Simple address check used by the list filter. */
export const EMAIL_RE = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
