// The service worker's download loop, run in a sandbox with a fake network: a file that never
// answers is given up on in time, a failed try is repeated, and a 404 is not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const SOURCE = readFileSync(new URL('../../pwa/static/js/sw.js', import.meta.url), 'utf8');

const ROUTES = { langs: { en: { offlineFiles: '/en/offline/files.json' } } };

function worker(fetchImpl, caches = {}) {
  const self = {
    IG_CONFIG: { version: 't', shell: [], routes: ROUTES, fileTimeoutMs: 50, retryPauseMs: 1 },
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

test('the list of files asks for one perspective, or for both when a set has none', () => {
  const sw = worker(ok);
  assert.equal(
    sw.filesUrl('/en/offline/files.json', 'slow', 'they'),
    'http://localhost/en/offline/files.json?speed=slow&perspective=they',
  );
  assert.equal(sw.filesUrl('/en/offline/files.json', 'normal', null), 'http://localhost/en/offline/files.json?speed=normal');
});

test('saved sets are kept apart by perspective; an older set without one keeps its key', () => {
  const sw = worker(ok);
  assert.equal(sw.setKey('en', 'normal', 'you'), 'en:normal:you');
  assert.equal(sw.setKey('en', 'normal', 'they'), 'en:normal:they');
  assert.equal(sw.setKey('en', 'normal', null), 'en:normal');
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

test('saving one perspective replaces an older set of both, and the other tracks go', async () => {
  const clip = 'http://localhost/audio/en/clip.mp3';
  const mine = 'http://localhost/audio/en/tracks/first-20-normal-1.mp3';
  const theirs = 'http://localhost/audio/en/tracks/first-20-they-normal-2.mp3';
  const asked = [];
  const network = async (url) => {
    asked.push(String(url));
    if (!String(url).includes('files.json')) return ok('bytes');
    const perspective = new URL(url).searchParams.get('perspective');
    const track = perspective === 'they' ? theirs : mine;
    const files = [clip, track].map((u) => ({ url: new URL(u).pathname, bytes: 5, kind: 'clip' }));
    return ok(JSON.stringify({ version: 't', files, total_bytes: 10 }));
  };
  const caches = memoryCaches();
  const sw = worker(network, caches);
  const audio = await caches.open('ig-audio');
  for (const url of [clip, mine, theirs]) await audio.put(url, ok('old'));
  await sw.writeState({ 'en:normal': { lang: 'en', speed: 'normal', versions: ['t'], clips: [clip, mine, theirs] } });

  await sw.save({ lang: 'en', speed: 'normal', perspective: 'they' }, () => {}, { prune: true });

  assert.equal(asked[0], 'http://localhost/en/offline/files.json?speed=normal&perspective=they');
  const sets = await sw.readState();
  assert.deepEqual(Object.keys(sets), ['en:normal:they']);
  assert.equal(sets['en:normal:they'].perspective, 'they');
  assert.deepEqual(sets['en:normal:they'].clips, [clip, theirs]);
  assert.deepEqual([...caches.stores.get('ig-audio').keys()].sort(), [clip, theirs].sort());
});

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
