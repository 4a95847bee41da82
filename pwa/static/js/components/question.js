/*
 * data-module="question" (a screening question form, or a pre-session check): answer keys
 * (Y, N, U; R repeats; W says why we ask; Space pauses or plays), lock-screen controls for
 * the question's clip, the "Hear why we ask" button, and, offline, the question asked of the
 * right person.
 *
 * Single-key shortcuts act only while focus is on the page itself (body, main) or on an
 * answer button, and a switch turns them off, remembered on the device (WCAG 2.1.4). An
 * answer given by key is confirmed at once, shown and spoken (its label's clip when the voice
 * is on, the status region otherwise), before the form is sent.
 *
 * Reads: data-question-id, data-perspective (who the page's text addresses: you or they),
 * data-rules-url (the screening rules file, with both wordings and their clips); on answer
 * buttons data-key, data-confirm, data-confirm-src, data-confirm-slow-src; on the why button
 * data-why-src, data-why-slow-src, data-why-text.
 */

import { announce, hasOwnSpace, isFormField, pageLang, withoutModifiers } from '../lib/dom.js';
import { setActionHandlers, setMetadata, setPlaybackState, hasMediaSession } from '../lib/media-session.js';
import { pageHeading } from '../lib/page-focus.js';
import { pageSignal } from '../lib/page-lifetime.js';
import { answers, loadRules } from '../lib/screening.js';
import { prefs } from '../lib/storage.js';
import { Narration } from './narration.js';

// How long a confirmation may hold the page before it moves on anyway.
const CONFIRM_MAX_MS = 2500;
// With the voice off, time for a screen reader to start saying the confirmation.
const CONFIRM_QUIET_MS = 800;

const wait = (ms) => new Promise((resolve) => window.setTimeout(resolve, ms));

export class Question {
  static moduleName = 'question';

  constructor(form) {
    this.form = form;
    this.narrator = Narration.current ? Narration.current.narrator : null;
    const voice = document.querySelector('[data-voice-controls]');
    this.strings = voice ? voice.dataset : {};
    this.answered = false; // one answer per page: a second key must not send a second form
    this.confirming = false;
    this.group = form.querySelector('[data-answer-group]') || form.querySelector('.ig-answers');
    this.confirmation = form.querySelector('[data-answer-confirm]');
    this.whyButton = document.querySelector('[data-action="why"]');
    this.showKeys();
    this.showWhy();
    form.addEventListener('submit', (event) => {
      // Read once every listener has run: a submission another script cancels is no answer.
      queueMicrotask(() => {
        if (!event.defaultPrevented) this.answered = true;
      });
    });
    document.addEventListener('keydown', (event) => this.onKey(event), { signal: pageSignal() });
    if (this.narrator) {
      this.startMediaSession();
      Narration.current.holdUntil(this.matchPerspective());
    }
  }

  /** The keys section is in the page's HTML (shown while JavaScript runs): wire its switch. */
  showKeys() {
    this.keysSwitch = document.querySelector('[data-keys] [data-action="keys"]');
    if (!this.keysSwitch) return;
    this.refreshKeysSwitch();
    this.keysSwitch.addEventListener('click', () => {
      prefs.setKeys(!prefs.keys());
      this.refreshKeysSwitch();
    });
  }

  refreshKeysSwitch() {
    const on = prefs.keys();
    this.keysSwitch.setAttribute('aria-pressed', String(on));
    const state = this.keysSwitch.querySelector('[data-state]');
    if (state) state.textContent = on ? this.strings.stateOn : this.strings.stateOff;
  }

  showWhy() {
    const button = this.whyButton;
    // The page shows it while JavaScript runs when its clip exists; without a narrator it
    // could not speak, so it goes.
    if (!button || !button.dataset.whySrc) return;
    if (!this.narrator) {
      button.hidden = true;
      return;
    }
    button.addEventListener('click', () => this.sayWhy());
  }

  sayWhy() {
    const b = this.whyButton;
    if (!b || !this.narrator || !b.dataset.whySrc) return;
    this.narrator.playList([{ normal: b.dataset.whySrc, slow: b.dataset.whySlowSrc || null, text: b.dataset.whyText }]);
  }

  /** Single keys belong to the page only where focus is on the page or on an answer. */
  keysApply(target) {
    if (!prefs.keys()) return false;
    const main = document.getElementById('main-content');
    // The page's h1 is the page too: focus lands there when a page is shown in place.
    const onPage = [document.body, document.documentElement, main, pageHeading()].includes(target);
    if (onPage) return true;
    return Boolean(this.group && target instanceof Element && this.group.contains(target));
  }

  onKey(event) {
    if (this.answered || this.confirming || event.defaultPrevented || !withoutModifiers(event)) return;
    if (isFormField(event.target) || !this.keysApply(event.target)) return;
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
    if (key === 'w') {
      if (!this.whyButton || this.whyButton.hidden) return;
      event.preventDefault();
      this.sayWhy();
      return;
    }
    const button = [...this.form.querySelectorAll('button[name="answer"]')].find((b) => this.keyOf(b) === key);
    if (button) {
      event.preventDefault();
      this.answerByKey(button);
    }
  }

  keyOf(button) {
    if (button.dataset.key) return button.dataset.key;
    return { yes: 'y', no: 'n', 'not-sure': 'u' }[button.value];
  }

  /** Show and say the answer at once, then send it. */
  async answerByKey(button) {
    this.confirming = true;
    try {
      for (const other of this.form.querySelectorAll('button[name="answer"]')) {
        other.setAttribute('aria-pressed', String(other === button));
      }
      const text = button.dataset.confirm || button.textContent.trim();
      if (this.confirmation) {
        this.confirmation.textContent = text;
        this.confirmation.hidden = false;
      }
      const src = button.dataset.confirmSrc;
      let said;
      if (this.narrator && prefs.voice() === 'on' && src) {
        said = this.narrator.playList([{ normal: src, slow: button.dataset.confirmSlowSrc || null, text: null }]);
      } else {
        announce(text); // the screen reader says it (no clip is sounding: one voice at a time)
        said = wait(CONFIRM_QUIET_MS);
      }
      await Promise.race([said, wait(CONFIRM_MAX_MS)]);
    } finally {
      this.confirming = false;
    }
    if (!this.answered) this.form.requestSubmit(button);
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
        // iOS shows +/-10 s seek buttons instead of previous/next unless these are null.
        seekbackward: null,
        seekforward: null,
      });
    };
    apply();
    if (!narrator.audio) return;
    // WebKit forgets handlers between plays: set them again each time sound starts.
    // (On the narration element carried from page to page: these end with this page.)
    const signal = pageSignal();
    narrator.audio.addEventListener(
      'playing',
      () => {
        apply();
        setPlaybackState('playing');
      },
      { signal },
    );
    narrator.audio.addEventListener('pause', () => setPlaybackState('paused'), { signal });
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
