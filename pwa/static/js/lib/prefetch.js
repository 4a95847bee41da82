/*
 * Sound at once after an answer (JavaScript and the voice on). While a question's clip plays,
 * the next question's page is fetched (with cookies: the very page the browser would load
 * after the answer) and the clips its voice guide will say are fetched ahead (the first one
 * buffered by a silent, never played <audio>, so the one voice element finds it loaded).
 * When an answer is sent, that page is shown in place (lib/navigation.js, lib/page-swap.js)
 * and its narration plays, while the answer goes to the server in the background: the same
 * POST, body and cookie the form sends.
 *
 * An answer given by one key is confirmed first, shown and spoken, by the question component;
 * it sends the form only then, so the swap comes after the confirmation.
 *
 * Everything else goes lib/navigation.js's general way (fetched once the answer is sent, then
 * shown in place): on the last question (the check page comes next), when changing an answer
 * from the check page, a form sent without an answer, and the ordinary way when the voice is
 * off. Whenever the server's answer to a background answer differs from what was expected
 * (another redirect, an error, no network), the browser goes where the server says. Answers
 * sent in the background go one at a time, in order, and what would reach the server before
 * them waits (lib/answer-queue.js).
 */

import { sendAnswer, whenSent } from './answer-queue.js';
import { pageLang } from './dom.js';
import { playlistOf, sourceOf } from './narrator.js';
import { answers, loadRules, nextQuestion } from './screening.js';
import { prefs } from './storage.js';
import { pageSignal } from './page-lifetime.js';

const NARRATION = '[data-module="narration"]';

let ready = null; // { form, url, doc, warm }: the next question, fetched and buffered
let warm = null; // the buffering element of the page shown last, kept until the next one

/** On a question page, get the next one ready once this one's clip starts playing. */
export function armNextQuestion() {
  ready = null;
  const form = document.querySelector('form[data-module="question"]');
  const audio = document.querySelector(`${NARRATION} audio`);
  if (!form || !audio || !form.dataset.rulesUrl || form.querySelector('input[name="return"]')) return;
  // This module is loaded beside the components, so the clip may have started already.
  if (!audio.paused) prepare(form);
  else audio.addEventListener('playing', () => prepare(form), { once: true, signal: pageSignal() });
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
    ready = { form, url: response.url, doc, warm: buffer(doc) };
  } catch {
    ready = null; // the ordinary navigation will do
  }
}

/**
 * The clips the next page's narrator says first, fetched ahead: the first (the playlist's
 * first item at the current speed, e.g. "Question 2 of 24") buffered by a silent <audio> that
 * never plays (the page's one voice element plays it from the same URL), the rest into the
 * HTTP cache (a year, immutable).
 */
function buffer(doc) {
  const root = doc.querySelector(NARRATION);
  const parsed = root && root.querySelector('audio');
  if (!parsed) return null;
  const [first, ...rest] = playlistOf(root, parsed).map((item) => sourceOf(item, prefs.slow()));
  const audio = document.createElement('audio');
  audio.preload = 'auto';
  if (first) audio.src = first;
  audio.load();
  for (const url of rest) {
    if (url) fetch(url, { credentials: 'same-origin' }).catch(() => {});
  }
  return audio;
}

/**
 * The answer form `event` sends, when the next question is ready for it: the answer goes in
 * the background and the ready page ({ url, doc }) is returned, for lib/navigation.js to show.
 * Otherwise null, and the event is left alone.
 */
export function takeAnswer(event) {
  const form = event.target;
  const submitter = event.submitter;
  const takes = ready && ready.form === form && submitter && submitter.name === 'answer' && prefs.voice() === 'on';
  if (!takes || event.defaultPrevented) return null;
  event.preventDefault();
  const next = ready;
  ready = null;
  warm?.removeAttribute('src'); // the one before: long played
  warm = next.warm; // its clip stays buffered while the voice element loads the same URL
  sendAnswer(form.action, new FormData(form, submitter), next.url);
  return { url: next.url, doc: next.doc };
}
