/*
 * The screening on the device: the rule, the answers mirrored in this tab, and the rules
 * file (questions, levels, outcomes) the server publishes for offline use.
 */

import { tab } from './storage.js';

export const ANSWER_VALUES = new Set(['yes', 'no', 'not-sure']);
const PERSPECTIVES = new Set(['you', 'they']);

/** Outcome levels, most urgent first; rules.json sends the server's own list. */
export const LEVELS = ['emergency', 'urgent', 'avoid', 'ask-first', 'no-known-reason'];

/** Question levels that are red flags: a "not sure" to one adds "ask a doctor today". */
export const RED_FLAG_LEVELS = ['emergency', 'urgent'];

/**
 * The screening rule, the same as server/screening/rule.py (a browser test checks they
 * agree): Yes counts at its question's level, Not sure as "ask-first" at least, No not at
 * all; the outcome is the most urgent level counted. `causes` are the answers at that level.
 */
export function evaluate(questions, given, levels = LEVELS) {
  const reasons = questions
    .filter((q) => given[q.id] !== 'no')
    .map((q) => ({ question: q, answer: given[q.id] }));
  // A level the list does not know counts as "ask-first": never lower than a clinician.
  const known = (level) => (levels.includes(level) ? level : 'ask-first');
  const levelOf = (r) => (r.answer === 'yes' ? known(r.question.level) : 'ask-first');
  const rank = (level) => levels.indexOf(level);
  let level = levels[levels.length - 1];
  for (const reason of reasons) {
    if (rank(levelOf(reason)) < rank(level)) level = levelOf(reason);
  }
  const causes = reasons.filter((r) => levelOf(r) === level);
  const others = reasons.filter((r) => levelOf(r) !== level);
  return { level, reasons, causes, others };
}

/** The first question without a valid answer, or undefined when all are answered. */
export function firstUnanswered(questions, given) {
  return questions.find((q) => !ANSWER_VALUES.has(given[q.id]));
}

/**
 * The question shown once `id` is answered, by the server's rule (answer_question in
 * server/views/screening.py): the first unanswered one after it, else the first unanswered
 * one; undefined when every question is answered (the check page comes next). `given` holds
 * the answer to `id`.
 */
export function nextQuestion(questions, id, given) {
  const after = questions.slice(questions.findIndex((q) => q.id === id) + 1);
  return firstUnanswered(after, given) || firstUnanswered(questions, given);
}

/*
 * Answers mirrored in this tab, so a screening can finish on the device when offline. The
 * server keeps its own copy in the signed cookie; this copy never leaves the browser.
 */
export const answers = {
  read(lang, store = tab) {
    try {
      const value = JSON.parse(store.get(`ig.answers.${lang}`) || '{}');
      return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    } catch {
      return {};
    }
  },
  record(lang, questionId, value, store = tab) {
    if (!ANSWER_VALUES.has(value)) return;
    const all = this.read(lang, store);
    all[questionId] = value;
    store.set(`ig.answers.${lang}`, JSON.stringify(all));
  },
  clear(lang, store = tab) {
    store.remove(`ig.answers.${lang}`);
  },
  perspective(lang, store = tab) {
    const value = store.get(`ig.perspective.${lang}`);
    return PERSPECTIVES.has(value) ? value : null;
  },
  setPerspective(lang, value, store = tab) {
    if (PERSPECTIVES.has(value)) store.set(`ig.perspective.${lang}`, value);
  },
};

const rulesCache = new Map();

/** The rules file at `url` (fetched once per page; a failure is not remembered). */
export function loadRules(url) {
  if (!rulesCache.has(url)) {
    const request = fetch(url, { credentials: 'omit' }).then((r) => {
      if (!r.ok) throw new Error(`rules: HTTP ${r.status}`);
      return r.json();
    });
    rulesCache.set(url, request);
    request.catch(() => rulesCache.delete(url));
  }
  return rulesCache.get(url);
}
