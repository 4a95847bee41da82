// The service worker's download loop, run in a sandbox with a fake network: a file that never
// answers is given up on in time, a failed try is repeated, and a 404 is not.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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
    caches, console, Promise, Error, JSON, Blob, crypto: globalThis.crypto, Uint8Array,
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
    'http://localhost/en/offline/files.json?speed=slow&perspective=they&recipes=1',
  );
  assert.equal(
    sw.filesUrl('/en/offline/files.json', 'normal', null),
    'http://localhost/en/offline/files.json?speed=normal&recipes=1',
  );
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

  assert.equal(asked[0], 'http://localhost/en/offline/files.json?speed=normal&perspective=they&recipes=1');
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

// A track made on the device: two clips (each with 2 bytes before its frames, as a tag would
// be) and runs of null frames (a 4-byte header, then zeros), in the recipe's order.
const CLIP_A = Uint8Array.of(0x49, 0x44, 1, 2, 3);
const CLIP_B = Uint8Array.of(0x49, 0x44, 7, 8);
const HEADER = [0xff, 0xf3, 0x14, 0xc4];
// parts [0, -2, 1, 0]: A's frames, two null frames of 6 bytes, B's frames, A's frames again.
const TRACK = Uint8Array.of(1, 2, 3, ...HEADER, 0, 0, ...HEADER, 0, 0, 7, 8, 1, 2, 3);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const TRACK_URL = 'http://localhost/audio/en/tracks/first-20-normal-1.mp3';

function trackListing(sha = sha256(TRACK)) {
  const clips = ['/audio/en/a.mp3', '/audio/en/b.mp3'];
  const recipe = {
    silence: { header: 'fff314c4', bytes: 6 },
    clips,
    spans: [[2, 5], [2, 4]],
    parts: [0, -2, 1, 0],
  };
  return {
    version: 't',
    files: [
      ...clips.map((url, i) => ({ url, bytes: [CLIP_A, CLIP_B][i].length, kind: 'clip' })),
      { url: new URL(TRACK_URL).pathname, bytes: TRACK.length, kind: 'track', sha256: sha, recipe },
    ],
    total_bytes: CLIP_A.length + CLIP_B.length + TRACK.length,
  };
}

/** A network serving the listing and the files in `bodies` (URL path -> bytes), logging asks. */
function server(listing, bodies) {
  const asked = [];
  const fetchImpl = async (url, options = {}) => {
    const path = new URL(url, 'http://localhost/').pathname;
    asked.push({ path, cache: options.cache });
    if (path.endsWith('files.json')) return ok(JSON.stringify(listing));
    if (!(path in bodies)) return new Response('', { status: 404 });
    return new Response(bodies[path], { status: 200, headers: { 'Content-Type': 'audio/mpeg' } });
  };
  return { asked, fetchImpl };
}

async function cachedBytes(caches, url) {
  const cached = await (await caches.open('ig-audio')).match(url);
  return cached ? new Uint8Array(await cached.arrayBuffer()) : null;
}

test('a session track is made from the saved clips, byte for byte, and never downloaded', async () => {
  const { asked, fetchImpl } = server(trackListing(), { '/audio/en/a.mp3': CLIP_A, '/audio/en/b.mp3': CLIP_B });
  const caches = memoryCaches();
  const sw = worker(fetchImpl, caches);
  const progress = [];
  const summary = await sw.save({ lang: 'en', speed: 'normal', perspective: 'you' }, (m) => progress.push(m), { prune: true });

  assert.deepEqual(await cachedBytes(caches, TRACK_URL), TRACK);
  assert.ok(!asked.some(({ path }) => path.includes('/tracks/')), 'the track itself is not fetched');
  assert.deepEqual({ ...progress.at(-1) }, { type: 'progress', done: summary.total, total: summary.total });
  // The made track is one of the saved files: it answers Range requests and survives a prune.
  assert.ok((await sw.readState())['en:normal:you'].clips.includes(TRACK_URL));
  const ranged = await sw.audio({ url: TRACK_URL, headers: new Headers({ Range: 'bytes=3-8' }) });
  assert.equal(ranged.status, 206);
  assert.deepEqual(new Uint8Array(await ranged.arrayBuffer()), TRACK.slice(3, 9));
});

test('a damaged saved clip is fetched again, and the track is made right', async () => {
  const { asked, fetchImpl } = server(trackListing(), { '/audio/en/a.mp3': CLIP_A, '/audio/en/b.mp3': CLIP_B });
  const caches = memoryCaches();
  const audio = await caches.open('ig-audio');
  await audio.put('http://localhost/audio/en/b.mp3', ok(Uint8Array.of(0x49, 0x44, 7, 9))); // rot
  const sw = worker(fetchImpl, caches);
  await sw.save({ lang: 'en', speed: 'normal', perspective: 'you' }, () => {}, { prune: true });

  assert.deepEqual(await cachedBytes(caches, TRACK_URL), TRACK);
  assert.deepEqual(await cachedBytes(caches, 'http://localhost/audio/en/b.mp3'), CLIP_B);
  assert.ok(asked.some(({ path, cache }) => path === '/audio/en/b.mp3' && cache === 'reload'));
  assert.ok(!asked.some(({ path }) => path.includes('/tracks/')));
});

test("a track the clips cannot make is downloaded whole, and kept only if it is the server's", async () => {
  const served = { '/audio/en/a.mp3': CLIP_A, '/audio/en/b.mp3': CLIP_B };
  // The server describes other bytes than the recipe makes: its own track is that one.
  const other = Uint8Array.of(...TRACK, 0);
  const { asked, fetchImpl } = server(trackListing(sha256(other)), { ...served, [new URL(TRACK_URL).pathname]: other });
  const caches = memoryCaches();
  await worker(fetchImpl, caches).save({ lang: 'en', speed: 'normal', perspective: 'you' }, () => {}, { prune: true });
  assert.deepEqual(await cachedBytes(caches, TRACK_URL), other);
  assert.ok(asked.some(({ path }) => path.includes('/tracks/')));

  // Neither made nor downloaded bytes match: the save fails and keeps no track.
  const bad = server(trackListing('0'.repeat(64)), { ...served, [new URL(TRACK_URL).pathname]: TRACK });
  const empty = memoryCaches();
  const sw = worker(bad.fetchImpl, empty);
  await assert.rejects(
    sw.save({ lang: 'en', speed: 'normal', perspective: 'you' }, () => {}, { prune: true }),
    /not the track the server describes/,
  );
  assert.equal(await cachedBytes(empty, TRACK_URL), null);
  assert.equal((await sw.readState())['en:normal:you'], undefined);
});
