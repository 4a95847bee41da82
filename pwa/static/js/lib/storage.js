/*
 * Storage that never throws. Private modes, full quotas and blocked storage fall back to
 * memory, so a page keeps working and only what would have been remembered is lost.
 */

/** A never-throwing wrapper around window[kind] ('localStorage' or 'sessionStorage'). */
export function openStore(kind, scope = globalThis) {
  const memory = new Map();
  let store = null;
  try {
    store = scope[kind];
    store.setItem('ig.test', '1');
    store.removeItem('ig.test');
  } catch {
    store = null;
  }
  return {
    get(key) {
      try {
        return store ? store.getItem(key) : memory.get(key) ?? null;
      } catch {
        return memory.get(key) ?? null;
      }
    },
    set(key, value) {
      try {
        if (store) {
          store.setItem(key, value);
          return;
        }
      } catch {
        // fall through to memory
      }
      memory.set(key, value);
    },
    remove(key) {
      try {
        if (store) store.removeItem(key);
      } catch {
        // nothing to do
      }
      memory.delete(key);
    },
  };
}

/** A JSON value from a store, or `fallback` when it is missing or corrupt. */
export function readJSON(store, key, fallback) {
  const raw = store.get(key);
  if (raw === null) return fallback;
  try {
    return JSON.parse(raw);
  } catch {
    return fallback;
  }
}

/** Store a JSON value; `null` removes the key. */
export function writeJSON(store, key, value) {
  if (value === null) store.remove(key);
  else store.set(key, JSON.stringify(value));
}

export const device = openStore('localStorage'); // remembered on this device
export const tab = openStore('sessionStorage'); // forgotten when the tab closes, like the answers cookie

/** The voice choice: 'on', 'off', or null before the Start screen has been answered. */
export const prefs = {
  voice() {
    const value = device.get('ig.voice');
    return value === 'on' || value === 'off' ? value : null;
  },
  setVoice: (value) => device.set('ig.voice', value),
  slow: () => device.get('ig.slow') === '1',
  setSlow: (on) => device.set('ig.slow', on ? '1' : '0'),
  /** One-key answers (Y, N, U, R, W, Space): on unless switched off on this device. */
  keys: () => device.get('ig.keys') !== 'off',
  setKeys: (on) => device.set('ig.keys', on ? 'on' : 'off'),
};
