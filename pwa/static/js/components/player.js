/*
 * data-module="session-player": a guided session is ONE pre-rendered track in ONE <audio>
 * element that is never replaced, moved by seeking between chapters (one per step). Mobile
 * browsers freeze timers with the screen off, but a playing <audio> keeps playing, so the
 * page only follows the track: current step as large text, time left, and the Media Session
 * (lock screen, headset) with play, pause, previous = repeat step, next, stop = come up now.
 *
 * Reads: data-player (JSON: plan, lang, file, duration, come_up, app, album, chapters and
 * strings); without it no track was built and the page lists the steps only.
 */

import { chapterAt, lineAt, repeatTarget } from '../lib/chapters.js';
import { clock, fill } from '../lib/format.js';
import {
  preferPlayback,
  setActionHandlers,
  setMetadata,
  setPlaybackState,
  setPositionState,
} from '../lib/media-session.js';
import { positionStore } from '../lib/session-position.js';
import { heldTime } from '../lib/history.js';
import { Narration } from './narration.js';

// A pause longer than this (a call, a long break) resumes at the start of the current step.
const LONG_PAUSE_MS = 10000;

export class Player {
  static moduleName = 'session-player';

  constructor(root) {
    if (!root.dataset.player) return; // no track built: the page lists the steps only
    const data = JSON.parse(root.dataset.player);
    this.root = root;
    this.data = data;
    this.strings = data.strings;
    this.chapters = data.chapters;
    this.audio = root.querySelector('[data-session-audio]');
    // Play/Pause may appear twice (the carer bar at the top, and the standard controls).
    this.toggleButtons = [...root.querySelectorAll('[data-action=toggle], [data-action=toggle-bar]')];
    this.comeUp = this.chapters.findIndex((c) => c.id === data.come_up);
    this.position = positionStore(data.lang, data.plan);
    this.held = heldTime(data.plan);
    this.lastTick = null;
    this.current = -1;
    this.pausedAt = null;
    this.pendingSeek = null;
    this.lastSaved = 0;
    this.started = false; // the track has played on this page

    preferPlayback(); // the silent switch must not mute the session (iOS Safari 16.4+)
    root.classList.add('ig-session--js');
    this.part('session-controls').hidden = false;
    for (const button of this.toggleButtons) button.hidden = false;
    this.watchStatus();
    this.listenToAudio();
    root.addEventListener('click', (event) => this.onClick(event));
    if (root.classList.contains('ig-session--carer')) document.body.classList.add('ig-body--carer');
    this.keepBarClear(root.querySelector('.ig-session__bar'));
    this.resume();
    if (this.current < 0) this.update(false);
    this.applyHandlers();
  }

  /**
   * The carer's bar is fixed at the top of the screen (CSS): the page starts below it and
   * focus scrolls clear of it, by its height as drawn now (large text makes it taller; the
   * standard view hides it, height 0).
   */
  keepBarClear(bar) {
    if (!bar || typeof ResizeObserver === 'undefined') return;
    const set = () => document.documentElement.style.setProperty('--ig-bar-height', `${bar.offsetHeight}px`);
    new ResizeObserver(set).observe(bar);
    set();
  }

  setToggle(label) {
    for (const button of this.toggleButtons) button.textContent = label;
  }

  /** The element marked `data-<name>` inside the player. */
  part(name) {
    return this.root.querySelector(`[data-${name}]`);
  }

  duration() {
    const { audio } = this;
    return Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : this.data.duration;
  }

  now() {
    return this.pendingSeek !== null ? this.pendingSeek : this.audio.currentTime;
  }

  /** Announce `message`; a visible one also shows under the step. */
  say(message, visible) {
    this.part('session-status').textContent = message;
    if (visible) {
      const notice = this.part('session-notice');
      notice.textContent = message;
      notice.hidden = false;
    }
  }

  /**
   * Play and Pause are said through the status region (a button's new name is not announced).
   * A message put there a moment before (the step Stop went to, a rewind) is kept, after it.
   */
  announceState(state) {
    const status = this.part('session-status');
    const recent = status.textContent && performance.now() - (this.statusAt ?? -1e9) < 1000;
    status.textContent = recent ? `${state} ${status.textContent}` : state;
    this.stateText = status.textContent;
  }

