/*
 * A page's spoken clips, played one after another by the page's own single <audio> element
 * (one element, so two clips can never sound at once). A page may say several clips in a row
 * ("Question 3 of 24", the question, "Answer yes, no, or not sure"; or the check list, a
 * question then its answer): the narration root's data-playlist lists them, each with the id
 * of its text on the page. Other lists (the "why", an answer's confirmation) play through the
 * same element with playList(). When a clip is missing or cannot load, the browser's own
 * speech reads its text. The slow clip is used when the Slow voice is on, falling back to
 * the normal one if it will not load.
 */

import { pageSignal } from './page-lifetime.js';
import { prefs } from './storage.js';

// Other voices on the page (the session track): while one sounds, the narrator stays quiet.
const otherVoices = new Set();

/**
 * Register `isSounding()` as another voice on this page, until `signal` aborts: one voice at
 * a time, so the voice guide's controls (Repeat, Voice on) never play over it.
 */
export function addOtherVoice(isSounding, signal) {
  otherVoices.add(isSounding);
  signal?.addEventListener('abort', () => otherVoices.delete(isSounding));
}

function anotherVoiceSounds() {
  for (const isSounding of otherVoices) if (isSounding()) return true;
  return false;
}

/** The items of a narration root: data-playlist (JSON) or its one <audio> clip. */
export function playlistOf(root, audio) {
  if (root.dataset.playlist) {
    try {
      const items = JSON.parse(root.dataset.playlist);
      if (Array.isArray(items) && items.length) return items;
    } catch {
      // a broken list: fall back to the one clip
    }
  }
  return [
    {
      normal: audio ? audio.getAttribute('src') : null,
      slow: root.dataset.slowSrc || null,
      text: root.dataset.textId || null,
      normalEnd: Number(root.dataset.end) || null,
      slowEnd: Number(root.dataset.slowEnd) || null,
      main: true,
    },
  ];
}

/**
 * The URL an item plays: its slow clip when the Slow voice is on and that clip has not failed
 * (`broken`), else its normal clip. The next page's clip is buffered by the same choice.
 */
export function sourceOf(item, slow, broken = new Set()) {
  return slow && item.slow && !broken.has(item.slow) ? item.slow : item.normal;
}

/** The text said by a clip: its element's, or several elements' ("gate-text clinician-question"). */
function textOf(ids) {
  return (ids || '')
    .split(/\s+/)
    .map((id) => document.getElementById(id))
    .filter(Boolean)
    .map((element) => element.textContent.replace(/\s+/g, ' ').trim())
    .join(' ');
}

/**
 * Where the words of `item`'s clip at `src` end, in seconds, or null for the clip's own end.
 * A sealed clip (speech.sealed_groups) is padded with silence to its group's length, so its
 * size tells nothing; the page gives the length said, and the voice stops there instead of
 * playing up to a minute of silence. Pages give it only for a list's last clip, so no fetch
 * ever follows sooner for a shorter clip.
 */
export function spokenEndOf(item, src) {
  const end = src && src === item.slow ? item.slowEnd : item.normalEnd;
  return typeof end === 'number' && end > 0 ? end : null;
}

export class Narrator {
  constructor(root) {
    this.root = root;
    this.audio = root.querySelector('audio');
    this.main = playlistOf(root, this.audio);
    this.queue = this.main;
    this.index = 0;
    this.slowBroken = new Set();
    this.wanted = false; // the user wants sound now (so an error falls back to speech)
    this.finished = null; // resolves the promise of the list being played
    this.spokenEnded = false; // a sealed clip stopped where its words end (stopAtSpokenEnd)
    this.onBlocked = () => {};
    if (this.audio) {
      // The element may be the one carried from page to page (lib/page-swap.js): this
      // narrator's listeners end with its page.
      const signal = pageSignal();
      this.audio.addEventListener('error', () => this.recover(), { signal });
      this.audio.addEventListener('ended', () => this.next(), { signal });
      this.audio.addEventListener('timeupdate', () => this.stopAtSpokenEnd(), { signal });
    }
  }

  get item() {
    return this.queue[this.index] || this.queue[0];
  }

  /** Whether a clip (not the browser's speech) is what this narrator plays now. */
  get hasClip() {
    return Boolean(this.audio && this.item && this.item.normal);
  }

  /** The text of the page's main list, as the browser's speech would read it. */
  text() {
    return this.main
      .map((item) => textOf(item.text))
      .filter(Boolean)
      .join(' ');
  }

  /** New clips for the main item (the question asked of the other person, offline). */
  setSources({ normal, slow }) {
    const item = this.main.find((i) => i.main) || this.main[0];
    item.normal = normal || null;
    item.slow = slow || null;
    this.slowBroken.clear();
    if (this.queue === this.main && this.item === item && this.hasClip) this.syncSource();
  }

