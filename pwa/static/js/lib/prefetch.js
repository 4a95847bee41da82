/*
 * Sound at once after an answer (JavaScript and the voice on). While a question's clip plays,
 * the next question's page is fetched (with cookies: the very page the browser would load
 * after the answer) and the first clip its voice guide will say is buffered in an <audio>
 * element. When an answer is sent, that page is shown in place (lib/page-swap.js) and its
 * narration plays from the buffer, while the answer goes to the server in the background:
 * the same POST, body and cookie the form sends.
 *
 * An answer given by one key is confirmed first, shown and spoken, by the question component;
 * it sends the form only then, so the swap comes after the confirmation.
 *
 * Everything else goes the ordinary way: without JavaScript or the voice, offline, on the
 * last question (the check page comes next), when changing an answer from the check page,
 * a form sent without an answer, and whenever the server's answer differs from what was
 * expected (another redirect, an error, no network). Answers sent in the background go one
 * at a time, in order, and what would reach the server before them waits (lib/answer-queue.js).
 */

import { holdForm, sendAnswer, whenSent } from './answer-queue.js';
import { pageLang } from './dom.js';
import { playlistOf, sourceOf } from './narrator.js';
import { showPage } from './page-swap.js';
import { answers, loadRules, nextQuestion } from './screening.js';
import { prefs } from './storage.js';

const NARRATION = '[data-module="narration"]';

let ready = null; // { form, url, doc, audio }: the next question, fetched and buffered
let swapping = true;

/**
 * Start watching the page shown now. With `swap: false` the next page and its clip are only
 * fetched ahead (warm caches), and every answer goes the ordinary way.
 */
export function watchNextQuestion({ swap = true } = {}) {
  swapping = swap;
  document.addEventListener('submit', onSubmit); // bubbling: after every other listener
  arm();
}

/** On a question page, get the next one ready once this one's clip starts playing. */
function arm() {
  ready = null;
  const form = document.querySelector('form[data-module="question"]');
  const audio = document.querySelector(`${NARRATION} audio`);
  if (!form || !audio || !form.dataset.rulesUrl || form.querySelector('input[name="return"]')) return;
  // This module is loaded beside the components, so the clip may have started already.
  if (!audio.paused) prepare(form);
  else audio.addEventListener('playing', () => prepare(form), { once: true });
}

async function prepare(form) {
  try {
    await whenSent(); // the page must reflect every answer given so far
    const rules = await loadRules(form.dataset.rulesUrl);
    const id = form.dataset.questionId;
    // Whichever answer is given, the same question comes next.
    const next = nextQuestion(rules.questions, id, { ...answers.read(pageLang()), [id]: 'no' });
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

/**
 * A live copy of the page's <audio> element, loading the clip its narrator says first (the
 * playlist's first item at the current speed, e.g. "Question 2 of 24"), so the narrator finds
 * it already in place. The rest of the list is fetched into the HTTP cache (a year, immutable).
 */
function buffer(doc) {
  const root = doc.querySelector(NARRATION);
  const parsed = root && root.querySelector('audio');
  if (!parsed) return null;
  const [first, ...rest] = playlistOf(root, parsed).map((item) => sourceOf(item, prefs.slow()));
  const audio = document.createElement('audio');
  for (const { name, value } of parsed.attributes) audio.setAttribute(name, value);
  if (first) audio.setAttribute('src', first);
  audio.preload = 'auto';
  audio.load();
  for (const url of rest) {
    if (url) fetch(url, { credentials: 'same-origin' }).catch(() => {});
  }
  return audio;
}

function onSubmit(event) {
  const form = event.target;
  const submitter = event.submitter;
  const swaps =
    swapping && ready && ready.form === form && submitter && submitter.name === 'answer' && prefs.voice() === 'on';
  if (!swaps || event.defaultPrevented) {
    holdForm(event); // the ordinary way, once any answer still on its way is saved
    return;
  }
  event.preventDefault();
  const next = ready;
  ready = null;
  sendAnswer(form.action, new FormData(form, submitter), next.url);
  show(next);
}

function show({ url, doc, audio }) {
  const body = document.adoptNode(doc.body); // its scripts were parsed inert; app.js runs
  const placeholder = body.querySelector(`${NARRATION} audio`);
  if (audio && placeholder) placeholder.replaceWith(audio);
  showPage({ url, title: doc.title, body });
  arm();
}