  /** When the status region last changed, for announceState. */
  watchStatus() {
    const status = this.part('session-status');
    if (!status || typeof MutationObserver === 'undefined') return;
    new MutationObserver(() => {
      if (status.textContent !== this.stateText) this.statusAt = performance.now();
    }).observe(status, { childList: true, characterData: true, subtree: true });
  }

  /** Adds the time just played, when it was inside a hold, to this session's time held. */
  countHeld() {
    const t = this.now();
    const last = this.lastTick;
    this.lastTick = t;
    const delta = t - last;
    if (last === null || this.audio.paused || delta <= 0 || delta > 2) return; // a seek, not play
    if (this.chapters[chapterAt(this.chapters, t)]?.kind === 'hold') this.held.add(delta);
  }

  updatePositionState() {
    setPositionState({ duration: this.duration(), playbackRate: this.audio.playbackRate, position: this.now() });
  }

  savePosition(force) {
    const t = this.now();
    if (!force && Math.abs(t - this.lastSaved) < 2) return;
    this.lastSaved = t;
    this.position.save({ chapter: this.chapters[this.current].id, time: t, file: this.data.file });
  }

  /** A new step: mark it in the list, show and announce it, tell the lock screen. */
  showChapter(index, announce) {
    const chapter = this.chapters[index];
    this.root.querySelector('[data-chapter-id][aria-current]')?.removeAttribute('aria-current');
    this.root.querySelector(`[data-chapter-id="${chapter.id}"]`)?.setAttribute('aria-current', 'step');
    this.current = index;
    this.part('step-title').textContent = chapter.title;
    const position = fill(this.strings.step_n_of_m, { n: index + 1, m: this.chapters.length });
    this.part('step-counter').textContent = position;
    if (announce) this.part('session-status').textContent = `${position}: ${chapter.title}`;
    setMetadata({ title: chapter.title, artist: this.data.app, album: this.data.album });
    this.updatePositionState();
    this.savePosition(true);
  }

  update(announce = true) {
    const t = this.now();
    const index = chapterAt(this.chapters, t);
    const chapter = this.chapters[index];
    if (index !== this.current) this.showChapter(index, announce);
    const line = this.part('step-line');
    const spoken = lineAt(chapter, t);
    if (line.textContent !== spoken.text) line.textContent = spoken.text;
    this.part('step-left').textContent = clock(chapter.end - t);
    this.part('time-left').textContent = clock(this.duration() - t);
    this.part('time-elapsed').textContent = clock(t);
    this.savePosition(false);
  }

  seek(t) {
    const { audio } = this;
    const target = Math.min(Math.max(t, 0), this.duration());
    if (audio.readyState >= 1) {
      audio.currentTime = target;
    } else {
      this.pendingSeek = target; // applied once the track's metadata is known
      if (audio.preload === 'none') audio.load();
    }
    this.update();
    this.updatePositionState();
  }

  // After an interruption (a call, a long pause), go back to the start of the step and say
  // which step it is (the step's first sentence names it too).
  rewindAfterLongPause() {
    if (this.pausedAt !== null && Date.now() - this.pausedAt > LONG_PAUSE_MS) {
      const chapter = this.chapters[chapterAt(this.chapters, this.audio.currentTime)];
      this.audio.currentTime = chapter.start;
      this.say(fill(this.strings.resumed_step, { step: chapter.title }), true);
    }
    this.pausedAt = null;
  }

  play() {
    this.rewindAfterLongPause(); // before play(), so not a word of the old position is heard
    const promise = this.audio.play();
    promise?.catch?.((error) => {
      if (error && error.name === 'AbortError') return; // a seek or a new play() replaced it
      this.say(this.strings.play_blocked, true);
    });
  }

  goToChapter(index, andPlay) {
    this.seek(this.chapters[Math.min(Math.max(index, 0), this.chapters.length - 1)].start);
    if (andPlay) this.play();
  }

  /** "Repeat step": back to the start of this step (or the previous one when just begun). */
  repeatStep() {
    this.goToChapter(repeatTarget(this.chapters, this.now()), !this.audio.paused);
  }

  nextStep() {
    this.goToChapter(chapterAt(this.chapters, this.now()) + 1, !this.audio.paused);
  }

