/*
 * Inversion Guide service worker, served at /sw.js (Cache-Control: no-cache) by
 * server/offline/worker.py, which prepends `self.IG_CONFIG = {version, shell, shellByLang,
 * assets, staticBase, audioBase, staticMount, audioMount, routes}`. The version is
 * a hash of everything a cached page depends on, so any change makes a new worker. `routes`
 * holds every URL this worker must recognise, made by the server's URL helper: the worker
 * never builds or pattern-matches an app URL itself.
 *
 * Caches
 *   ig-app-<version>  the app shell and the pages saved by "Use offline", for this version
 *   ig-audio          narration clips, and the session tracks "Use offline" made from them
 *                     (makeTrack); their URLs are content hashes, so they outlive versions
 *   ig-state          which language, voice and perspective (whose session tracks) were
 *                     saved, to carry them across updates
 *
 * Updates never break a playing track: there is no skipWaiting, so a new worker waits until
 * no page uses the old one, and only then deletes the old version's cache. Clips live in a
 * cache no version owns.
 *
 * Pages are saved from requests without cookies (credentials: 'omit'), so no answer is ever
 * stored. Offline, an answer (a POST) cannot reach the server: the page has already kept it
 * in sessionStorage, and this worker sends the browser on to the on-device result page,
 * which goes to the next unanswered question or shows the result.
 */

const CONFIG = self.IG_CONFIG || { version: 'dev', shell: [], assets: [], routes: { langs: {}, forms: {}, answerPages: [], data: [], manifest: '', manifests: [] } };
// Where static files and narration come from: this site, or a CDN holding an export.
// The app's own mount paths (server/config.py) and where pages load from (a CDN, perhaps).
const STATIC_MOUNT = `${CONFIG.staticMount || '/static'}/`;
const AUDIO_MOUNT = `${CONFIG.audioMount || '/audio'}/`;
const STATIC_BASE = new URL(CONFIG.staticBase || STATIC_MOUNT, self.location.href).href;
const AUDIO_BASE = new URL(CONFIG.audioBase || AUDIO_MOUNT, self.location.href).href;
const ASSETS = CONFIG.assets || [];
const CACHED_STATIC = new Set([...CONFIG.shell, ...ASSETS].map((url) => new URL(url, self.location.href).href));
const ROUTES = CONFIG.routes;
const VERSION = CONFIG.version;
const APP_CACHE = `ig-app-${VERSION}`;
const AUDIO_CACHE = 'ig-audio';
const STATE_CACHE = 'ig-state';
const STATE_URL = '/__ig/saved-sets';
const SPEEDS = ['normal', 'slow'];
// Whose session tracks a saved set holds: the person's own or the carer's (the rest is shared).
const PERSPECTIVES = ['you', 'they'];

// ---------------------------------------------------------------------------------------
// Lifecycle

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(APP_CACHE);
      // What the page did not load itself: the small icons, and the manifest and offline
      // page of the languages open now (all of them when no page is found).
      const langs = await openLanguages();
      const byLang = CONFIG.shellByLang || {};
      const shell = [...CONFIG.shell, ...langs.flatMap((lang) => byLang[lang] || [])];
      await cache.addAll(shell.map((url) => shellRequest(url)));
      // The CSS and JS the page loaded: content-hashed and cached for a year, so the HTTP
      // cache holds them; 'only-if-cached' copies them from there and never downloads. A
      // page loads only the components it uses: the others are saved here when a page first
      // uses them (staticFile), and all of them by "Use offline".
      await Promise.all(ASSETS.map((url) => copyFromHttpCache(cache, url)));
      // Carry saved languages over to this version, so an update keeps the app offline-ready.
      for (const set of Object.values(await readState())) {
        try {
          await serial(() => save(set, () => {}, { prune: false }));
        } catch (error) {
          // The "Use offline" page shows what is saved for this version; save again there.
        }
      }
    })()
  );
});

/** Languages of the pages open in this scope (the page installing this worker among them). */
async function openLanguages() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const langs = new Set(windows.map((client) => languageOf(new URL(client.url).pathname)).filter(Boolean));
  return langs.size ? [...langs] : Object.keys(CONFIG.shellByLang || {});
}

/** Put `url` into `cache` if the browser's HTTP cache has it (same origin only). */
async function copyFromHttpCache(cache, url) {
  const request = shellRequest(url, 'only-if-cached');
  if (request.mode !== 'same-origin') return;
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response);
  } catch (error) {
    // not in the HTTP cache: saved when first used
  }
}

