import assert from 'node:assert/strict';
import { test } from 'node:test';

import { openStore, readJSON, writeJSON } from '../../pwa/static/js/lib/storage.js';

function fakeStorage({ failWrites = false } = {}) {
  const data = new Map();
  return {
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem(key, value) {
      if (failWrites) throw new Error('QuotaExceededError');
      data.set(key, String(value));
    },
    removeItem: (key) => data.delete(key),
    data,
  };
}

test('a working storage is used as it is', () => {
  const backing = fakeStorage();
  const store = openStore('localStorage', { localStorage: backing });
  store.set('a', '1');
  assert.equal(backing.data.get('a'), '1');
  assert.equal(store.get('a'), '1');
  store.remove('a');
  assert.equal(store.get('a'), null);
  assert.equal(backing.data.has('ig.test'), false); // the probe leaves nothing behind
});

test('missing, throwing or full storage falls back to memory and never throws', () => {
  const throwing = {
    get localStorage() {
      throw new Error('SecurityError');
    },
  };
  for (const scope of [{}, throwing, { localStorage: fakeStorage({ failWrites: true }) }]) {
    const store = openStore('localStorage', scope);
    assert.equal(store.get('k'), null);
    store.set('k', 'v');
    assert.equal(store.get('k'), 'v');
    store.remove('k');
    assert.equal(store.get('k'), null);
  }
});

test('readJSON and writeJSON: corrupt values read as the fallback, null removes', () => {
  const store = openStore('none', {});
  assert.deepEqual(readJSON(store, 'x', []), []);
  writeJSON(store, 'x', { a: [1] });
  assert.deepEqual(readJSON(store, 'x', null), { a: [1] });
  store.set('x', '{broken');
  assert.equal(readJSON(store, 'x', 'fallback'), 'fallback');
  writeJSON(store, 'x', null);
  assert.equal(store.get('x'), null);
});
