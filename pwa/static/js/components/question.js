/*
 * data-module="question" (the screening question form): answer keys (Y, N, U; R repeats;
 * Space pauses or plays), lock-screen controls for the question's clip, and, offline, the
 * question asked of the right person.
 *
 * Reads: data-question-id, data-perspective (who the page's text addresses: you or they),
 * data-rules-url (the screening rules file, with both wordings and their clips).
 */

import { announce, cloneTemplate, hasOwnSpace, isFormField, pageLang, withoutModifiers } from '../lib/dom.js';
import { setActionHandlers, setMetadata, setPlaybackState, hasMediaSession } from '../lib/media-session.js';
import { answers, loadRules } from '../lib/screening.js';
import { Narration } from './narration.js';

export class Question {
  static moduleName = 'question';

  constructor(form) {
    this.form = form;
    this.narrator = Narration.current ? Narration.current.narrator : null;
    const voice = document.querySelector('template[data-ig-template="voice"]');
    this.strings = voice ? voice.dataset : {};
    this.answered = false; // one answer per page: a second key must not send a second form
    this.showKeys();
    form.addEventListener('submit', (event) => {
      // Read once every listener has run: a submission another script cancels is no answer.
      queueMicrotask(() => {
        if (!event.defaultPrevented) this.answered = true;
      });
    });
    document.addEventListener('keydown', (event) => this.onKey(event));
    if (this.narrator) {
      this.startMediaSession();
      Narration.current.holdUntil(this.matchPerspective());
    }
  }

  showKeys() {
    const made = cloneTemplate('keys');
    if (made) made.template.replaceWith(made.fragment);
  }

  onKey(event) {
    if (this.answered || event.defaultPrevented || !withoutModifiers(event)) return;
    if (isFormField(event.target)) return;
    if (event.key === ' ' || event.key === 'Spacebar') {
      this.onSpace(event);
      return;
    }
    if (event.repeat || event.key.length !== 1) return;
    const key = event.key.toLowerCase();
    if (key === 'r') {
      if (!this.narrator) return;
      event.preventDefault();
      this.narrator.play(true);
      return;
    }
    const button = [...this.form.querySelectorAll('button[data-key]')].find((b) => b.dataset.key === key);
    if (button) {
      event.preventDefault();
      this.form.requestSubmit(button);
    }
  }

  onSpace(event) {
    if (hasOwnSpace(event.target) || !this.narrator) return;
    event.preventDefault();
    if (event.repeat) return;
    const state = this.narrator.toggle();
    announce(state === 'paused' ? this.strings.paused : this.strings.playing);
  }

  startMediaSession() {
    if (!hasMediaSession()) return;
    const narrator = this.narrator;
    const apply = () => {
      setMetadata(this.metadata());
      setActionHandlers({
        play: () => narrator.play(false),
        pause: () => narrator.pause(),
        previoustrack: () => narrator.play(true), // "previous" on a headset repeats the question
        stop: () => narrator.stop(),
      });
    };
    apply();
    if (!narrator.audio) return;
    // WebKit forgets handlers between plays: set them again each time sound starts.
    narrator.audio.addEventListener('playing', () => {
      apply();
      setPlaybackState('playing');
    });
    narrator.audio.addEventListener('pause', () => setPlaybackState('paused'));
  }

  metadata() {
    const text = (element) => (element ? element.textContent.trim() : '');
    const heading = document.getElementById('question-text');
    const icon = document.querySelector('link[rel="apple-touch-icon"]');
    return {
      title: heading ? text(heading) : document.title,
      artist: text(document.querySelector('.ig-header__name')),
      album: text(document.querySelector('.ig-fieldset__legend .ig-caption')),
      artwork: icon ? [{ src: icon.href, sizes: '192x192', type: 'image/png' }] : [],
    };
  }

  /** Offline, cached question pages are the "you" version; ask "they" when a carer answers. */
  async matchPerspective() {
    const wanted = answers.perspective(pageLang());
    const shown = this.form.dataset.perspective;
    if (!wanted || !shown || wanted === shown || !this.form.dataset.rulesUrl) return;
    try {
      const rules = await loadRules(this.form.dataset.rulesUrl);
      const question = rules.questions.find((q) => q.id === this.form.dataset.questionId);
      const heading = document.getElementById('question-text');
      if (!question || !heading) return;
      heading.textContent = question[wanted];
      this.form.dataset.perspective = wanted;
      this.narrator.setSources(question.clips[wanted]);
    } catch {
      // rules unavailable: the question stays as it was rendered
    }
  }
}