  /**
   * Stop means: come up now. Once the session is under way and the come-up has not been
   * reached, always to the come-up instructions, and always speaking (HAZ-13: when in doubt,
   * the come-up is what a person hears, even if they were still setting up). Before it starts
   * (nothing played, still at the start) or once past the come-up, there is nothing to come
   * up from: it only stops the sound (issue 11).
   */
  stopNow() {
    const notStarted = !this.started && this.now() < 0.5;
    const pastComeUp = chapterAt(this.chapters, this.now()) > this.comeUp;
    if (notStarted || pastComeUp) {
      this.audio.pause();
      return;
    }
    if (chapterAt(this.chapters, this.now()) === this.comeUp && !this.audio.paused) return; // already coming up
    this.goToChapter(this.comeUp, true);
  }

  applyHandlers() {
    setActionHandlers({
      play: () => this.play(),
      pause: () => this.audio.pause(),
      previoustrack: () => this.repeatStep(),
      nexttrack: () => this.nextStep(),
      stop: () => this.stopNow(),
      seekto: (details) => this.seek(details.seekTime),
      // iOS shows +/-10 s seek buttons instead of previous/next unless these are null.
      seekbackward: null,
      seekforward: null,
    });
  }

  listenToAudio() {
    const { audio } = this;
    audio.addEventListener('loadedmetadata', () => {
      if (this.pendingSeek !== null) {
        const target = this.pendingSeek;
        this.pendingSeek = null;
        audio.currentTime = target;
      }
      this.updatePositionState();
    });
    audio.addEventListener('timeupdate', () => {
      this.update();
      this.countHeld();
    });
    audio.addEventListener('seeked', () => {
      this.update();
      this.updatePositionState();
    });
    audio.addEventListener('play', () => {
      this.rewindAfterLongPause(); // playback started elsewhere (native controls, the system)
      this.setToggle(this.strings.pause);
      this.announceState(this.strings.playing);
    });
    audio.addEventListener('playing', () => {
      this.started = true;
      Narration.current?.narrator.stop(); // the page's own clip never talks over the track
      this.applyHandlers(); // WebKit drops the handlers when playback (re)starts
      setPlaybackState('playing');
      this.updatePositionState();
    });
    audio.addEventListener('pause', () => {
      if (!audio.ended) this.pausedAt = Date.now();
      if (!audio.ended) this.announceState(this.strings.paused);
      this.setToggle(this.strings.play);
      setPlaybackState('paused');
      this.savePosition(true);
    });
    audio.addEventListener('ended', () => this.onEnded());
  }

  onEnded() {
    this.setToggle(this.strings.play);
    this.position.clear();
    this.say(this.strings.ended, true);
    this.root.querySelector('[data-session-feedback]')?.classList.add('ig-button--primary-next');
  }

  onClick(event) {
    const target = event.target.closest('[data-action]');
    if (!target || !this.root.contains(target)) return;
    const action = target.dataset.action;
    if (action === 'toggle' || action === 'toggle-bar') {
      if (this.audio.paused) this.play();
      else this.audio.pause();
    } else if (action === 'previous') this.repeatStep();
    else if (action === 'next') this.nextStep();
    else if (action === 'stop') {
      event.preventDefault();
      this.stopNow();
    } else if (action === 'layout') {
      event.preventDefault();
      this.switchLayout(target);
    }
  }

  /** Carer and standard layouts are one page: switching never replaces the audio element. */
  switchLayout(link) {
    const S = this.strings;
    const carer = this.root.classList.toggle('ig-session--carer');
    document.body.classList.toggle('ig-body--carer', carer);
    const href = link.dataset.otherHref;
    const text = link.dataset.otherText;
    link.dataset.otherHref = link.getAttribute('href');
    link.dataset.otherText = link.textContent;
    link.setAttribute('href', href);
    link.textContent = text;
    window.history.replaceState(window.history.state, '', link.dataset.otherHref);
    this.part('player-caption').textContent = carer ? S.carer_caption : S.standard_caption;
    document.title = (carer ? S.carer_title : S.standard_title) + S.page_suffix;
  }

  /** A reload (or a return to the page) resumes at the start of the step it was in. */
  resume() {
    const index = this.position.resumeIndex(this.chapters);
    if (index < 0) return;
    this.seek(this.chapters[index].start);
    this.say(fill(this.strings.resume_notice, { step: this.chapters[index].title }), true);
  }
}
