/*
 * One spoken clip per page, played by the page's own <audio> element. When the clip is
 * missing or cannot load, the browser's own speech reads the text on the page. The slow
 * clip is used when the Slow voice is on, falling back to the normal one if it will not load.
 */

import { prefs } from './storage.js';

export class Narrator {
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

  /** Whether a clip (not the browser's speech) is what this narrator plays. */
  get hasClip() {
    return Boolean(this.audio && this.normalSrc);
  }

  text() {
    const element = this.root.dataset.textId && document.getElementById(this.root.dataset.textId);
    return element ? element.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  setSources({ normal, slow }) {
    this.normalSrc = normal || null;
    this.slowSrc = slow || null;
    this.slowBroken = false;
    if (this.hasClip) this.syncSource();
  }

  source() {
    return prefs.slow() && this.slowSrc && !this.slowBroken ? this.slowSrc : this.normalSrc;
  }

  syncSource() {
    const wanted = this.source();
    if (wanted && this.audio.getAttribute('src') !== wanted) this.audio.setAttribute('src', wanted);
  }

  get playing() {
    if (this.hasClip) return !this.audio.paused && !this.audio.ended;
    const synth = window.speechSynthesis;
    return Boolean(synth && synth.speaking && !synth.paused);
  }

  /** Play from the start (or resume); resolves true when sound started. */
  async play(fromStart = true) {
    this.wanted = true;
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
    if (!this.hasClip && synth && synth.paused) {
      synth.resume();
      return 'playing';
    }
    this.play(Boolean(this.audio && this.audio.ended));
    return 'playing';
  }

  /** The Slow voice was switched: play the other clip, from the start if it was sounding. */
  changeSpeed() {
    const wasPlaying = this.playing;
    if (this.hasClip) {
      this.audio.pause();
      this.syncSource();
    }
    if (wasPlaying) this.play(true);
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
