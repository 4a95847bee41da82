/*
 * Show a page fetched from the server in place of this one, as if the browser had loaded it
 * (issue 22: one document, so the voice the user started keeps talking in browsers that only
 * play after a tap): its body, title, language and stylesheets, its address in the history,
 * scrolled to the top (or back where it was, on Back and Forward), focus on its h1 (or back
 * on the control that left it), and its components started by startAll as on any page. The
 * old page's listeners end with it (lib/page-lifetime.js), and whatever it played stops.
 *
 * ONE audio element speaks every page: the narration element of the first page is carried
 * into each new page in place of that page's own (its attributes copied over, so the native
 * control, its label and its clip are the new page's). WebKit, and Chromium asked to need a
 * gesture, let an element that played after a tap play again with a new src; a new element
 * would wait for another tap. The session player's track keeps its own element (one track,
 * one element, never replaced while the player page is shown: DESIGN.md).
 */

import { COMPONENTS } from '../components/index.js';
import { startAll } from './components.js';
import { hasMediaSession, setActionHandlers } from './media-session.js';
import { endPage } from './page-lifetime.js';
import { focusHeading, pageHeading, restoreFocus } from './page-focus.js';

const VOICE_AUDIO = '[data-module="narration"] audio';
const STATUS = '[data-ig-status]';
const MEDIA_ACTIONS = ['play', 'pause', 'stop', 'previoustrack', 'nexttrack', 'seekto', 'seekbackward', 'seekforward'];

let voiceElement = null; // the one narration <audio>, carried from page to page
const shownListeners = [];

/** Call `listener()` after each page shown in place, once its components have started. */
export function onPageShown(listener) {
  shownListeners.push(listener);
}

/**
 * `doc` (a parsed page of this app) becomes the page at `url`. `how`: 'push' (a new history
 * entry with `state`), 'replace' (this entry, with `state`), or 'pop' (Back or Forward came
 * to this entry: `place`, when known, is where the reader was, { scroll, focus }).
 */
export async function showPage({ url, doc, how = 'push', state = null, place = null }) {
  leaveThisPage();
  const body = document.adoptNode(doc.body); // its scripts were parsed inert; app.js runs
  body.classList.add('js-enabled');
  carryVoiceInto(body);
  carryStatusInto(body);
  syncDocument(doc);
  if (how === 'push') window.history.pushState(state, '', url);
  else if (how === 'replace') window.history.replaceState(state, '', url);
  window.history.scrollRestoration = 'manual'; // this script puts the scroll back (pop)
  document.body.replaceWith(body);
  window.scrollTo(0, 0);
  focusHeading(); // the page's name is said, and Tab goes on from its heading
  await startAll(COMPONENTS, document);
  if (how === 'pop' && place) {
    // Once its components have started: the control that left the page may be one of theirs.
    window.scrollTo(0, place.scroll || 0);
    if (document.activeElement === pageHeading()) restoreFocus(place.focus);
  }
  for (const listener of shownListeners) listener();
}

/** The old page ends: its listeners, every sound it makes, and its lock-screen controls. */
function leaveThisPage() {
  voiceElement ??= document.querySelector(VOICE_AUDIO);
  endPage(); // narration stops its clip; components drop their document and window listeners
  for (const media of document.body.querySelectorAll('audio, video')) {
    if (media !== voiceElement) media.pause(); // the session track, when the page had one
  }
  if (window.speechSynthesis) window.speechSynthesis.cancel();
  if (hasMediaSession()) {
    // A page loaded anew starts with none; the new page's components set their own.
    setActionHandlers(Object.fromEntries(MEDIA_ACTIONS.map((action) => [action, null])));
    navigator.mediaSession.metadata = null;
  }
}

/** Put the one narration element in place of the new page's own, with its attributes. */
function carryVoiceInto(body) {
  const incoming = body.querySelector(VOICE_AUDIO);
  if (!incoming) return; // a page with no clip: the element waits, detached, for the next one
  if (!voiceElement) {
    voiceElement = incoming;
    return;
  }
  voiceElement.pause();
  for (const { name } of [...voiceElement.attributes]) {
    if (!incoming.hasAttribute(name)) voiceElement.removeAttribute(name);
  }
  for (const { name, value } of incoming.attributes) {
    if (voiceElement.getAttribute(name) !== value) voiceElement.setAttribute(name, value);
  }
  incoming.replaceWith(voiceElement);
}

/**
 * Keep the one polite status region (base.html) too, emptied: a live region already in the
 * page is announced when its text changes, where one inserted with its text may be missed.
 */
function carryStatusInto(body) {
  const region = document.querySelector(STATUS);
  const incoming = body.querySelector(STATUS);
  if (!region || !incoming) return;
  region.textContent = '';
  incoming.replaceWith(region);
}

/** The document's parts outside <body> that differ between pages. */
function syncDocument(doc) {
  document.title = doc.title;
  const html = document.documentElement;
  for (const name of ['lang', 'dir']) {
    const value = doc.documentElement.getAttribute(name);
    if (value) html.setAttribute(name, value);
  }
  const description = doc.querySelector('meta[name="description"]');
  document.querySelector('meta[name="description"]')?.setAttribute('content', description?.content || '');
  // Stylesheets: the page's own (the summary's print sheet) come and go with it.
  const wanted = [...doc.head.querySelectorAll('link[rel="stylesheet"]')];
  const have = [...document.head.querySelectorAll('link[rel="stylesheet"]')];
  for (const link of have) {
    if (!wanted.some((w) => w.href === link.href && w.media === link.media)) link.remove();
  }
  for (const link of wanted) {
    if (!have.some((h) => h.href === link.href && h.media === link.media)) document.head.append(document.adoptNode(link));
  }
}