/** A request for the app shell: never with cookies; CORS when it comes from a CDN. */
function shellRequest(url, cache = 'default') {
  const absolute = new URL(url, self.location.href);
  const mode = absolute.origin === self.location.origin ? 'same-origin' : 'cors';
  return new Request(absolute.href, { cache, credentials: 'omit', mode });
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // No navigation preload (issue 22): in Firefox a preload that fails with no network
      // shows the browser's own error page, though this worker answers from the cache
      // (workbox issue 3134), so a saved page would not load offline. What it would buy is
      // small (docs/performance.md, bench/navigation_preload.py). Earlier versions turned it
      // on, and the setting outlives them in the registration: turn it off.
      if (self.registration.navigationPreload) {
        try {
          await self.registration.navigationPreload.disable();
        } catch (error) {
          // not supported here: there is nothing to turn off
        }
      }
      // No page uses an older worker now (no skipWaiting), so its caches can go.
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith('ig-app-') && name !== APP_CACHE)
          .map((name) => caches.delete(name))
      );
      const sets = await readState();
      for (const set of Object.values(sets)) {
        set.versions = (set.versions || []).filter((v) => v === VERSION);
      }
      await writeState(sets);
      await pruneAudio(sets);
      await self.clients.claim();
    })()
  );
});

// ---------------------------------------------------------------------------------------
// Requests

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    // A CDN holding an export: its clips and static files are saved like this site's.
    if (request.method !== 'GET') return;
    if (url.href.startsWith(AUDIO_BASE)) {
      if (mayBeSaved(url)) event.respondWith(audio(request));
    }
    else if (url.href.startsWith(STATIC_BASE)) event.respondWith(staticFile(request));
    return;
  }
  if (request.mode === 'navigate') {
    if (request.method === 'GET') event.respondWith(navigate(event, url));
    else if (request.method === 'POST') event.respondWith(submit(request, url));
    return;
  }
  if (request.method !== 'GET') return;
  if (url.href.startsWith(AUDIO_BASE) || url.pathname.startsWith(AUDIO_MOUNT)) {
    if (mayBeSaved(url)) event.respondWith(audio(request));
  }
  else if (url.href.startsWith(STATIC_BASE) || url.pathname.startsWith(STATIC_MOUNT)) event.respondWith(staticFile(request));
  else if (ROUTES.manifests.includes(url.pathname) || ROUTES.data.includes(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});

/** Pages: always the network first (they carry the answers cookie); the saved copy offline. */
async function navigate(event, url) {
  try {
    return await fetch(event.request);
  } catch (error) {
    return (await offlinePage(url)) || Response.error();
  }
}

/** A form sent with no network: the page kept the answer; go on to the on-device result. */
async function submit(request, url) {
  try {
    return await fetch(request);
  } catch (error) {
    const next = ROUTES.forms[url.pathname];
    if (next) return Response.redirect(next, 303);
    return (await offlinePage(url)) || Response.error();
  }
}

async function offlinePage(url) {
  const cache = await caches.open(APP_CACHE);
  const hit = (await cache.match(url.href)) || (await cache.match(url.href, { ignoreSearch: true }));
  if (hit) return hit;
  const lang = languageOf(url.pathname);
  if (!lang) {
    // The site root chooses a language on the server; offline, use a saved one.
    const sets = Object.values(await readState());
    const saved = sets.length ? ROUTES.langs[sets[0].lang] : null;
    return saved ? Response.redirect(saved.home, 303) : null;
  }
  const pages = ROUTES.langs[lang];
  if (ROUTES.answerPages.includes(url.pathname)) {
    // These pages show answers, so they are never saved; the device works the result out.
    const result = await cache.match(pages.offlineResult);
    if (result) return result;
  }
  // A language first opened offline has no offline page yet: another language's will do.
  for (const other of [lang, ...Object.keys(ROUTES.langs)]) {
    const page = await cache.match(ROUTES.langs[other].offline);
    if (page) return page;
  }
  return null;
}

/** The language whose home path starts this path, if any. */
function languageOf(pathname) {
  return Object.keys(ROUTES.langs).find((lang) => pathname.startsWith(ROUTES.langs[lang].home)) || null;
}

