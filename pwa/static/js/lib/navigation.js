/*
 * One voice for the whole journey (issue 22). Browsers that play sound only after a tap
 * (WebKit, Firefox) start every page reached by a link or a form silent: the tap on Start
 * counts for its own document only. So while the voice is on, every same-origin navigation
 * stays in this document: a link is fetched, a form is sent by fetch (the same method and
 * body; the redirect is followed and its final URL becomes the address), Back and Forward
 * fetch the page of that entry, and each is shown in place (lib/page-swap.js), spoken by the
 * one audio element the user's tap unlocked.
 *
 * The browser's own navigation stays the fallback, and works as before: with JavaScript or
 * the voice off, for a new tab or window, a download, another origin, a link to a fragment of
 * another page, a response that is not one of this app's pages (another version of the app
 * included: its scripts would not match), and when the network fails (then the service worker
 * answers offline, as for any navigation). A page the server answers with an error status is
 * shown in place, as the browser would show it; a form is never sent twice.
 *
 * An answer sent in the background (lib/answer-queue.js) is saved before anything else
 * reaches the server, as with an ordinary form.
 */

import { holdForm, submitFields, whenSent } from './answer-queue.js';
import { addressOf, withoutModifiers } from './dom.js';
import { focusPlace } from './page-focus.js';
import { onPageShown, showPage } from './page-swap.js';
import { prefs } from './storage.js';

const QUESTION_FORM = 'form[data-module="question"]';

let latest = 0; // the navigation asked for last: one that was overtaken is dropped
let shownAddress = addressOf(window.location.href); // the page the body holds
let entryKey = null; // the key of the history entry shown now
const places = new Map(); // entry key -> { scroll, focus } when it was left
let answerPath = null; // lib/prefetch.js, on question pages: the next question ready

/** Start: links, forms and Back/Forward go in place while the voice is on. */
export function watchNavigation() {
  entryKey = window.history.state?.igKey || newKey();
  window.history.replaceState({ ...(window.history.state || {}), igKey: entryKey }, '');
  document.addEventListener('click', onClick); // bubbling: components that take a click first
  document.addEventListener('submit', onSubmit);
  window.addEventListener('popstate', onPopState);
  onPageShown(watchQuestions);
  watchQuestions();
}

function newKey() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function inPlace() {
  return prefs.voice() === 'on';
}

/**
 * On a question page, the next question is fetched while this one speaks, and an answer shows
 * it at once (lib/prefetch.js), before the general way below.
 */
function watchQuestions() {
  if (!document.querySelector(QUESTION_FORM)) return;
  import('./prefetch.js')
    .then((prefetch) => {
      answerPath = prefetch.takeAnswer;
      prefetch.armNextQuestion();
    })
    .catch((error) => console.error('Inversion Guide: prefetch', error));
}

function onClick(event) {
  if (event.defaultPrevented || event.button !== 0 || !withoutModifiers(event) || event.shiftKey) return;
  const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!(link instanceof HTMLAnchorElement) || !inPlace()) return;
  if ((link.target && link.target !== '_self') || link.hasAttribute('download')) return;
  const url = new URL(link.href);
  if (url.origin !== window.location.origin || url.hash) return; // the browser's own way
  if (addressOf(url.href) === shownAddress) return; // this page again: the browser reloads it
  event.preventDefault();
  go(url.href, { method: 'GET' }, () => window.location.assign(url.href));
}

function onSubmit(event) {
  if (event.defaultPrevented) return;
  const ready = answerPath && answerPath(event);
  if (ready) {
    show(ready.url, ready.doc, 'push');
    return;
  }
  const form = event.target;
  const submitter = event.submitter;
  const method = (submitter?.getAttribute('formmethod') || form.getAttribute('method') || 'get').toLowerCase();
  const action = submitter?.hasAttribute('formaction') ? submitter.formAction : form.action;
  const target = submitter?.getAttribute('formtarget') || form.getAttribute('target');
  const url = new URL(action, window.location.href);
  const ordinary = !inPlace() || (target && target !== '_self') || !['get', 'post'].includes(method);
  if (ordinary || url.origin !== window.location.origin) {
    holdForm(event); // the browser's way, once any answer on its way is saved
    return;
  }
  event.preventDefault();
  const fields = new FormData(form, submitter);
  if (method === 'get') {
    url.search = new URLSearchParams(fields).toString();
    url.hash = '';
    go(url.href, { method: 'GET' }, () => window.location.assign(url.href));
    return;
  }
  const multipart = (form.getAttribute('enctype') || '').toLowerCase() === 'multipart/form-data';
  const body = multipart ? fields : new URLSearchParams(fields);
  go(url.href, { method: 'POST', body }, () => submitFields(url.href, fields, 'post'));
}

function onPopState(event) {
  if (addressOf(window.location.href) === shownAddress) return; // a fragment (the skip link)
  remember(); // the page being left, for Forward (or Back) to it later
  const state = event.state || {};
  entryKey = state.igKey || newKey();
  if (!state.igKey) window.history.replaceState({ ...state, igKey: entryKey }, '');
  if (!inPlace()) {
    whenSent().then(() => window.location.reload()); // the voice was turned off meanwhile
    return;
  }
  go(window.location.href, { method: 'GET' }, () => window.location.reload(), 'pop');
}

/** Where the reader is on the page shown now, kept for its history entry. */
function remember() {
  if (entryKey) places.set(entryKey, { scroll: window.scrollY, focus: focusPlace() });
}

/**
 * Fetch `url` (`init`: method and body) once every answer on its way is saved, and show the
 * page it answers with; `fallback()` is the browser's own way, for when that cannot be done.
 */
async function go(url, init, fallback, how = 'push') {
  const ticket = ++latest;
  let response;
  try {
    await whenSent();
    response = await fetch(url, { ...init, credentials: 'same-origin', headers: { Accept: 'text/html' } });
  } catch {
    if (ticket === latest) fallback(); // no network: the service worker answers navigations
    return;
  }
  if (ticket !== latest) return;
  const doc = await pageOf(response);
  if (ticket !== latest) return;
  if (doc) show(response.url, doc, how);
  else if (init.method === 'GET' || response.redirected) window.location.assign(response.url);
  else fallback(); // a POST answered with something else than a page: the browser shows it
}

/** The response as a parsed page of this app (the same app script), or null. */
async function pageOf(response) {
  const type = response.headers.get('content-type') || '';
  if (!type.startsWith('text/html') || new URL(response.url).origin !== window.location.origin) return null;
  try {
    const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
    const script = (d) => d.querySelector('script[type="module"][src]')?.getAttribute('src');
    return doc.body && script(doc) && script(doc) === script(document) ? doc : null;
  } catch {
    return null;
  }
}

async function show(url, doc, how) {
  const place = how === 'pop' ? places.get(entryKey) : null;
  if (how !== 'pop') {
    remember();
    entryKey = newKey();
  }
  // The same page again (a form that comes back to it) takes the same history entry.
  const shown = how === 'push' && addressOf(url) === shownAddress ? 'replace' : how;
  shownAddress = addressOf(url);
  try {
    await showPage({ url, doc, how: shown, state: { igKey: entryKey }, place });
  } catch (error) {
    console.error('Inversion Guide: page shown in place', error);
    window.location.assign(url);
  }
}
