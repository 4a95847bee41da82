// The service worker's download loop, run in a sandbox with a fake network: a file that never
// answers is given up on in time, a failed try is repeated, and a 404 is not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const SOURCE = readFileSync(new URL('../../pwa/static/js/sw.js', import.meta.url), 'utf8');

function worker(fetchImpl, caches = {}) {
  const self = {
    IG_CONFIG: { version: 't', shell: [], routes: {}, fileTimeoutMs: 50, retryPauseMs: 1 },
    addEventListener() {},
    location: { href: 'http://localhost/sw.js', origin: 'http://localhost' },
  };
  const context = vm.createContext({
    self, fetch: fetchImpl, AbortController, setTimeout, clearTimeout, Headers, Response, URL,
    caches, console, Promise, Error, JSON,
  });
  vm.runInContext(SOURCE, context);
  return context;
}

const ok = (text) => new Response(text, { status: 200 });

test('a file that never answers is given up on, after every try', async () => {
  let tries = 0;
  const hang = (url, { signal }) => {
    tries += 1;
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  };
  const sw = worker(hang);
  await assert.rejects(sw.fetchWithRetry('/audio/x.mp3', {}), /no answer in time/);
  assert.equal(tries, 3);
});

test('a failed try is repeated, and the file arrives', async () => {
  let tries = 0;
  const flaky = async () => {
    tries += 1;
    if (tries < 3) throw new TypeError('network error');
    return ok('mp3');
  };
  const { body } = await worker(flaky).fetchWithRetry('/audio/x.mp3', {});
  assert.equal(await body.text(), 'mp3');
  assert.equal(tries, 3);
});

test('a 404 is not asked for again', async () => {
  let tries = 0;
  const missing = async () => {
    tries += 1;
    return new Response('', { status: 404 });
  };
  await assert.rejects(worker(missing).fetchWithRetry('/audio/x.mp3', {}), /HTTP 404/);
  assert.equal(tries, 1);
});

/** The Cache API in memory: caches.open(name) -> match, put, keys, delete by absolute URL. */
function memoryCaches() {
  const stores = new Map();
  const href = (key) => new URL(typeof key === 'string' ? key : key.url, 'http://localhost/').href;
  return {
    stores,
    async open(name) {
      if (!stores.has(name)) stores.set(name, new Map());
      const store = stores.get(name);
      return {
        match: async (key) => store.get(href(key))?.clone(),
        put: async (key, response) => void store.set(href(key), response),
        keys: async () => [...store.keys()].map((url) => ({ url })),
        delete: async (key) => store.delete(href(key)),
      };
    },
  };
}

test('only saved clips pass through the worker, once it knows which they are', async () => {
  const sw = worker(ok, memoryCaches());
  const saved = new URL('http://localhost/audio/en/saved.mp3');
  const other = new URL('http://localhost/audio/en/other.mp3');
  await sw.writeState({ 'en:normal': { lang: 'en', speed: 'normal', clips: [saved.href] } });
  assert.equal(sw.mayBeSaved(saved), true);
  assert.equal(sw.mayBeSaved(other), false); // straight to the network and the HTTP cache
  // A worker that has not read its record yet sends every clip through itself, as before.
  const starting = worker(ok, { open: () => new Promise(() => {}) });
  assert.equal(starting.mayBeSaved(other), true);
});
