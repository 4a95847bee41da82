/*
 * Inversion Guide in the browser. Progressive enhancement only: every page works without this
 * file. No framework and no build step; behaviour attaches to data-module hooks:
 *
 *   narration       a page's spoken clip: plays on arrival once the voice guide is started
 *   question        keys (Y, N, U, R, Space), Media Session, audio stops on answering
 *   offline         the "Use offline" page: saves pages and clips through the service worker
 *   offline-result  the result worked out on this device when the server cannot be reached
 *
 * Every string shown or announced comes from the page (data attributes and <template>s), so a
 * translation stays one content file. One file on purpose: module imports would be fetched
 * without the content hash that static_url() puts on this file's URL, and could go stale.
 */

// ---------------------------------------------------------------------------------------
// Storage that never throws: private modes and blocked storage fall back to memory.

function openStore(kind) {
  const memory = new Map();
  let store = null;
  try {
    store = window[kind];
    store.setItem('ig.test', '1');
    store.removeItem('ig.test');
  } catch (error) {
    store = null;
  }
  return {
    get(key) {
      try {
        return store ? store.getItem(key) : memory.get(key) ?? null;
      } catch (error) {
        return memory.get(key) ?? null;
      }
    },
    set(key, value) {
      try {
        if (store) {
          store.setItem(key, value);
          return;
        }
      } catch (error) {
        // fall through to memory
      }
      memory.set(key, value);
    },
    remove(key) {
      try {
        if (store) store.removeItem(key);
      } catch (error) {
        // nothing to do
      }
      memory.delete(key);
    },
  };
}

const device = openStore('localStorage'); // remembered on this device
const tab = openStore('sessionStorage'); // forgotten when the tab closes, like the answers cookie

// The voice choice: 'on', 'off', or null before the Start screen has been answered.
const prefs = {
  voice: () => {
    const value = device.get('ig.voice');
    return value === 'on' || value === 'off' ? value : null;
  },
  setVoice: (value) => device.set('ig.voice', value),
  slow: () => device.get('ig.slow') === '1',
  setSlow: (on) => device.set('ig.slow', on ? '1' : '0'),
};

// ---------------------------------------------------------------------------------------
// Answers mirrored in this tab, so a screening can finish on the device when offline. The
// server keeps its own copy in the signed cookie; this copy never leaves the browser.

const ANSWER_VALUES = new Set(['yes', 'no', 'not-sure']);

const answers = {
  read(lang) {
    try {
      const value = JSON.parse(tab.get(`ig.answers.${lang}`) || '{}');
      return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    } catch (error) {
      return {};
    }
  },
  record(lang, questionId, value) {
    if (!ANSWER_VALUES.has(value)) return;
    const all = this.read(lang);
    all[questionId] = value;
    tab.set(`ig.answers.${lang}`, JSON.stringify(all));
  },
  clear(lang) {
    tab.remove(`ig.answers.${lang}`);
  },
  perspective(lang) {
    const value = tab.get(`ig.perspective.${lang}`);
    return value === 'you' || value === 'they' ? value : null;
  },
  setPerspective(lang, value) {
    if (value === 'you' || value === 'they') tab.set(`ig.perspective.${lang}`, value);
  },
};

/** The screening rule, the same as server/screening.py (a browser test checks they agree). */
export function evaluate(questions, given) {
  const reasons = questions
    .filter((q) => given[q.id] !== 'no')
    .map((q) => ({ question: q, answer: given[q.id] }));
  let level = 'no-known-reason';
  if (reasons.some((r) => r.answer === 'yes' && r.question.level === 'avoid')) level = 'avoid';
  else if (reasons.length) level = 'ask-first';
  return { level, reasons };
}

const rulesCache = new Map();
function loadRules(lang) {
  if (!rulesCache.has(lang)) {
    const request = fetch(`/${lang}/screening/rules.json`, { credentials: 'omit' }).then((r) => {
      if (!r.ok) throw new Error(`rules: HTTP ${r.status}`);
      return r.json();
    });
    rulesCache.set(lang, request);
    request.catch(() => rulesCache.delete(lang));
  }
  return rulesCache.get(lang);
}

// ---------------------------------------------------------------------------------------
// Small helpers.

