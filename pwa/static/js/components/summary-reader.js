/*
 * data-module="summary-reader": "Read the summary aloud" plays the summary's clips one after
 * another in one <audio> element (the title, who answered, the outcome, then each question's
 * title and its answer label): every sentence is a pre-built clip, like the rest of the app.
 *
 * Reads: data-clips (JSON list of clip URLs, in reading order), data-read-text, data-stop-text.
 */

import { pageSignal } from '../lib/page-lifetime.js';

export class SummaryReader {
  static moduleName = 'summary-reader';

  constructor(root) {
    const clips = JSON.parse(root.dataset.clips || '[]');
    const button = root.querySelector('[data-action=read]');
    if (!clips.length || !button) return; // no narration built: the text is all on the page
    this.clips = clips;
    this.button = button;
    this.root = root;
    this.index = -1;
    this.audio = new Audio();
    this.audio.preload = 'auto';
    this.audio.addEventListener('ended', () => this.next());
    this.audio.addEventListener('error', () => this.next());
    // Its element is not in the page: a page shown in place (lib/page-swap.js) stops it here.
    pageSignal().addEventListener('abort', () => this.audio.pause());
    button.hidden = false;
    button.addEventListener('click', () => (this.index >= 0 ? this.stop() : this.start()));
  }

  start() {
    this.index = -1;
    this.button.textContent = this.root.dataset.stopText;
    this.next();
  }

  next() {
    this.index += 1;
    if (this.index >= this.clips.length) {
      this.stop();
      return;
    }
    this.audio.src = this.clips[this.index];
    this.audio.play().catch(() => this.stop());
  }

  stop() {
    this.audio.pause();
    this.index = -1;
    this.button.textContent = this.root.dataset.readText;
  }
}
