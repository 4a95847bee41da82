import assert from 'node:assert/strict';
import { test } from 'node:test';

import { answers, evaluate, firstUnanswered } from '../../pwa/static/js/lib/screening.js';
import { openStore } from '../../pwa/static/js/lib/storage.js';

const questions = [
  { id: 'glaucoma', level: 'avoid' },
  { id: 'pregnancy', level: 'avoid' },
  { id: 'implants', level: 'ask' },
];
const all = (value) => Object.fromEntries(questions.map((q) => [q.id, value]));

test('all "no" is no known reason', () => {
  assert.deepEqual(evaluate(questions, all('no')), { level: 'no-known-reason', reasons: [] });
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