/** Say something through the one polite status region in base.html. */
function announce(text) {
  const region = document.querySelector('[data-ig-status]');
  if (!region || !text) return;
  // Clearing first makes screen readers speak a message that repeats the previous one.
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

function fill(template, values) {
  return template.replace(/{(\w+)}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function cloneTemplate(name, scope = document) {
  const template = scope.querySelector(`template[data-ig-template="${name}"]`);
  return template ? { template, fragment: template.content.cloneNode(true) } : null;
}

/** Where typing belongs to the field: never take letter keys or Space from these. */
function isFormField(element) {
  if (!(element instanceof Element)) return false;
  if (element.isContentEditable) return true;
  if (element.matches('textarea, select')) return true;
  if (element.matches('input')) return !['button', 'submit', 'reset', 'image'].includes(element.type);
  return Boolean(element.closest('[role="textbox"], [role="searchbox"], [role="combobox"]'));
}

/** Controls where Space already does something: press a button, follow a link, play media. */
function hasOwnSpace(element) {
  if (!(element instanceof Element)) return false;
  return Boolean(
    element.closest(
      'a[href], button, summary, label, audio, video, [role="button"], [role="link"], ' +
        '[role="switch"], [role="checkbox"], [role="radio"], [role="tab"], [role="menuitem"]'
    )
  );
}

function withoutModifiers(event) {
  return !(event.ctrlKey || event.metaKey || event.altKey || event.isComposing);
}

// ---------------------------------------------------------------------------------------
// Narration: one spoken clip per page, played by the page's own <audio> element. When the
// clip is missing or cannot load, the browser's own speech reads the text on the page.

class Narrator {
  constructor(root) {
    this.root = root;
    this.audio = root.querySelector('audio');
    this.normalSrc = this.audio ? this.audio.getAttribute('src') : null;
    this.slowSrc = root.dataset.slowSrc || null;
    this.slowBroken = false;
    this.wanted = false; // the user wants sound now (so an error falls back to speech)
    this.onBlocked = () => {};
    if (this.audio) {
      this.audio.addEventListener('error', () => this.recover());
    }
  }

  text() {
    const element = this.root.dataset.textId && document.getElementById(this.root.dataset.textId);
    return element ? element.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  setSources({ normal, slow }) {
    this.normalSrc = normal || null;
    this.slowSrc = slow || null;
    this.slowBroken = false;
    if (this.audio && this.normalSrc) this.syncSource();
  }

  source() {
    return prefs.slow() && this.slowSrc && !this.slowBroken ? this.slowSrc : this.normalSrc;
  }

  syncSource() {
    const wanted = this.source();
    if (wanted && this.audio.getAttribute('src') !== wanted) this.audio.setAttribute('src', wanted);
  }

  get playing() {
    if (this.audio && this.normalSrc) return !this.audio.paused && !this.audio.ended;
    const synth = window.speechSynthesis;
    return Boolean(synth && synth.speaking && !synth.paused);
  }

  /** Play from the start (or resume); resolves true when sound started. */
  async play(fromStart = true) {
    this.wanted = true;
    if (!this.audio || !this.normalSrc) return this.speak();
    this.syncSource();
    if (fromStart) {
      try {
        this.audio.currentTime = 0;
      } catch (error) {
        // not seekable yet: it starts at 0 anyway
      }
    }
    try {
      await this.audio.play();
      return true;
    } catch (error) {
      if (error && error.name === 'NotAllowedError') this.onBlocked();
      return false;
    }
  }

  pause() {
    if (this.audio) this.audio.pause();
    const synth = window.speechSynthesis;
    if (synth && synth.speaking) synth.pause();
  }

  /** Silence at once: on answering, leaving the page, or turning the voice off. */
  stop() {
    this.wanted = false;
    if (this.audio) this.audio.pause();
    if (window.speechSynthesis) window.speechSynthesis.cancel();
  }

  /** Space: pause when sounding, otherwise play (resume, or from the start when ended). */
  toggle() {
    if (this.playing) {
      this.pause();
      return 'paused';
    }
    const synth = window.speechSynthesis;
    if ((!this.audio || !this.normalSrc) && synth && synth.paused) {
      synth.resume();
      return 'playing';
    }
    this.play(Boolean(this.audio && this.audio.ended));
    return 'playing';
  }

  speak() {
    const synth = window.speechSynthesis;
    const text = this.text();
    if (!synth || !text || typeof window.SpeechSynthesisUtterance !== 'function') return false;
    synth.cancel();
    const utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || 'en';
    utterance.rate = prefs.slow() ? 0.75 : 1;
    synth.speak(utterance);
    return true;
  }

  /** A clip failed to load: a missing slow clip falls back to normal, then to speech. */
  recover() {
    const current = this.audio.getAttribute('src');
    if (current && current === this.slowSrc && this.normalSrc && current !== this.normalSrc) {
      this.slowBroken = true;
      this.audio.setAttribute('src', this.normalSrc);
      if (this.wanted) this.audio.play().catch(() => {});
      return;
    }
    if (this.wanted) this.speak();
  }
}

// ---------------------------------------------------------------------------------------
// The voice guide: Start screen, Voice / Slow voice switches, Repeat, and the Play prompt.

function setSwitch(button, on, strings) {
  button.setAttribute('aria-pressed', String(on));
  const state = button.querySelector('[data-state]');
  if (state) state.textContent = on ? strings.stateOn : strings.stateOff;
}

function initVoice(narrator) {
  const made = cloneTemplate('voice');
  if (!made || !narrator) return null;
  const strings = made.template.dataset;
  const start = made.fragment.querySelector('[data-voice-start]');
  const controls = made.fragment.querySelector('[data-voice-controls]');
  const prompt = made.fragment.querySelector('[data-play-prompt]');
  const voiceSwitch = controls.querySelector('[data-action="voice"]');
  const slowSwitch = controls.querySelector('[data-action="slow"]');
  const main = document.getElementById('main-content');

  prompt.hidden = true;
  narrator.root.after(controls, prompt);

  const refresh = () => {
    setSwitch(voiceSwitch, prefs.voice() === 'on', strings);
    setSwitch(slowSwitch, prefs.slow(), strings);
  };
  const hidePrompt = () => {
    prompt.hidden = true;
  };
  const closeStart = () => {
    if (start.isConnected) {
      start.remove();
      voiceSwitch.focus();
    }
  };
  const startVoice = () => {
    prefs.setVoice('on');
    closeStart();
    refresh();
    hidePrompt();
    narrator.play(true);
    announce(strings.voiceOn);
  };
  const noVoice = () => {
    prefs.setVoice('off');
    closeStart();
    refresh();
    narrator.stop();
    announce(strings.voiceOff);
  };

  narrator.onBlocked = () => {
    // Autoplay refused (no gesture on this page yet): offer a Play button and say so.
    prompt.hidden = false;
    announce(strings.playPrompt);
  };
  if (narrator.audio) narrator.audio.addEventListener('playing', hidePrompt);

  controls.addEventListener('click', (event) => {
    const action = event.target.closest('[data-action]');
    if (!action) return;
    if (action.dataset.action === 'voice') {
      if (prefs.voice() === 'on') noVoice();
      else startVoice();
    } else if (action.dataset.action === 'slow') {
      prefs.setSlow(!prefs.slow());
      refresh();
      const wasPlaying = narrator.playing;
      if (narrator.audio && narrator.normalSrc) {
        narrator.audio.pause();
        narrator.syncSource();
      }
      if (wasPlaying) narrator.play(true);
      announce(prefs.slow() ? strings.slowOn : strings.slowOff);
    } else if (action.dataset.action === 'repeat') {
      hidePrompt();
      narrator.play(true);
    }
  });
  prompt.addEventListener('click', (event) => {
    if (event.target.closest('[data-action="play"]')) {
      hidePrompt();
      narrator.play(true);
    }
  });

  if (prefs.voice() === null && main) {
    // The Start screen: a tap anywhere on it, or Enter, is the gesture that unlocks audio.
    main.prepend(start);
    start.addEventListener('click', (event) => {
      if (event.target.closest('[data-action="no-voice"]')) noVoice();
      else startVoice();
    });
    document.addEventListener('keydown', (event) => {
      if (!start.isConnected || event.key !== 'Enter' || !withoutModifiers(event)) return;
      const target = event.target;
      const onPage = target === document.body || target === document.documentElement || target === main;
      const inStart = start.contains(target) && !hasOwnSpace(target);
      if (onPage || inStart) {
        event.preventDefault();
        startVoice();
      }
    });
  }
  refresh();

  return {
    /** The page has arrived: speak it when the voice is on. */
    arrive() {
      if (prefs.voice() === 'on') narrator.play(true);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Question pages: keys, Media Session, and the question asked of the right person.

function initKeys(form, narrator, strings) {
  const made = cloneTemplate('keys');
  if (made) made.template.replaceWith(made.fragment);
  let answered = false; // one answer per page: a second key must not send a second form
  form.addEventListener('submit', (event) => {
    // Read once every listener has run: a submission another script cancels is no answer.
    queueMicrotask(() => {
      if (!event.defaultPrevented) answered = true;
    });
  });
  document.addEventListener('keydown', (event) => {
    if (answered || event.defaultPrevented || !withoutModifiers(event)) return;
    if (isFormField(event.target)) return;
    if (event.key === ' ' || event.key === 'Spacebar') {
      if (hasOwnSpace(event.target) || !narrator) return;
      event.preventDefault();
      if (event.repeat) return;
      const state = narrator.toggle();
      announce(state === 'paused' ? strings.paused : strings.playing);
      return;
    }
    if (event.repeat || event.key.length !== 1) return;
    const key = event.key.toLowerCase();
    if (key === 'r') {
      if (!narrator) return;
      event.preventDefault();
      narrator.play(true);
      return;
    }
    const button = [...form.querySelectorAll('button[data-key]')].find((b) => b.dataset.key === key);
    if (button) {
      event.preventDefault();
      form.requestSubmit(button);
    }
  });
}

function initMediaSession(narrator) {
  if (!narrator || !('mediaSession' in navigator)) return;
  const session = navigator.mediaSession;
  const heading = document.getElementById('question-text');
  const caption = document.querySelector('.ig-fieldset__legend .ig-caption');
  const appName = document.querySelector('.ig-header__name');
  const icon = document.querySelector('link[rel="apple-touch-icon"]');
  const apply = () => {
    try {
      session.metadata = new window.MediaMetadata({
        title: heading ? heading.textContent.trim() : document.title,
        artist: appName ? appName.textContent.trim() : '',
        album: caption ? caption.textContent.trim() : '',
        artwork: icon ? [{ src: icon.href, sizes: '192x192', type: 'image/png' }] : [],
      });
    } catch (error) {
      // MediaMetadata missing: the controls still work without it
    }
    const handlers = {
      play: () => narrator.play(false),
      pause: () => narrator.pause(),
      previoustrack: () => narrator.play(true), // "previous" on a headset repeats the question
      stop: () => narrator.stop(),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        session.setActionHandler(action, handler);
      } catch (error) {
        // this browser does not offer that action
      }
    }
  };
  apply();
  if (narrator.audio) {
    // WebKit forgets handlers between plays: set them again each time sound starts.
    narrator.audio.addEventListener('playing', () => {
      apply();
      session.playbackState = 'playing';
    });
    narrator.audio.addEventListener('pause', () => {
      session.playbackState = 'paused';
    });
  }
}

/** Offline, cached question pages are the "you" version; ask "they" when a carer answers. */
async function matchPerspective(form, narrator, lang) {
  const wanted = answers.perspective(lang);
  const clipId = narrator ? narrator.root.dataset.clipId || '' : '';
  const shown = clipId.endsWith('.they') ? 'they' : clipId.endsWith('.you') ? 'you' : null;
  if (!wanted || !shown || wanted === shown) return;
  try {
    const rules = await loadRules(lang);
    const question = rules.questions.find((q) => q.id === form.dataset.questionId);
    const heading = document.getElementById('question-text');
    if (!question || !heading) return;
    heading.textContent = question[wanted];
    narrator.root.dataset.clipId = `q.${question.id}.${wanted}`;
    narrator.setSources(question.clips[wanted]);
  } catch (error) {
    // rules unavailable: the question stays as it was rendered
  }
}

// ---------------------------------------------------------------------------------------
// Every answer also goes into this tab's copy, and sound stops the moment one is given.

function watchForms(getNarrator) {
  document.addEventListener(
    'submit',
    (event) => {
      const narrator = getNarrator();
      if (narrator) narrator.stop();
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || (form.method || '').toLowerCase() !== 'post') return;
      const path = new URL(form.action, window.location.href).pathname;
      const submitter = event.submitter;
      let match = path.match(/^\/([a-z][a-z0-9-]*)\/screening\/start$/);
      if (match) {
        answers.clear(match[1]);
        answers.setPerspective(match[1], submitter ? submitter.value : 'you');
        return;
      }
      match = path.match(/^\/([a-z][a-z0-9-]*)\/screening\/restart$/);
      if (match) {
        answers.clear(match[1]);
        return;
      }
      match = path.match(/^\/([a-z][a-z0-9-]*)\/screening\/q\/([a-z][a-z0-9-]*)$/);
      if (match && submitter && submitter.name === 'answer') {
        answers.record(match[1], match[2], submitter.value);
      }
    },
    true
  );
}

// ---------------------------------------------------------------------------------------
// The result worked out on this device (reached through the service worker when offline).

async function initOfflineResult(root) {
  const lang = root.dataset.lang;
  let rules;
  try {
    rules = await loadRules(lang);
  } catch (error) {
    return null; // the page's own message (it needs the saved questions) stays
  }
  const given = answers.read(lang);
  const missing = rules.questions.find((q) => !ANSWER_VALUES.has(given[q.id]));
  if (missing) {
    window.location.replace(missing.url);
    return null;
  }
  const made = cloneTemplate('offline-result', root);
  if (!made) return null;
  const { fragment } = made;
  const slot = (name) => fragment.querySelector(`[data-slot="${name}"]`);
  const outcome = evaluate(rules.questions, given);
  const text = rules.outcomes[outcome.level];
  const perspective = answers.perspective(lang) || 'you';
  const labels = {
    yes: root.dataset.labelYes,
    no: root.dataset.labelNo,
    'not-sure': root.dataset.labelNotSure,
  };

  slot('outcome').classList.add(`ig-outcome--${outcome.level}`);
  slot('title').textContent = text.title;
  slot('summary').textContent = text.summary;
  for (const step of text.next_steps) {
    const item = document.createElement('li');
    item.textContent = step;
    slot('next-steps').append(item);
  }
  for (const reason of outcome.reasons) {
    const item = document.createElement('li');
    const title = document.createElement('strong');
    title.textContent = `${reason.question.title}:`;
    const hint = document.createElement('span');
    hint.className = 'ig-hint';
    hint.textContent = reason.question[perspective];
    item.append(title, ` ${labels[reason.answer]}. `, hint);
    slot('reasons').append(item);
  }
  if (!outcome.reasons.length) {
    slot('reasons').remove();
    slot('no-reasons').hidden = false;
  }
  const narration = slot('narration');
  const audio = narration.querySelector('audio');
  if (text.clips.normal) {
    audio.setAttribute('src', text.clips.normal);
    if (text.clips.slow) narration.dataset.slowSrc = text.clips.slow;
  } else {
    narration.replaceChildren(); // no clip: the browser's own speech reads the outcome
  }
  narration.dataset.clipId = `outcome.${outcome.level}`;

  const fallback = root.querySelector('[data-slot="fallback"]');
  if (fallback) fallback.remove();
  made.template.replaceWith(fragment);
  document.title = `${text.title} - ${document.title}`;
  return root.querySelector('[data-module="narration"]');
}

// ---------------------------------------------------------------------------------------
// "Use offline": the service worker saves every page and clip; this page shows progress.

function formatBytes(bytes, strings, lang) {
  const format = (n, digits) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
  if (bytes >= 1000 * 1000) return fill(strings.mb, { n: format(bytes / 1e6, 1) });
  return fill(strings.kb, { n: format(Math.max(bytes, 0) / 1000, 0) });
}

function activeWorker(timeoutMs) {
  if (!('serviceWorker' in navigator)) return Promise.reject(new Error('no service worker'));
  const ready = navigator.serviceWorker.ready.then((registration) => registration.active);
  const late = new Promise((resolve, reject) => {
    window.setTimeout(() => reject(new Error('service worker not ready')), timeoutMs);
  });
  return Promise.race([ready, late]);
}

function ask(worker, message, onMessage) {
  return new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      const data = event.data || {};
      if (data.type === 'error') reject(new Error(data.message));
      else if (data.type === 'progress') onMessage(data);
      else resolve(data);
    };
    worker.postMessage(message, [channel.port2]);
  });
}

function initOffline(root) {
  const made = cloneTemplate('offline', root);
  if (!made) return;
  made.template.replaceWith(made.fragment);
  const strings = root.dataset;
  const lang = strings.lang;
  const slot = (name) => root.querySelector(`[data-slot="${name}"]`);
  const form = slot('form');
  const progress = slot('progress');
  const bar = progress.querySelector('progress');
  const progressText = slot('progress-text');
  const result = slot('result');
  const saved = slot('saved');
  const voiceName = (speed) => {
    const input = form.querySelector(`input[name="speed"][value="${speed}"]`);
    const label = input && form.querySelector(`label[for="${input.id}"]`);
    return label ? label.textContent.trim() : speed;
  };
  const show = (element, text) => {
    element.textContent = text;
    element.hidden = false;
  };

  if (window.location.pathname !== `/${lang}/offline`) {
    // The service worker answered a page that is not saved with this one.
    show(slot('notice'), strings.youAreOffline);
  }
  if (!('serviceWorker' in navigator) || !('caches' in window) || !window.isSecureContext) {
    form.hidden = true;
    show(result, strings.unsupported);
    return;
  }
  const speedInput = form.querySelector(`input[name="speed"][value="${prefs.slow() ? 'slow' : 'normal'}"]`);
  if (speedInput) speedInput.checked = true;

  const showSaved = async () => {
    try {
      const worker = await activeWorker(10000);
      const status = await ask(worker, { type: 'status' }, () => {});
      const mine = Object.values(status.sets || {}).filter(
        (set) => set.lang === lang && (set.versions || []).includes(status.version)
      );
      if (mine.length) {
        show(saved, fill(strings.saved, { voice: mine.map((set) => voiceName(set.speed)).join(', ') }));
      }
    } catch (error) {
      // nothing saved yet, or no worker: the form is still there
    }
  };
  showSaved();

  let running = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (running) return;
    running = true;
    const speed = new FormData(form).get('speed') === 'slow' ? 'slow' : 'normal';
    result.hidden = true;
    progress.hidden = false;
    bar.value = 0;
    let nextAnnouncement = 0;
    const onProgress = ({ done, total }) => {
      const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
      bar.value = percent;
      progressText.textContent = fill(strings.progress, {
        done: formatBytes(done, strings, lang),
        total: formatBytes(total, strings, lang),
        percent,
      });
      if (percent >= nextAnnouncement && percent < 100) {
        // Announce every quarter, not every file: a screen reader would fall behind.
        announce(progressText.textContent);
        nextAnnouncement = (Math.floor(percent / 25) + 1) * 25;
      }
    };
    try {
      const worker = await activeWorker(15000);
      const summary = await ask(worker, { type: 'download', lang, speed }, onProgress);
      onProgress({ done: summary.total, total: summary.total });
      const ready = fill(strings.ready, { voice: voiceName(speed) });
      show(result, ready);
      result.classList.remove('ig-offline__result--failed');
      announce(ready);
      saved.hidden = true;
    } catch (error) {
      show(result, strings.failed);
      result.classList.add('ig-offline__result--failed');
      announce(strings.failed);
    } finally {
      running = false;
    }
  });
}