async function staticFile(request) {
  const cache = await caches.open(APP_CACHE);
  const hit = await cache.match(request.url);
  if (hit) return hit;
  try {
    const response = await fetch(request);
    if (response.status === 200 && CACHED_STATIC.has(request.url)) {
      // Versioned URLs never change meaning, so keeping them in this version's cache is safe.
      await cache.put(request.url, response.clone());
    }
    return response;
  } catch (error) {
    return Response.error();
  }
}

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(APP_CACHE);
    return (await cache.match(request.url, { ignoreSearch: true })) || Response.error();
  }
}

// The clips "Use offline" saved, kept in memory so the fetch handler can tell at once: any
// other clip goes to the network and the HTTP cache without passing through this worker,
// which delays the start of playback (bench/voice_latency.py: the next question's buffered
// clip started ~6 ms later through it). Until the record is read, every clip comes here.
let savedClips = null;

function rememberSaved(sets) {
  savedClips = new Set(Object.values(sets).flatMap((set) => set.clips || []));
}

readState().then(
  (sets) => {
    if (savedClips === null) rememberSaved(sets); // a save meanwhile knows better
  },
  () => {}
);

function mayBeSaved(url) {
  return savedClips === null || savedClips.has(url.href);
}

/** Narration: saved clips answer Range requests with real 206 responses (Safari needs it). */
async function audio(request) {
  const cache = await caches.open(AUDIO_CACHE);
  const cached = await cache.match(request.url);
  if (!cached) return fetch(request);
  return ranged(cached, request.headers.get('Range'));
}

/**
 * Parse a single-range `bytes=` header against a body of `size` bytes.
 * Returns [start, end] (inclusive), 'unsatisfiable', or null to ignore the header (RFC 9110:
 * a range that does not parse is ignored, and the whole body is sent).
 */
function parseRange(header, size) {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header || '');
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return null; // "5-3" does not parse
  if (start >= size) return 'unsatisfiable';
  return [start, match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)];
}

async function ranged(response, header) {
  const body = await response.blob();
  const size = body.size;
  const headers = {
    'Content-Type': response.headers.get('Content-Type') || 'audio/mpeg',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'public, max-age=31536000, immutable',
  };
  const range = header ? parseRange(header, size) : null;
  if (range === null) {
    return new Response(body, { status: 200, headers: { ...headers, 'Content-Length': String(size) } });
  }
  if (range === 'unsatisfiable') {
    return new Response(null, {
      status: 416,
      statusText: 'Range Not Satisfiable',
      headers: { ...headers, 'Content-Range': `bytes */${size}` },
    });
  }
  const [start, end] = range;
  return new Response(body.slice(start, end + 1, headers['Content-Type']), {
    status: 206,
    statusText: 'Partial Content',
    headers: {
      ...headers,
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': String(end - start + 1),
    },
  });
}

// ---------------------------------------------------------------------------------------
// "Use offline": save every page and clip one language and speed need.

self.addEventListener('message', (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  const reply = (message) => {
    if (port) port.postMessage(message);
  };
  if (data.type === 'download') {
    event.waitUntil(
      serial(() => save(data, reply, { prune: true })).then(
        (summary) => reply({ type: 'done', ...summary }),
        (error) => reply({ type: 'error', message: String((error && error.message) || error) })
      )
    );
  } else if (data.type === 'status') {
    event.waitUntil(readState().then((sets) => reply({ type: 'status', version: VERSION, sets })));
  }
});

// One save at a time, so two of them never write the saved-sets record at once.
let queue = Promise.resolve();
function serial(task) {
  const run = queue.then(task, task);
  queue = run.catch(() => {});
  return run;
}

/**
 * A saved set: one language and voice speed, and the session tracks of one perspective. A set
 * saved before perspectives were chosen has none and holds both (the server's list without
 * the parameter); it keeps its old key, and is carried over to new versions as it is.
 */
function setKey(lang, speed, perspective) {
  return perspective ? `${lang}:${speed}:${perspective}` : `${lang}:${speed}`;
}

/**
 * The server's list of files for a set: its route (from IG_CONFIG) with the set's choices.
 * `recipes=1`: this worker makes session tracks from their recipes (makeTrack).
 */
function filesUrl(filesRoute, speed, perspective) {
  const url = new URL(filesRoute, self.location.href);
  url.searchParams.set('speed', speed);
  if (perspective) url.searchParams.set('perspective', perspective);
  url.searchParams.set('recipes', '1');
  return url.href;
}

