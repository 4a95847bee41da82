/*
 * Every screening answer also goes into this tab's copy (lib/screening.js `answers`), so the
 * result can be worked out on the device when offline. Forms say what they do to the
 * answers with data-answers: "start" (a new screening: clear, and remember who answers from
 * the pressed button's value), "perspective" (the switch: who answers now, answers kept),
 * "clear" (start again), or "record" (the question form, with data-question-id; the pressed
 * button is the answer).
 */

import { pageLang } from './dom.js';
import { answers } from './screening.js';

export function onAnswerSubmit(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || (form.method || '').toLowerCase() !== 'post') return;
  const lang = pageLang();
  const submitter = event.submitter;
  const kind = form.dataset.answers;
  if (kind === 'start') {
    answers.clear(lang);
    answers.setPerspective(lang, submitter ? submitter.value : 'you');
  } else if (kind === 'perspective' && submitter) {
    answers.setPerspective(lang, submitter.value);
  } else if (kind === 'clear') {
    answers.clear(lang);
  } else if (kind === 'record' && submitter && submitter.name === 'answer' && form.dataset.questionId) {
    answers.record(lang, form.dataset.questionId, submitter.value);
  }
}

export function watchAnswerForms() {
  document.addEventListener('submit', onAnswerSubmit, true);
}
