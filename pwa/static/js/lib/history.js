/* The guided-session history, kept on this device only (localStorage), and the note that a
 * feeling was just saved (sessionStorage, shown once on the next page). */

import { localDay } from './format.js';
import { device, readJSON, tab, writeJSON } from './storage.js';

const HISTORY_KEY = 'ig.session.history.v1';
const SAVED_FLAG = 'ig.session.saved';
const HELD_PREFIX = 'ig.session.held.';
const HISTORY_LIMIT = 200;

/** The stored history as an array (entries are checked by parseHistory when used). */
export function readHistory() {
  const raw = readJSON(device, HISTORY_KEY, []);
  return Array.isArray(raw) ? raw : [];
}

/**
 * Seconds actually spent in the holds of this tab's session of ``plan`` (the player adds
 * them as the track plays), so the history shows the time held, not the plan's length.
 */
export function heldTime(plan, store = tab) {
  const key = `${HELD_PREFIX}${plan}`;
  return {
    seconds: () => Number(readJSON(store, key, 0)) || 0,
    add(seconds) {
      writeJSON(store, key, (Number(readJSON(store, key, 0)) || 0) + seconds);
    },
    clear: () => writeJSON(store, key, null),
  };
}

export function recordSession(plan, feeling, now = new Date()) {
  const history = readHistory();
  const held = heldTime(plan);
  const seconds = Math.round(held.seconds());
  history.push({ plan, day: localDay(now), feeling, at: now.getTime(), held: seconds });
  held.clear();
  writeJSON(device, HISTORY_KEY, history.slice(-HISTORY_LIMIT));
  writeJSON(tab, SAVED_FLAG, true);
}

export function forgetHistory() {
  writeJSON(device, HISTORY_KEY, null);
}

/** True once after recordSession: the next page says the feeling was saved. */
export function takeSavedFlag() {
  if (!readJSON(tab, SAVED_FLAG, false)) return false;
  writeJSON(tab, SAVED_FLAG, null);
  return true;
}