  source(item = this.item) {
    return sourceOf(item, prefs.slow(), this.slowBroken);
  }

  syncSource() {
    const wanted = this.source();
    if (wanted && this.audio.getAttribute('src') !== wanted) this.audio.setAttribute('src', wanted);
  }

  get playing() {
    if (this.audio && !this.audio.paused && !this.audio.ended) return true;
    const synth = window.speechSynthesis;
    return Boolean(synth && synth.speaking && !synth.paused);
  }

  /** Play the page's own clips from the start (or resume); resolves true when sound started. */
  async play(fromStart = true) {
    if (fromStart || this.queue !== this.main) {
      this.settle(false);
      this.queue = this.main;
      this.index = 0;
    }
    return this.playItem(fromStart);
  }

  /**
   * Play other clips ([{normal, slow, text}]) in place of the page's own; resolves once they
   * have all been said (true), or when something else stops or replaces them (false).
   */
  playList(items) {
    this.settle(false);
    this.queue = items;
    this.index = 0;
    const done = new Promise((resolve) => {
      this.finished = resolve;
    });
    this.playItem(true).then((started) => {
      if (!started && !(window.speechSynthesis && window.speechSynthesis.speaking)) this.settle(false);
    });
    return done;
  }

  settle(value) {
    const finish = this.finished;
    this.finished = null;
    if (finish) finish(value);
  }

  async playItem(fromStart) {
    if (anotherVoiceSounds()) return false; // one voice at a time: the track is speaking
    this.wanted = true;
    this.spokenEnded = false;
    if (!this.hasClip) return this.speak();
    this.syncSource();
    if (fromStart) {
      try {
        this.audio.currentTime = 0;
      } catch {
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

  /** A sealed clip's words are said: the rest is padding, so it ends here. */
  stopAtSpokenEnd() {
    if (!this.wanted || this.audio.paused) return;
    const end = spokenEndOf(this.item, this.audio.getAttribute('src'));
    if (end === null || this.audio.currentTime < end) return;
    this.audio.pause();
    this.spokenEnded = true;
    this.next();
  }

  /** A clip ended: the next one in the list, or the list is done. */
  next() {
    if (!this.wanted) return;
    if (this.index + 1 < this.queue.length) {
      this.index += 1;
      this.playItem(true);
    } else {
      this.settle(true);
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
    this.settle(false);
  }

  /** Space: pause when sounding, otherwise play (resume, or from the start when ended). */
  toggle() {
    if (this.playing) {
      this.pause();
      return 'paused';
    }
    const synth = window.speechSynthesis;
    if (!this.hasClip && synth && synth.paused) {
      synth.resume();
      return 'playing';
    }
    const ended = this.audio && (this.audio.ended || this.spokenEnded);
    const atEnd = Boolean(ended && this.index + 1 >= this.queue.length);
    if (atEnd || this.queue !== this.main) this.play(true);
    else this.playItem(false);
    return 'playing';
  }

  /** The Slow voice was switched: play the other clip, from the start if it was sounding. */
  changeSpeed() {
    const wasPlaying = this.playing;
    if (this.hasClip) {
      this.audio.pause();
      this.syncSource();
    }
    if (wasPlaying) this.playItem(true);
  }

  /**
   * The browser's own voice for an item without a clip. With no <audio> element at all, the
   * rest of the list is read as one utterance (speech has no reliable `end` everywhere).
   */
  speak() {
    if (anotherVoiceSounds()) return false;
    const synth = window.speechSynthesis;
    const rest = this.audio ? [this.item] : this.queue.slice(this.index);
    const text = rest
      .map((item) => textOf(item.text))
      .filter(Boolean)
      .join(' ');
    if (!synth || !text || typeof window.SpeechSynthesisUtterance !== 'function') {
      if (this.audio) window.setTimeout(() => this.next(), 0);
      return false;
    }
    synth.cancel();
    const utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = document.documentElement.lang || 'en';
    utterance.rate = prefs.slow() ? 0.75 : 1;
    utterance.onend = () => {
      if (this.audio) this.next();
      else this.settle(true);
    };
    synth.speak(utterance);
    return true;
  }

  /** A clip failed to load: a missing slow clip falls back to normal, then to speech. */
  recover() {
    const item = this.item;
    const current = this.audio.getAttribute('src');
    if (current && current === item.slow && item.normal && current !== item.normal) {
      this.slowBroken.add(item.slow);
      this.audio.setAttribute('src', item.normal);
      if (this.wanted) this.audio.play().catch(() => {});
      return;
    }
    if (this.wanted) this.speak();
  }
}
