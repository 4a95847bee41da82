/* Pure helpers for "Your sessions": saved sessions -> rows for the table, and the geometry
 * of the small chart (angle as a line, minutes held as bars). No DOM here, so Node tests it. */

import { fill } from './format.js';

/** Rows, oldest first, for the entries whose plan is known: {day, plan, angle, minutes, feeling}. */
export function historyRows(history, plans, feelings) {
  const rows = [];
  for (const entry of Array.isArray(history) ? history : []) {
    if (!entry || typeof entry !== 'object') continue;
    const plan = plans[entry.plan];
    if (!plan) continue;
    const day = typeof entry.day === 'string' ? entry.day : '';
    rows.push({
      day,
      at: Number(entry.at) || 0,
      plan: plan.title,
      angle: plan.angle,
      // The time actually held when the device counted it; older entries: the plan's.
      minutes: Math.round((Number.isFinite(entry.held) ? entry.held / 60 : plan.minutes) * 10) / 10,
      feeling: feelings[entry.feeling] ?? String(entry.feeling ?? ''),
    });
  }
  return rows.sort((a, b) => a.at - b.at);
}

/** The sentence read aloud for one row; ``number`` writes the minutes in the page's language
 * ("1,5" in Spanish). */
export function spokenRow(row, strings, number = String) {
  return fill(strings.row, {
    date: row.day,
    plan: row.plan,
    angle: row.angle,
    minutes: number(row.minutes),
    feeling: row.feeling,
  });
}

/**
 * Chart geometry in a width x height box: one bar per session (minutes, scaled to the most
 * minutes held, at least 5) and one point per session on the angle line (0 to 60 degrees).
 */
export function chartGeometry(rows, width = 320, height = 160, pad = 24) {
  const n = rows.length;
  const maxMinutes = Math.max(5, ...rows.map((r) => r.minutes));
  const inner = { x: pad, y: 8, w: width - 2 * pad, h: height - 8 - pad };
  const slot = n ? inner.w / n : inner.w;
  const bars = rows.map((r, i) => {
    const h = (r.minutes / maxMinutes) * inner.h;
    return { x: inner.x + i * slot + slot * 0.2, y: inner.y + inner.h - h, w: slot * 0.6, h };
  });
  const points = rows.map((r, i) => ({
    x: inner.x + i * slot + slot / 2,
    y: inner.y + inner.h - (Math.min(r.angle, 60) / 60) * inner.h,
  }));
  return { width, height, inner, bars, points, maxMinutes };
}

/**
 * The clinician summary's plain text (from the server, which cannot see this device) with
 * the sessions saved here in place of its line about them (``deviceLine``): one spoken row
 * per session, newest first as the table shows them, or "no sessions" when there are none.
 */
export function withSessions(text, deviceLine, rows, strings, number = String) {
  const lines = rows.length
    ? [...rows].reverse().map((row) => `- ${spokenRow(row, strings, number)}`)
    : [strings.none];
  return text
    .split('\n')
    .flatMap((line) => (line === deviceLine ? lines : [line]))
    .join('\n');
}
