/*
 * Which plan to suggest next, from the history kept on this device. Pure: no DOM, no
 * storage. This is the one implementation the app runs; the Python copy is kept only
 * as a test oracle (tests/progression_oracle.py; tests/js checks both give the same answers).
 *
 * The ladder climbs one plan after `move_on_after` good days on the current one; feeling
 * dizzy or in pain steps one plan back and starts the count again.
 */

export const FEELINGS = ['fine', 'dizzy', 'pain', 'other'];
const HOLD_BACK = new Set(['dizzy', 'pain']);

/** The well-formed entries of a stored history, for plans that still exist. */
export function parseHistory(raw, plans) {
  if (!Array.isArray(raw)) return [];
  const known = new Set(plans.map((p) => p.id));
  return raw.filter(
    (h) =>
      h &&
      typeof h.plan === 'string' &&
      known.has(h.plan) &&
      typeof h.day === 'string' &&
      h.day.length === 10 &&
      FEELINGS.includes(h.feeling),
  );
}

/** Days with a "fine" session on `plan` since the last dizzy or painful one. */
function fineDaysSinceHoldBack(entries, plan) {
  let since = 0;
  entries.forEach((h, i) => {
    if (HOLD_BACK.has(h.feeling)) since = i + 1;
  });
  const days = entries.slice(since).filter((h) => h.plan === plan.id && h.feeling === 'fine');
  return new Set(days.map((h) => h.day)).size;
}

/**
 * The suggestion for `history` (raw, as stored): `{plan, reason, done, needed, gentler}`,
 * where reason is one of first, held-back, repeat, top, move-on, continue.
 */
export function suggest(plans, history) {
  const ladder = plans.filter((p) => p.ladder).sort((a, b) => a.step - b.step);
  const byId = new Map(plans.map((p) => [p.id, p]));
  const result = (plan, reason, done = 0, needed = 0) => ({
    plan: plan.id,
    reason,
    done,
    needed,
    gentler: plan.gentler ?? null,
  });
  const entries = parseHistory(history, plans);
  if (!entries.length) return result(ladder[0], 'first');
  const onLadder = entries.filter((h) => byId.get(h.plan).ladder);
  const index = onLadder.length ? ladder.indexOf(byId.get(onLadder[onLadder.length - 1].plan)) : 0;
  const current = ladder[index];
  const last = entries[entries.length - 1];
  if (HOLD_BACK.has(last.feeling)) return result(ladder[Math.max(index - 1, 0)], 'held-back');
  if (last.feeling === 'other') return result(current, 'repeat');
  const fineDays = fineDaysSinceHoldBack(entries, current);
  if (index === ladder.length - 1) return result(current, 'top');
  const needed = current.move_on_after || 1;
  if (fineDays >= needed) return result(ladder[index + 1], 'move-on');
  return result(current, 'continue', fineDays, needed);
}

/**
 * When (ms since 1970) the latest session that felt dizzy or painful was saved, or 0: sent
 * with a plan's choice, so the server asks whether a clinician was told (decision 20).
 * Entries saved before the time was kept (no `at`) count as 1, so they still ask once.
 */
export function latestHoldBack(history, plans) {
  let latest = 0;
  for (const h of parseHistory(history, plans)) {
    if (!HOLD_BACK.has(h.feeling)) continue;
    const at = Number.isSafeInteger(h.at) && h.at > 0 ? h.at : 1;
    latest = Math.max(latest, at);
  }
  return latest;
}

/** Whether choosing `chosen` goes further along than `suggested` (the page asks first). */
export function isAhead(chosen, suggested) {
  return chosen.step > suggested.step;
}
