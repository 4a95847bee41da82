/*
 * Where a session track was, kept on this device so a reload (or a return to the page)
 * resumes at the start of the step it was in (in a hold, where the hold has got to: the
 * saved `holds` are lib/hold-clock.js's snapshot).
 */

import { device, readJSON, writeJSON } from './storage.js';

const POSITION_PREFIX = 'ig.session.position.v1.';
// A saved position older than this is a different session: start from the beginning.
const POSITION_MAX_AGE_MS = 6 * 60 * 60 * 1000;

export function positionStore(lang, plan, store = device) {
  const key = `${POSITION_PREFIX}${lang}.${plan}`;
  return {
    save: (position) => writeJSON(store, key, { ...position, savedAt: Date.now() }),
    clear: () => writeJSON(store, key, null),
    /** The saved position ({chapter, time, file, holds, savedAt}) if recent, else null. */
    saved(now = Date.now()) {
      const saved = readJSON(store, key, null);
      if (!saved || typeof saved.savedAt !== 'number' || now - saved.savedAt >= POSITION_MAX_AGE_MS) return null;
      return saved;
    },
    /** The index of the chapter to resume at, or -1 to start from the beginning. */
    resumeIndex(chapters, now = Date.now()) {
      const saved = readJSON(store, key, null);
      if (!saved || typeof saved.savedAt !== 'number' || now - saved.savedAt >= POSITION_MAX_AGE_MS) return -1;
      const index = chapters.findIndex((c) => c.id === saved.chapter);
      return index > 0 || (index === 0 && saved.time > 1) ? index : -1;
    },
  };
}
