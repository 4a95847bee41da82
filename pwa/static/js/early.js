/*
 * Runs before the first paint (a classic script in <head>, not a module: modules wait for
 * the whole page). It marks <html> so the CSS draws the page's final layout at once (issue
 * 22): `ig-js` shows the parts that need JavaScript (the voice controls, the keys), and
 * `ig-voice-unset` the voice guide's Start screen, only while no voice choice is saved on
 * this device. Nothing is inserted after the page has drawn, so nothing below moves.
 *
 * The key is lib/storage.js's prefs.voice ('ig.voice'); components/narration.js keeps these
 * classes up to date when the choice changes (markVoiceChoice).
 */
(function () {
  'use strict';
  const classes = document.documentElement.classList;
  let voice = null;
  try {
    voice = window.localStorage.getItem('ig.voice');
  } catch (error) {
    // storage blocked: treated as no choice yet, as lib/storage.js does
  }
  classes.add('ig-js');
  classes.add(voice === 'on' || voice === 'off' ? 'ig-voice-chosen' : 'ig-voice-unset');
})();
