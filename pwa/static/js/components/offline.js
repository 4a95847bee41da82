/*
 * data-module="offline" (the "Use offline" page): the service worker saves every page and
 * clip for one language and voice, and the session tracks this visitor would play (their
 * own, or a carer's); this shows and announces the progress.
 *
 * Reads: data-lang, data-perspective (whose session tracks: "you" or "they", the server's
 * answer for this visitor), data-offline-url (this page's own URL, to tell when the worker
 * answered another page with it), and the page's strings (data-progress, data-ready, data-saved,
 * data-failed, data-unsupported, data-you-are-offline, data-kb, data-mb).
 */

import { announce, cloneTemplate, pathOf } from '../lib/dom.js';
import { fill, formatBytes } from '../lib/format.js';
import { activeWorker, ask } from '../lib/service-worker.js';
import { prefs } from '../lib/storage.js';

function show(element, text) {
  element.textContent = text;
  element.hidden = false;
}

export class Offline {
  static moduleName = 'offline';

  constructor(root) {
    const made = cloneTemplate('offline', root);
    if (!made) return;
    made.template.replaceWith(made.fragment);
    this.root = root;
    this.strings = root.dataset;
    this.lang = root.dataset.lang;
    this.perspective = root.dataset.perspective === 'they' ? 'they' : 'you';
    const slot = (name) => root.querySelector(`[data-slot="${name}"]`);
    this.form = slot('form');
    this.progress = slot('progress');
    this.bar = this.progress.querySelector('progress');
    this.progressText = slot('progress-text');
    this.result = slot('result');
    this.saved = slot('saved');
    this.running = false;

    if (root.dataset.offlineUrl && pathOf(root.dataset.offlineUrl) !== window.location.pathname) {
      // The service worker answered a page that is not saved with this one.
      show(slot('notice'), this.strings.youAreOffline);
    }
    if (!('serviceWorker' in navigator) || !('caches' in window) || !window.isSecureContext) {
      this.form.hidden = true;
      show(this.result, this.strings.unsupported);
      return;
    }
    const speed = prefs.slow() ? 'slow' : 'normal';
    const speedInput = this.form.querySelector(`input[name="speed"][value="${speed}"]`);
    if (speedInput) speedInput.checked = true;
    this.showSaved();
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.download();
    });
  }

  voiceName(speed) {
    const input = this.form.querySelector(`input[name="speed"][value="${speed}"]`);
    const label = input && this.form.querySelector(`label[for="${input.id}"]`);
    return label ? label.textContent.trim() : speed;
  }

  /**
   * Say which voices are already saved for this language, this version of the app and this
   * visitor's session tracks (a set without a perspective, from an older version, has both).
   */
  async showSaved() {
    try {
      const worker = await activeWorker(10000);
      const status = await ask(worker, { type: 'status' });
      const mine = Object.values(status.sets || {}).filter(
        (set) =>
          set.lang === this.lang &&
          (set.versions || []).includes(status.version) &&
          (!set.perspective || set.perspective === this.perspective),
      );
      if (mine.length) {
        const speeds = [...new Set(mine.map((set) => set.speed))];
        const voice = speeds.map((speed) => this.voiceName(speed)).join(', ');
        show(this.saved, fill(this.strings.saved, { voice }));
      }
    } catch {
      // nothing saved yet, or no worker: the form is still there
    }
  }

  /** A progress callback that fills the bar and announces every quarter, not every file. */
  progressReporter() {
    let nextAnnouncement = 0;
    return ({ done, total }) => {
      const percent = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
      this.bar.value = percent;
      this.progressText.textContent = fill(this.strings.progress, {
        done: formatBytes(done, this.strings, this.lang),
        total: formatBytes(total, this.strings, this.lang),
        percent,
      });
      if (percent >= nextAnnouncement && percent < 100) {
        // A screen reader would fall behind if every file were announced.
        announce(this.progressText.textContent);
        nextAnnouncement = (Math.floor(percent / 25) + 1) * 25;
      }
    };
  }

  async download() {
    if (this.running) return;
    this.running = true;
    const speed = new FormData(this.form).get('speed') === 'slow' ? 'slow' : 'normal';
    const { result } = this;
    result.hidden = true;
    this.progress.hidden = false;
    this.bar.value = 0;
    const onProgress = this.progressReporter();
    try {
      const worker = await activeWorker(15000);
      const message = { type: 'download', lang: this.lang, speed, perspective: this.perspective };
      const summary = await ask(worker, message, onProgress);
      onProgress({ done: summary.total, total: summary.total });
      const ready = fill(this.strings.ready, { voice: this.voiceName(speed) });
      show(result, ready);
      result.classList.remove('ig-offline__result--failed');
      announce(ready);
      this.saved.hidden = true;
    } catch {
      show(result, this.strings.failed);
      result.classList.add('ig-offline__result--failed');
      announce(this.strings.failed);
    } finally {
      this.running = false;
    }
  }
}