async function save({ lang, speed, perspective = null }, report, { prune }) {
  const pages = ROUTES.langs[lang];
  if (!pages || !SPEEDS.includes(speed)) throw new Error('unknown language or speed');
  if (perspective && !PERSPECTIVES.includes(perspective)) throw new Error('unknown perspective');
  const { body: listBody } = await fetchWithRetry(filesUrl(pages.offlineFiles, speed, perspective), {
    credentials: 'omit',
    cache: 'no-store',
  });
  const list = JSON.parse(await listBody.text());
  const appCache = await caches.open(APP_CACHE);
  const audioCache = await caches.open(AUDIO_CACHE);
  const total = list.total_bytes;
  let done = 0;
  report({ type: 'progress', done, total });

  // Files first; then the session tracks, made here from the clips just saved.
  const pending = list.files.filter((file) => file.kind !== 'track');
  const worker = async () => {
    while (pending.length) {
      const file = pending.shift();
      const cache = file.kind === 'clip' ? audioCache : appCache;
      // Pages are fetched again each time (cheap, and never stale); the rest only when missing.
      if (file.kind === 'page' || !(await cache.match(file.url))) await store(cache, file);
      done += file.bytes;
      report({ type: 'progress', done: Math.min(done, total), total });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const clipReader = savedClipReader(audioCache);
  for (const file of list.files.filter((f) => f.kind === 'track')) {
    if (!(await audioCache.match(file.url))) await makeTrack(audioCache, file, clipReader);
    done += file.bytes;
    report({ type: 'progress', done: Math.min(done, total), total });
  }

  const sets = await readState();
  const key = setKey(lang, speed, perspective);
  const before = sets[key] || {};
  if (perspective) {
    // It replaces a set an older version saved with both perspectives' tracks: the other
    // perspective's go with it (pruned below) unless another saved set names them.
    delete sets[setKey(lang, speed, null)];
  }
  sets[key] = {
    lang,
    speed,
    perspective,
    versions: [...new Set([...(before.versions || []), VERSION])],
    clips: list.files.filter((f) => f.kind === 'clip' || f.kind === 'track').map((f) => new URL(f.url, self.location.href).href),
    bytes: total,
    saved: Date.now(),
  };
  await writeState(sets);
  // Clips no saved set needs are dropped, unless the server is already on a newer version
  // than this worker's pages, which may still name the older clips.
  if (prune && list.version === VERSION) await pruneAudio(sets);
  return { total, files: list.files.length, version: list.version };
}

// One file that never answers must not hold a save for ever: each try has a time limit, and
// a failed try is repeated with a growing pause before the save reports the failure.
const FILE_TIMEOUT_MS = CONFIG.fileTimeoutMs || 30000;
const FILE_ATTEMPTS = 3;
const RETRY_PAUSE_MS = CONFIG.retryPauseMs ?? 500;

/** GET `url` and read its whole body, within the time limit, trying up to FILE_ATTEMPTS times. */
async function fetchWithRetry(url, options) {
  let failure = null;
  for (let attempt = 1; attempt <= FILE_ATTEMPTS; attempt += 1) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FILE_TIMEOUT_MS);
    try {
      const response = await fetch(url, { ...options, signal: controller.signal });
      if (response.ok) return { response, body: await response.blob() };
      failure = new Error(`${url}: HTTP ${response.status}`);
      if (response.status < 500 && response.status !== 429) break; // asking again will not help
    } catch (error) {
      failure = new Error(`${url}: ${controller.signal.aborted ? 'no answer in time' : error.message}`);
    } finally {
      clearTimeout(timer);
    }
    if (attempt < FILE_ATTEMPTS) await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS * 2 ** (attempt - 1)));
  }
  throw failure;
}

async function store(cache, file) {
  const { response, body } = await fetchWithRetry(file.url, {
    credentials: 'omit', // never the answers cookie: saved pages hold no answers
    // `fresh`: the saved copy did not make its track; not the HTTP cache's copy either.
    cache: file.fresh ? 'reload' : file.kind === 'clip' ? 'default' : 'no-cache',
  });
  const headers = new Headers();
  for (const [name, value] of response.headers) {
    // Keep the security headers (CSP and the rest) with the saved page; the body is decoded.
    if (!['content-encoding', 'content-length', 'set-cookie'].includes(name)) headers.set(name, value);
  }
  await cache.put(file.url, new Response(body, { status: 200, headers }));
}

