/*
 * data-module="summary-reader": "Read the summary aloud" plays the summary's clips one after
 * another in one <audio> element (the title, who answered, the outcome, then each question's
 * title and its answer label): every sentence is a pre-built clip, like the rest of the app.
 *
 * Before the first word, it fetches every clip any reading may use (`fetch`, the same list
 * whatever the answers), then plays from those copies: so the requests it makes tell neither
 * how many causes there are nor, by when the next one goes out, how long the outcome was.
 * That also lets a sealed clip (the outcome, padded with silence to one length) stop where its
 * words end (`end`), with no minute of silence before the next sentence.
 *
 * Reads: data-clips (JSON {play: [{src, end}], fetch: [url]}), data-read-text, data-stop-text.
 */

import { pageSignal } from '../lib/page-lifetime.js';

function readingOf(root) {
  try {
    const clips = JSON.parse(root.dataset.clips || '{}');
    if (Array.isArray(clips.play) && Array.isArray(clips.fetch)) return clips;
  } catch {
    // a broken list: the text is all on the page
  }
  return { play: [], fetch: [] };
}

export class SummaryReader {
  static moduleName = 'summary-reader';

  constructor(root) {
    const { play, fetch } = readingOf(root);
    const button = root.querySelector('[data-action=read]');
    if (!play.length || !button) return; // no narration built: the text is all on the page
    this.play = play;
    this.fetchList = fetch;
    this.copies = null; // src -> object URL of the fetched clip, once fetched
    this.button = button;
    this.root = root;
    this.index = -1;
    this.active = false; // a reading is on (fetching or playing)
    this.reading = 0; // which reading (a Stop, then Read, starts another)
    this.audio = new Audio();
    this.audio.preload = 'auto';
    this.audio.addEventListener('ended', () => this.next());
    this.audio.addEventListener('error', () => this.next());
    this.audio.addEventListener('timeupdate', () => this.stopAtSpokenEnd());
    // Its element is not in the page: a page shown in place (lib/page-swap.js) stops it here.
    pageSignal().addEventListener('abort', () => {
      this.stop();
      for (const url of (this.copies || new Map()).values()) URL.revokeObjectURL(url);
    });
    button.hidden = false;
    button.addEventListener('click', () => (this.active ? this.stop() : this.start()));
  }

  async start() {
    const reading = ++this.reading;
    this.active = true;
    this.index = -1;
    this.button.textContent = this.root.dataset.stopText;
    if (!this.copies) this.copies = await this.fetchAll();
    if (reading !== this.reading) return; // stopped meanwhile
    this.next();
  }

  /** Every clip of `fetch`, one after another; a clip that will not load plays from its URL. */
  async fetchAll() {
    const copies = new Map();
    for (const src of this.fetchList) {
      try {
        const response = await fetch(src);
        if (response.ok) copies.set(src, URL.createObjectURL(await response.blob()));
      } catch {
        // offline or gone: played from its URL, or skipped on error
      }
    }
    return copies;
  }

  next() {
    if (!this.active) return;
    this.index += 1;
    if (this.index >= this.play.length) {
      this.stop();
      return;
    }
    const { src } = this.play[this.index];
    this.audio.src = this.copies.get(src) || src;
    this.audio.play().catch(() => this.stop());
  }

  /** A sealed clip's words are said: the rest is padding. */
  stopAtSpokenEnd() {
    const item = this.play[this.index];
    if (!item || !item.end || this.audio.paused || this.audio.currentTime < item.end) return;
    this.audio.pause();
    this.next();
  }

  stop() {
    this.reading += 1;
    this.active = false;
    this.audio.pause();
    this.index = -1;
    this.button.textContent = this.root.dataset.readText;
  }
}
