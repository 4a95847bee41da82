/* Text formatting shared by every component: template filling, clocks, sizes and days. */

/** Fill `{name}` placeholders from `values`; unknown placeholders stay as written. */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}

/** Seconds as m:ss, rounded to the nearest second and never negative. */
export function clock(seconds) {
  const whole = Math.max(0, Math.floor(seconds + 0.5));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** A byte count in kB or MB, in the page's language, through its own "{n} kB" strings. */
export function formatBytes(bytes, strings, lang) {
  const number = (n, digits) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
  if (bytes >= 1000 * 1000) return fill(strings.mb, { n: number(bytes / 1e6, 1) });
  return fill(strings.kb, { n: number(Math.max(bytes, 0) / 1000, 0) });
}

/** The local calendar day as YYYY-MM-DD (a session's day in the history). */
export function localDay(date = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