// ---------------------------------------------------------------------------------------
// Session tracks made on the device. A track is the language's clips and exact silence
// (null frames) in the order of its chapters: more than half its bytes are silence, and it
// adds no sound the saved clips do not have. So the server lists each track with its recipe
// and SHA-256, and this worker makes the very same bytes from the saved clips ("Use offline"
// for English, normal voice, the person's own tracks: 6.7 MB on the wire instead of 32.3 MB,
// docs/performance.md). The result is one whole MP3 cached under the track's own URL, so
// playback is unchanged: one track in one audio element, moved by seeking, Range requests
// answered from the cache. Sending the tracks compressed instead would still send 11.4 MB.

/**
 * Make a track from its recipe and keep it only if its SHA-256 is the server's. If not, its
 * clips are fetched again (a saved clip may have been damaged) and it is made again; if it
 * still differs, the server's own track is downloaded, and kept only if it matches. A track
 * that never matches fails the save: never a silently different track.
 */
async function makeTrack(cache, file, readClip) {
  for (const fresh of [false, true]) {
    const bytes = await cookTrack(file.recipe, (url) => readClip(url, fresh));
    if (bytes.length === file.bytes && (await sha256Hex(bytes)) === file.sha256) {
      await cache.put(file.url, audioResponse(bytes));
      return;
    }
  }
  const { body } = await fetchWithRetry(file.url, { credentials: 'omit', cache: 'no-cache' });
  const bytes = new Uint8Array(await body.arrayBuffer());
  if ((await sha256Hex(bytes)) !== file.sha256) {
    throw new Error(`${file.url}: not the track the server describes`);
  }
  await cache.put(file.url, audioResponse(bytes));
}

/**
 * Reads saved clips for makeTrack, each once per save (tracks share most of their clips).
 * `fresh`: download the clip again, replace the saved copy and read that.
 */
function savedClipReader(cache) {
  const read = new Map();
  const refetched = new Set();
  return async (url, fresh) => {
    if (fresh && !refetched.has(url)) {
      refetched.add(url);
      read.delete(url);
      await store(cache, { url, kind: 'clip', fresh: true });
    }
    if (!read.has(url)) {
      const saved = await cache.match(url);
      if (!saved) await store(cache, { url, kind: 'clip' });
      const response = saved || (await cache.match(url));
      read.set(url, new Uint8Array(await response.arrayBuffer()));
    }
    return read.get(url);
  };
}

/**
 * The track's bytes from its recipe: `parts` in order, `i >= 0` the audio frames of clip `i`
 * (`spans[i]` of its file), `-n` that many null frames (the header, then zeros). As the
 * server's server/narration/recipe.py `cook`.
 */
async function cookTrack(recipe, readClip) {
  const bodies = await Promise.all(recipe.clips.map((url) => readClip(url)));
  const frames = bodies.map((body, i) => body.subarray(recipe.spans[i][0], recipe.spans[i][1]));
  const frameBytes = recipe.silence.bytes;
  const header = Uint8Array.from(recipe.silence.header.match(/../g), (pair) => parseInt(pair, 16));
  let size = 0;
  for (const part of recipe.parts) size += part >= 0 ? frames[part].length : -part * frameBytes;
  const out = new Uint8Array(size); // zeros: a null frame is its header and then zeros
  let at = 0;
  for (const part of recipe.parts) {
    if (part >= 0) {
      out.set(frames[part], at);
      at += frames[part].length;
    } else {
      for (let n = 0; n < -part; n += 1, at += frameBytes) out.set(header, at);
    }
  }
  return out;
}

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function audioResponse(bytes) {
  return new Response(new Blob([bytes], { type: 'audio/mpeg' }), {
    status: 200,
    headers: { 'Content-Type': 'audio/mpeg', 'Content-Length': String(bytes.length) },
  });
}

async function pruneAudio(sets) {
  const keep = new Set(Object.values(sets).flatMap((set) => set.clips || []));
  const cache = await caches.open(AUDIO_CACHE);
  for (const request of await cache.keys()) {
    if (!keep.has(request.url)) await cache.delete(request);
  }
}

async function readState() {
  const cache = await caches.open(STATE_CACHE);
  const response = await cache.match(STATE_URL);
  if (!response) return {};
  try {
    const sets = await response.json();
    return sets && typeof sets === 'object' ? sets : {};
  } catch (error) {
    return {};
  }
}

async function writeState(sets) {
  rememberSaved(sets);
  const cache = await caches.open(STATE_CACHE);
  await cache.put(
    STATE_URL,
    new Response(JSON.stringify(sets), { headers: { 'Content-Type': 'application/json' } })
  );
}
