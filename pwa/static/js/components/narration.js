/*
 * data-module="narration": the page's spoken clip, and the voice guide around it (the Start
 * screen, the Voice and Slow voice switches, Repeat, and the Play prompt shown when the
 * browser refuses to play without a gesture). The clip plays on arrival once the voice is on.
 */

import { announce, hasOwnSpace, withoutModifiers } from '../lib/dom.js';
import { Narrator } from '../lib/narrator.js';
import { preferPlayback } from '../lib/media-session.js';
import { pageSignal } from '../lib/page-lifetime.js';
import { prefs } from '../lib/storage.js';

function setSwitch(button, on, strings) {
  button.setAttribute('aria-pressed', String(on));
  const state = button.querySelector('[data-state]');
  if (state) state.textContent = on ? strings.stateOn : strings.stateOff;
}

/**
 * Keeps the classes js/early.js put on <html> in step with the voice choice: the Start screen
 * shows (CSS) only while no choice is saved.
 */
function markVoiceChoice(chosen) {
  const classes = document.documentElement.classList;
  classes.toggle('ig-voice-unset', !chosen);
  classes.toggle('ig-voice-chosen', chosen);
}

/**
 * The voice controls the server put beside the page's clip (_voice_start.html,
 * _voice_controls.html), wired to one narrator. They are in the page's HTML from the start and
 * drawn from the first paint (CSS and js/early.js), so nothing moves when this starts.
 */
class VoiceGuide {
  /** A guide for `narrator`, or null when the page has no voice controls. */
  static create(narrator) {
    const controls = document.querySelector('[data-voice-controls]');
    const prompt = document.querySelector('[data-play-prompt]');
    return controls && prompt ? new VoiceGuide(narrator, controls, prompt) : null;
  }

  constructor(narrator, controls, prompt) {
    this.narrator = narrator;
    this.strings = controls.dataset;
    this.start = document.querySelector('[data-voice-start]');
    this.controls = controls;
    this.prompt = prompt;
    this.voiceSwitch = this.controls.querySelector('[data-action="voice"]');
    this.slowSwitch = this.controls.querySelector('[data-action="slow"]');
    this.main = document.getElementById('main-content');

    this.prompt.hidden = true;
    const signal = pageSignal();
    narrator.onBlocked = () => {
      // Autoplay refused (no gesture on this page yet): offer a Play button and say so.
      this.prompt.hidden = false;
      announce(this.strings.playPromptText);
    };
    // The page's audio element may be the one carried from page to page (lib/page-swap.js):
    // its listeners end with this page.
    if (narrator.audio) narrator.audio.addEventListener('playing', () => this.hidePrompt(), { signal });
    this.controls.addEventListener('click', (event) => this.onControl(event));
    this.prompt.addEventListener('click', (event) => {
      if (event.target.closest('[data-action="play"]')) this.repeat();
    });
    markVoiceChoice(prefs.voice() !== null);
    if (this.start && prefs.voice() === null && this.main) this.showStartScreen();
    else this.start?.remove(); // hidden already (CSS): the choice is saved
    this.refresh();
  }

  refresh() {
    setSwitch(this.voiceSwitch, prefs.voice() === 'on', this.strings);
    setSwitch(this.slowSwitch, prefs.slow(), this.strings);
  }

  hidePrompt() {
    this.prompt.hidden = true;
  }

  /**
   * Close the Start screen. `moveFocus` only when no clip is about to play: moving focus makes
   * a screen reader speak over the clip (issue 11: one voice at a time). Otherwise focus stays
   * where the box was (the browser keeps its place), so Tab goes on from there.
   */
  closeStart(moveFocus) {
    markVoiceChoice(true);
    if (this.start && this.start.isConnected) {
      const hadFocus = this.start.contains(document.activeElement);
      this.start.remove();
      if (moveFocus && hadFocus) this.voiceSwitch.focus();
    }
  }

