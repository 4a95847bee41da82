/*
 * Sound at once after an answer (JavaScript and the voice on). While a question's clip plays,
 * the next question's page is fetched (with cookies: the very page the browser would load
 * after the answer) and its clip is buffered in an <audio> element. When an answer is sent,
 * the next question is shown at once and its narration plays from that buffer, while the
 * answer goes to the server in the background: the same POST, body and cookie the form sends.
 *
 * Nothing else changes: the address bar and history get the URL the form's redirect would
 * give (Back reloads the previous question from the server, as it would), focus starts at
 * the top of the new page, and without JavaScript, offline, or when anything differs from
 * what was expected (another redirect, an error, no network), the browser goes on the
 * ordinary way. Answers are sent one at a time, in order, so the cookie always holds them all.
 */

import { COMPONENTS } from '../components/index.js';
import { Narration } from '../components/narration.js';
import { Question } from '../components/question.js';
import { createAllOf } from './components.js';
import { pageLang } from './dom.js';
import { answers, firstUnanswered, loadRules } from './screening.js';
import { prefs } from './storage.js';

const NARRATION_AUDIO = '[data-module="narration"] audio';

let started = []; // the components running on the page shown now
let ready = null; // { form, url, doc, audio }: the next question, fetched and buffered
let sending = Promise.resolve(); // the answer on its way to the server
let swapped = false;
let swapping = true;

/**
 * Start watching: `components` are the instances createAll started on this page. With
 * `swap: false` the next page and its clip are only fetched ahead (warm caches), and the
 * answer goes the ordinary way.
 */
export function watchNextQuestion(components, { swap = true } = {}) {
  started = components;
  swapping = swap;
  document.addEventListener('submit', onSubmit); // bubbling: after every other listener
  window.addEventListener('popstate', () => {
    // Only entries this module made: Back shows the server's page, as without it.
    if (swapped) window.location.reload();
  });
  arm();
}

/** On a question page, get the next one ready once this one's clip starts playing. */
function arm() {
  ready = null;
  const form = document.querySelector('form[data-module="question"]');
  const audio = document.querySelector(NARRATION_AUDIO);
  if (!form || !audio || !form.dataset.rulesUrl || form.querySelector('input[name="return"]')) return;
  audio.addEventListener('playing', () => prepare(form), { once: true });
}

async function prepare(form) {
  try {
    await sending; // the page must reflect every answer given so far
    const rules = await loadRules(form.dataset.rulesUrl);
    const id = form.dataset.questionId;
    // The server's rule (screening/views.py): the next unanswered question after this one,
    // else the first unanswered; whichever answer is given.
    const given = { ...answers.read(pageLang()), [id]: 'no' };
    const after = rules.questions.slice(rules.questions.findIndex((q) => q.id === id) + 1);
    const next = firstUnanswered(after, given) || firstUnanswered(rules.questions, given);
    if (!next || !form.isConnected) return;
    const response = await fetch(next.url, { credentials: 'same-origin' });
    if (!response.ok || response.redirected) return;
    const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
    if (!form.isConnected || !doc.querySelector('form[data-module="question"]')) return;
    ready = { form, url: response.url, doc, audio: buffer(doc) };
  } catch {
    ready = null; // the ordinary navigation will do
  }
}

/** A live copy of the page's clip element, loading now (the browser caches it for a year). */
function buffer(doc) {
  const parsed = doc.querySelector(NARRATION_AUDIO);
  if (!parsed) return null;
  const audio = document.createElement('audio');
  for (const { name, value } of parsed.attributes) audio.setAttribute(name, value);
  const slow = parsed.closest('[data-module="narration"]').dataset.slowSrc;
  if (prefs.slow() && slow) {
    new Audio(slow).preload = 'auto'; // the narrator switches to it; warm it too
  }
  audio.preload = 'auto';
  audio.load();
  return audio;
}

function onSubmit(event) {
  const form = event.target;
  const submitter = event.submitter;
  if (!swapping || event.defaultPrevented || !ready || ready.form !== form) return;
  if (!submitter || submitter.name !== 'answer' || prefs.voice() !== 'on') return;
  event.preventDefault();
  const { url, doc, audio } = ready;
  const fields = new FormData(form, submitter);
  sending = sending.then(() => send(form, fields, url));
  show(url, doc, audio);
}

/** The answer, as the form would send it; anything unexpected goes the ordinary way. */
async function send(form, fields, expected) {
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(fields),
      credentials: 'same-origin',
    });
    if (response.ok && response.url === expected) return;
    if (response.ok && response.redirected) window.location.replace(response.url);
    else submitNormally(form.action, fields);
  } catch {
    submitNormally(form.action, fields); // offline: the service worker answers the POST
  }
}

function submitNormally(action, fields) {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = action;
  form.hidden = true;
  for (const [name, value] of fields) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit(); // no submit event: nothing records or intercepts it twice
}

function show(url, doc, audio) {
  for (const old of started) {
    // The old page's components keep their document listeners; make them inert.
    if (old instanceof Question) old.answered = true;
    if (old instanceof Narration && old.narrator) old.narrator.play = async () => false;
  }
  Narration.current = null; // the new page's narration speaks
  const body = document.adoptNode(doc.body); // its scripts were parsed inert, and app.js is running
  body.classList.add('js-enabled');
  const placeholder = body.querySelector(NARRATION_AUDIO);
  if (audio && placeholder) placeholder.replaceWith(audio);
  document.title = doc.title;
  swapped = true;
  window.history.pushState(null, '', url);
  document.body.replaceWith(body);
  window.scrollTo(0, 0);
  started = createAllOf(COMPONENTS, document);
  arm();
}
