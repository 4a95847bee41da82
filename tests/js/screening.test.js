import assert from 'node:assert/strict';
import { test } from 'node:test';

import { answers, evaluate, firstUnanswered, nextQuestion } from '../../pwa/static/js/lib/screening.js';
import { openStore } from '../../pwa/static/js/lib/storage.js';

const questions = [
  { id: 'glaucoma', level: 'avoid' },
  { id: 'pregnancy', level: 'avoid' },
  { id: 'implants', level: 'ask-first' },
  { id: 'red-flags', level: 'emergency' },
  { id: 'red-flags-today', level: 'urgent' },
];
const all = (value) => Object.fromEntries(questions.map((q) => [q.id, value]));

test('all "no" is no known reason', () => {
  assert.deepEqual(evaluate(questions, all('no')), {
    level: 'no-known-reason',
    reasons: [],
    causes: [],
    others: [],
  });
});

test('"yes" to an avoid question is avoid, with the reasons in question order', () => {
  const outcome = evaluate(questions, { ...all('no'), glaucoma: 'yes', implants: 'yes' });
  assert.equal(outcome.level, 'avoid');
  assert.deepEqual(
    outcome.reasons.map((r) => [r.question.id, r.answer]),
    [
      ['glaucoma', 'yes'],
      ['implants', 'yes'],
    ],
  );
});

test('"yes" to a red flag is the most urgent outcome; the other answers are kept apart', () => {
  const given = { ...all('no'), glaucoma: 'yes', 'red-flags': 'yes', 'red-flags-today': 'yes' };
  const outcome = evaluate(questions, given);
  assert.equal(outcome.level, 'emergency');
  assert.deepEqual(outcome.causes.map((r) => r.question.id), ['red-flags']);
  assert.deepEqual(outcome.others.map((r) => r.question.id), ['glaucoma', 'red-flags-today']);
});

test('"yes" to a see-a-doctor-today flag is urgent, above do not use', () => {
  const outcome = evaluate(questions, { ...all('no'), glaucoma: 'yes', 'red-flags-today': 'yes' });
  assert.equal(outcome.level, 'urgent');
  assert.deepEqual(outcome.causes.map((r) => r.question.id), ['red-flags-today']);
});

test('"not sure" about a red flag is at least ask first, never no', () => {
  assert.equal(evaluate(questions, { ...all('no'), 'red-flags': 'not-sure' }).level, 'ask-first');
});

test('a level the rules do not list counts as ask first', () => {
  const odd = [{ id: 'x', level: 'something-new' }];
  assert.equal(evaluate(odd, { x: 'yes' }).level, 'ask-first');
});

test('"not sure" (even to an avoid question) or "yes" elsewhere is ask first', () => {
  assert.equal(evaluate(questions, { ...all('no'), pregnancy: 'not-sure' }).level, 'ask-first');
  assert.equal(evaluate(questions, { ...all('no'), implants: 'yes' }).level, 'ask-first');
});

test('an unanswered question counts as a reason, and firstUnanswered finds it', () => {
  const given = { glaucoma: 'no', pregnancy: 'maybe' };
  assert.equal(evaluate(questions, given).level, 'ask-first');
  assert.equal(firstUnanswered(questions, given).id, 'pregnancy');
  assert.equal(firstUnanswered(questions, all('not-sure')), undefined);
});

test('nextQuestion: the next unanswered after this one, else the first unanswered, as the server', () => {
  const ids = (q) => (q ? q.id : undefined);
  // In order: the one after.
  assert.equal(ids(nextQuestion(questions, 'glaucoma', { glaucoma: 'no' })), 'pregnancy');
  // Answered ones after it are skipped.
  assert.equal(ids(nextQuestion(questions, 'glaucoma', { glaucoma: 'no', pregnancy: 'yes' })), 'implants');
  // Changing an earlier answer with every later one given: back to the first unanswered.
  const lastOnly = { glaucoma: 'no', implants: 'not-sure', 'red-flags': 'no', 'red-flags-today': 'no' };
  assert.equal(ids(nextQuestion(questions, 'red-flags-today', lastOnly)), 'pregnancy');
  // Every question answered: none (the check page comes next, by an ordinary navigation).
  assert.equal(nextQuestion(questions, 'implants', all('no')), undefined);
  // A value that is not an answer does not count as one.
  assert.equal(ids(nextQuestion(questions, 'implants', { ...all('no'), 'red-flags': 'maybe' })), 'red-flags');
});

test('answers kept in the tab: record, read, clear, perspective', () => {
  const store = openStore('nothing-here', {}); // no storage: memory
  answers.record('en', 'glaucoma', 'yes', store);
  answers.record('en', 'pregnancy', 'perhaps', store); // not an answer: ignored
  assert.deepEqual(answers.read('en', store), { glaucoma: 'yes' });
  assert.deepEqual(answers.read('es', store), {});
  answers.setPerspective('en', 'they', store);
  answers.setPerspective('en', 'someone', store);
  assert.equal(answers.perspective('en', store), 'they');
  answers.clear('en', store);
  assert.deepEqual(answers.read('en', store), {});
  store.set('ig.answers.en', '[1, 2]');
  assert.deepEqual(answers.read('en', store), {});
  store.set('ig.answers.en', '{not json');
  assert.deepEqual(answers.read('en', store), {});
});