// ---------------------------------------------------------------------------------------
// Start-up.

function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' }).catch(() => {
    // no offline support: every page still works online
  });
}

async function boot() {
  document.body.classList.add('js-enabled');
  registerServiceWorker();
  const lang = document.body.dataset.lang || document.documentElement.lang || 'en';
  let narrator = null;
  watchForms(() => narrator);
  window.addEventListener('pagehide', () => {
    if (narrator) narrator.stop();
  });

  // GOV.UK pattern: focus the error summary, so a screen reader reads the problem first.
  const errorSummary = document.querySelector('[data-module="error-summary"]');
  if (errorSummary) errorSummary.focus();

  const offline = document.querySelector('[data-module="offline"]');
  if (offline) initOffline(offline);

  let narrationRoot = document.querySelector('[data-module="narration"]');
  const offlineResult = document.querySelector('[data-module="offline-result"]');
  if (offlineResult) narrationRoot = await initOfflineResult(offlineResult);

  narrator = narrationRoot ? new Narrator(narrationRoot) : null;
  const voice = initVoice(narrator);
  const voiceStrings = (cloneTemplate('voice') || { template: { dataset: {} } }).template.dataset;

  const form = document.querySelector('form[data-module="question"]');
  if (form) {
    initKeys(form, narrator, voiceStrings);
    initMediaSession(narrator);
    await matchPerspective(form, narrator, lang);
  }

  if (voice) {
    voice.arrive();
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) voice.arrive(); // back to a page kept in memory: speak it again
    });
  }
}

boot();
