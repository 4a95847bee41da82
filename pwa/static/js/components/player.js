/*
 * data-module="session-player": a guided session is ONE pre-rendered track in ONE <audio>
 * element that is never replaced, moved by seeking between chapters (one per step). Mobile
 * browsers freeze timers with the screen off, but a playing <audio> keeps playing, so the
 * page only follows the track: current step as large text, time left, and the Media Session
 * (lock screen, headset) with play, pause, previous = repeat step, next, stop = come up now.
 *
 * Reads: data-player (JSON: plan, lang, file, duration, come_up, app, album, chapters and
 * strings); without it no track was built and the page lists the steps only.
 *
 * Time head-down never grows (decision 15): every move of the track (play after a pause,
 * Repeat step, previous, next, seeks from the lock screen or the native controls, a reload)
 * goes through lib/hold-clock.js, the one place the rule lives: a hold's clock runs while
 * the track is paused in it, and nothing plays part of a hold again.
 *
 * Stop, from any route (the page's button, the keyboard, the lock screen, a notification or
 * a headset; the page visible, hidden or just resumed from frozen) ends with the come-up
 * spoken from its first word. Chromium runs the page's "stop" handler and then goes on
 * stopping its media session: it pauses the element, so a play() made inside the handler is
 * rejected (AbortError) and the OS shows "Stopped" with no title (measured over MPRIS,
 * ../shared/DESIGN.md "Platform facts, third pass"); WebKit leaves the element alone. So a
 * Stop does not trust its first play(): for STOP_WATCH_MS it watches (see watchStop) and,
 * whenever the track is not sounding at the come-up (a rejected play(), the browser's own
 * pause, a position moved elsewhere), puts it back at the come-up's first word and plays
 * again, on the next turn of the event loop (a MessageChannel message, which background
 * pages do not throttle) and on timers as a backstop; once it plays, the metadata, playback
 * state and handlers are set again, since the browser's stop cleared them on its side. The
 * page's own Pause ends the watch: a person who pauses on purpose is obeyed.
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
import { HOLD, HoldClock } from '../lib/hold-clock.js';
import { addOtherVoice } from '../lib/narrator.js';
import { pageSignal } from '../lib/page-lifetime.js';
import { Narration } from './narration.js';

// A pause longer than this (a call, a long break) outside a hold resumes at the start of the
// current step; in a hold, the hold clock decides (lib/hold-clock.js).
const LONG_PAUSE_MS = 10000;
// How long after a Stop the player keeps the come-up sounding against the browser's own stop.
const STOP_WATCH_MS = 4000;
// Re-checks after a Stop, in ms: backstops for the events (timers may be late in background).
const STOP_CHECKS_MS = [120, 300, 700, 1500, 2500, 3900];
// At most this many tries to start the come-up again after one Stop.
const STOP_TRIES = 12;
// A move the hold clock asks for smaller than this is not worth a seek (or a word).
const HOLD_SLACK = 0.25;

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
    this.lastPos = 0; // where the track was last seen (the "from" of a seek)
    this.pauseAsked = false; // the next 'pause' event is one the page asked for
    this.stopWatch = null; // { target, until, tries } while a Stop is being made to sound
    this.userPaused = false; // the track is paused because the person asked
    const saved = this.position.saved();
    this.clock = new HoldClock(this.chapters, { saved: saved && saved.holds ? saved.holds : null });

    preferPlayback(); // the silent switch must not mute the session (iOS Safari 16.4+)
    root.classList.add('ig-session--js');
    this.part('session-controls').hidden = false;
    for (const button of this.toggleButtons) button.hidden = false;
    this.listenToAudio();
    this.listenToLifecycle();
    // One voice at a time: the voice guide stays quiet while the track sounds.
    addOtherVoice(() => !this.audio.paused && !this.audio.ended, pageSignal());
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
    const set = () => {
      document.documentElement.style.setProperty('--ig-bar-height', `${bar.offsetHeight}px`);
      document.documentElement.classList.add('ig-bar-measured'); // the page shows below it (CSS)
    };
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
  /** Puts `message` in the status region, noting when (announceState keeps a recent one). */
  setStatus(message) {
    this.part('session-status').textContent = message;
    this.statusAt = performance.now();
  }

  say(message, visible) {
    this.setStatus(message);
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
    const chapter = this.chapters[this.current >= 0 ? this.current : chapterAt(this.chapters, t)];
    this.position.save({ chapter: chapter.id, time: t, file: this.data.file, holds: this.clock.snapshot(t) });
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
    if (announce) this.setStatus(`${position}: ${chapter.title}`);
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

  /** Move the track to `t`, or to where the hold clock allows (lib/hold-clock.js). */
  seek(t) {
    const { audio } = this;
    const target = this.clock.place(this.now(), Math.min(Math.max(t, 0), this.duration()));
    this.clock.observe(target);
    this.lastTick = null; // a move, not time played
    this.lastPos = target;
    if (audio.readyState >= 1) {
      audio.currentTime = target;
    } else {
      this.pendingSeek = target; // applied once the track's metadata is known
      if (audio.preload === 'none') audio.load();
    }
    this.update();
    this.updatePositionState();
  }

  /**
   * The track is about to sound again, by whatever route (the page, the lock screen, the
   * browser resuming it). In a hold, the hold clock says where it has got to meanwhile
   * (rule 1 of lib/hold-clock.js), and the page says so; elsewhere, after an interruption
   * (a call, a long pause) it goes back to the start of the step and says which step it is.
   */
  beforePlay() {
    const from = this.now();
    const { time, waited, ended, hold } = this.clock.resume(from);
    if (waited > 0) this.held.add(waited); // head down while paused: time held
    if (time > from + HOLD_SLACK) {
      this.seek(time);
      const next = this.chapters[chapterAt(this.chapters, time)];
      this.say(ended ? fill(this.strings.hold_over, { step: next.title }) : this.strings.hold_went_on, true);
    } else if (!hold && this.pausedAt !== null && Date.now() - this.pausedAt > LONG_PAUSE_MS) {
      const chapter = this.chapters[chapterAt(this.chapters, from)];
      if (chapter.kind !== HOLD) {
        this.seek(chapter.start);
        this.say(fill(this.strings.resumed_step, { step: chapter.title }), true);
      }
    }
    this.pausedAt = null;
  }

  play() {
    this.beforePlay(); // before play(), so not a word of the old position is heard
    this.startAudio();
  }

  /** audio.play(), saying so when the browser refuses (a Stop being watched retries instead). */
  startAudio() {
    const promise = this.audio.play();
    promise?.catch?.((error) => {
      if (this.stopWatch) {
        this.soon(() => this.keepComingUp(this.stopWatch));
        return;
      }
      if (error && error.name === 'AbortError') return; // a seek or a new play() replaced it
      this.say(this.strings.play_blocked, true);
    });
  }

  /** Pause because the person asked (the page, the lock screen, a headset). */
  pauseOnRequest() {
    this.stopWatch = null; // a pause on purpose is obeyed, even just after a Stop
    this.userPaused = true;
    if (this.audio.paused) return;
    this.pauseAsked = true;
    this.audio.pause();
  }

  goToChapter(index, andPlay) {
    this.seek(this.chapters[Math.min(Math.max(index, 0), this.chapters.length - 1)].start);
    if (andPlay) this.play();
  }

  /**
   * "Repeat step": back to the start of this step (or the previous one when just begun). In a
   * hold the hold clock keeps it where the hold has got to, and the page says why.
   */
  repeatStep() {
    const from = this.now();
    const wanted = this.chapters[repeatTarget(this.chapters, from)].start;
    const inHold = this.clock.holdAt(from);
    this.goToChapter(repeatTarget(this.chapters, from), !this.audio.paused);
    if (inHold && wanted < from && this.now() >= from - HOLD_SLACK) this.say(this.strings.hold_no_repeat, true);
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
      this.pauseOnRequest();
      return;
    }
    const comeUp = this.chapters[this.comeUp];
    const coming = chapterAt(this.chapters, this.now()) === this.comeUp && !this.audio.paused;
    // Already coming up and sounding: go on from here (the browser may still pause it).
    const target = coming ? this.now() : comeUp.start;
    // A pause running in a hold ends here: its time counts as held (lib/hold-clock.js).
    const { waited } = this.clock.resume(this.now());
    if (waited > 0) this.held.add(waited);
    this.pausedAt = null;
    this.userPaused = false;
    this.watchStop(target);
    if (!coming) this.goToChapter(this.comeUp, false);
    this.startAudio();
  }

  /** Run `fn` on the next turn of the event loop (not throttled in background pages). */
  soon(fn) {
    if (typeof MessageChannel === 'undefined') {
      setTimeout(fn, 0);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      fn();
    };
    channel.port2.postMessage(null);
  }

  /** Keep the come-up sounding for a while after a Stop (see the docstring at the top). */
  watchStop(target) {
    const watch = { target, until: performance.now() + STOP_WATCH_MS, tries: 0 };
    this.stopWatch = watch;
    this.soon(() => this.keepComingUp(watch));
    for (const ms of STOP_CHECKS_MS) setTimeout(() => this.keepComingUp(watch), ms);
  }

  keepComingUp(watch) {
    if (!watch || this.stopWatch !== watch) return;
    if (performance.now() > watch.until) {
      this.stopWatch = null;
      return;
    }
    const { audio } = this;
    const t = audio.currentTime;
    const atComeUp = t >= watch.target - 0.1 && t < watch.target + 1.5;
    const inComeUp = chapterAt(this.chapters, t) === this.comeUp;
    if (!audio.paused && inComeUp) {
      this.sayPlaying(); // the browser's stop cleared what the OS shows: set it again
      return;
    }
    if (watch.tries >= STOP_TRIES) return;
    watch.tries += 1;
    if (!atComeUp) this.seek(watch.target); // from its first word again
    this.startAudio();
  }

  /** Tell the OS what is playing (title, state, position, handlers), as after any play. */
  sayPlaying() {
    const chapter = this.chapters[chapterAt(this.chapters, this.audio.currentTime)];
    setMetadata({ title: chapter.title, artist: this.data.app, album: this.data.album });
    this.applyHandlers();
    setPlaybackState('playing');
    this.updatePositionState();
  }

  applyHandlers() {
    setActionHandlers({
      play: () => this.play(),
      pause: () => this.pauseOnRequest(),
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
      this.keepToTheHolds(this.lastPos);
      this.update();
      this.countHeld();
    });
    // Any seek, whoever made it (the native controls, the lock screen's scrubber): never back
    // into a hold's past (lib/hold-clock.js).
    audio.addEventListener('seeking', () => {
      this.lastTick = null;
      this.keepToTheHolds(this.lastPos);
    });
    audio.addEventListener('seeked', () => {
      this.update();
      this.updatePositionState();
    });
    audio.addEventListener('play', () => {
      this.beforePlay(); // playback started elsewhere (native controls, the system)
      this.setToggle(this.strings.pause);
      this.announceState(this.strings.playing);
    });
    audio.addEventListener('playing', () => {
      this.started = true;
      this.userPaused = false;
      Narration.current?.narrator.stop(); // the page's own clip never talks over the track
      this.sayPlaying(); // WebKit drops the handlers when playback (re)starts
    });
    audio.addEventListener('pause', () => this.onPause());
    audio.addEventListener('ended', () => this.onEnded());
  }

  /** Where the track is now, moved on when the hold clock says so (a seek back, a replay). */
  keepToTheHolds(from) {
    const { audio } = this;
    if (this.pendingSeek !== null || audio.readyState < 1) return;
    const t = audio.currentTime;
    const placed = this.clock.place(from, t);
    if (placed > t + HOLD_SLACK) {
      this.lastTick = null;
      audio.currentTime = placed;
    }
    this.clock.observe(placed);
    this.lastPos = placed;
  }

  onPause() {
    const { audio } = this;
    const asked = this.pauseAsked;
    this.pauseAsked = false;
    if (!audio.paused) return; // a late event: the track already sounds again
    this.clock.paused(audio.currentTime);
    if (!audio.ended) this.pausedAt = Date.now();
    this.setToggle(this.strings.play);
    setPlaybackState('paused');
    this.savePosition(true);
    if (audio.ended || this.stopWatch) {
      if (this.stopWatch) this.soon(() => this.keepComingUp(this.stopWatch)); // the browser's stop
      return;
    }
    // Paused by something other than the person (the browser freezing the page, a call
    // taking the audio, the native controls): never silent without a word.
    if (!asked && !this.userPaused) this.say(this.strings.paused_notice, true);
    else this.announceState(this.strings.paused); // the person's own pause, said
  }

  /**
   * A page the browser froze (Page Lifecycle) has its track paused, and the track stays paused
   * when the page resumes. On resume the player plays on (by the hold clock's rule) unless the
   * person had paused it; when the browser refuses, the notice already says to press play.
   * The order of 'freeze', 'pause' and 'resume' differs between browsers, so this asks only
   * whether the track is paused now and whether the person asked for that.
   */
  listenToLifecycle() {
    const signal = pageSignal();
    const keep = () => this.savePosition(true);
    document.addEventListener('freeze', keep, { signal });
    window.addEventListener('pagehide', keep, { signal });
    document.addEventListener(
      'resume',
      () => {
        const { audio } = this;
        if (!this.started || !audio.paused || audio.ended || this.userPaused) return;
        this.say(this.strings.paused_notice, true); // replaced by the hold's news, if any
        this.play();
      },
      { signal },
    );
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
      else this.pauseOnRequest();
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

  /**
   * A reload (or a return to the page) resumes at the start of the step it was in; in a hold,
   * where the hold has got to since the position was saved (rule 4 of lib/hold-clock.js).
   */
  resume() {
    const index = this.position.resumeIndex(this.chapters);
    if (index < 0) return;
    const chapter = this.chapters[index];
    const saved = this.position.saved();
    let target = chapter.start;
    if (chapter.kind === HOLD && saved && Number.isFinite(saved.time)) {
      target = Math.min(Math.max(saved.time, chapter.start), chapter.end);
      if (!saved.holds) this.clock.load({ pause: { id: chapter.id, at: saved.savedAt } }); // an older save
      this.clock.observe(target);
    }
    this.seek(target);
    const now = this.chapters[chapterAt(this.chapters, this.now())];
    const S = this.strings;
    if (chapter.kind !== HOLD) this.say(fill(S.resume_notice, { step: chapter.title }), true);
    else if (now !== chapter) this.say(`${fill(S.hold_over, { step: now.title })} ${S.arrival}`, true);
    else if (this.now() > target + HOLD_SLACK) this.say(`${S.hold_went_on} ${fill(S.resume_notice, { step: now.title })}`, true);
    else this.say(fill(S.resume_notice, { step: chapter.title }), true);
  }
}