  startVoice() {
    prefs.setVoice('on');
    this.closeStart(false);
    this.refresh();
    this.hidePrompt();
    this.narrator.play(true);
    // No "Voice on" status here: the clip itself says the voice is on, and a status would
    // be read over it. The switch's pressed state tells a screen reader.
  }

  noVoice() {
    prefs.setVoice('off');
    this.closeStart(true);
    this.refresh();
    this.narrator.stop();
    announce(this.strings.voiceOff);
  }

  repeat() {
    this.hidePrompt();
    this.narrator.play(true);
  }

  onControl(event) {
    const action = event.target.closest('[data-action]');
    if (!action) return;
    if (action.dataset.action === 'voice') {
      if (prefs.voice() === 'on') this.noVoice();
      else this.startVoice();
    } else if (action.dataset.action === 'slow') {
      prefs.setSlow(!prefs.slow());
      this.refresh();
      this.narrator.changeSpeed();
      announce(prefs.slow() ? this.strings.slowOn : this.strings.slowOff);
    } else if (action.dataset.action === 'repeat') {
      this.repeat();
    }
  }

  /** The Start screen: a tap anywhere on it, or Enter, is the gesture that unlocks audio. */
  showStartScreen() {
    const { start, main } = this;
    start.addEventListener('click', (event) => {
      if (event.target.closest('[data-action="no-voice"]')) this.noVoice();
      else this.startVoice();
    });
    const onEnter = (event) => {
      if (!start.isConnected || event.key !== 'Enter' || !withoutModifiers(event)) return;
      const target = event.target;
      const onPage = target === document.body || target === document.documentElement || target === main;
      const inStart = start.contains(target) && !hasOwnSpace(target);
      if (onPage || inStart) {
        event.preventDefault();
        this.startVoice();
      }
    };
    document.addEventListener('keydown', onEnter, { signal: pageSignal() });
  }

  /** The page has arrived: speak it when the voice is on. */
  arrive() {
    if (prefs.voice() === 'on') this.narrator.play(true);
  }
}

export class Narration {
  static moduleName = 'narration';

  /** The page's narration (the first one started), for components that drive it. */
  static current = null;

  constructor(root) {
    if (Narration.current) return; // one narration per page: the first one speaks
    this.narrator = new Narrator(root);
    preferPlayback(); // the silent switch must not mute the guide (iOS Safari 16.4+)
    this.holds = [];
    this.voice = VoiceGuide.create(this.narrator);
    // Sound stops the moment an answer is given or the page is left, or replaced in place.
    const signal = pageSignal();
    this.signal = signal;
    document.addEventListener('submit', () => this.narrator.stop(), { capture: true, signal });
    window.addEventListener('pagehide', () => this.narrator.stop(), { signal });
    signal.addEventListener('abort', () => {
      this.narrator.stop();
      if (Narration.current === this) Narration.current = null; // the next page's speaks
    });
    // Components started with this one (createAll runs them all in one go) may change what
    // is said first: arrival waits a microtask for their holdUntil() calls, then for them.
    this.arrival = Promise.resolve()
      .then(() => this.arrive())
      .catch((error) => console.error('Inversion Guide: narration', error));
    Narration.current = this; // only once it works: a failed start leaves other components be
  }

  /** Speak on arrival only once `promise` has settled (it changes the text or the clip). */
  holdUntil(promise) {
    this.holds.push(promise);
  }

  async arrive() {
    await Promise.allSettled(this.holds);
    const voice = this.voice;
    if (!voice || this.signal.aborted) return; // replaced in place before it could speak
    voice.arrive();
    // Back to a page kept in memory: speak it again. (This page's signal, taken when it
    // started: arrival may come after the page was already replaced.)
    window.addEventListener(
      'pageshow',
      (event) => {
        if (event.persisted) voice.arrive();
      },
      { signal: this.signal },
    );
  }
}
