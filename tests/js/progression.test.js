// The progression rule (pwa/static/js/lib/progression.js) against the Python oracle's answers
// (fixtures/progression.json, made from server.session.suggest on tests/test_session.py's cases).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import {
  FEELINGS,
  isAhead,
  latestHoldBack,
  parseHistory,
  suggest,
} from '../../pwa/static/js/lib/progression.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/progression.json', import.meta.url), 'utf8'));
const { plans } = fixture;
const byId = new Map(plans.map((p) => [p.id, p]));
const day = (d) => `2026-01-${String(d).padStart(2, '0')}`;
const entry = (plan, d, feeling) => ({ plan, day: day(d), feeling });

test('every case gives the same suggestion as the Python oracle', () => {
  for (const { history, expected } of fixture.cases) {
    assert.deepEqual(suggest(plans, history), expected, JSON.stringify(history));
  }
});

test('no history starts at the bottom of the ladder', () => {
  assert.deepEqual(suggest(plans, []), {
    plan: 'first-20',
    reason: 'first',
    done: 0,
    needed: 0,
    gentler: 'intervals-20',
  });
  assert.equal(suggest(plans, null).reason, 'first');
});

test('good days on different days move on; the same day counts once', () => {
  const sameDay = [entry('first-20', 1, 'fine'), entry('first-20', 1, 'fine')];
  assert.deepEqual(
    [suggest(plans, sameDay).done, suggest(plans, sameDay).needed],
    [1, byId.get('first-20').move_on_after],
  );
  const three = [1, 2, 3].map((d) => entry('first-20', d, 'fine'));
  assert.deepEqual([suggest(plans, three).plan, suggest(plans, three).reason], ['first-20-long', 'move-on']);
});

test('dizzy or pain holds back one plan and starts the count again', () => {
  const climbed = [1, 2, 3].map((d) => entry('first-20', d, 'fine'));
  for (const feeling of ['dizzy', 'pain']) {
    const held = suggest(plans, [...climbed, entry('first-20-long', 5, feeling)]);
    assert.deepEqual([held.plan, held.reason], ['first-20', 'held-back']);
    // The good days before the hold-back no longer count.
    const after = suggest(plans, [...climbed, entry('first-20-long', 5, feeling), entry('first-20', 6, 'fine')]);
    assert.deepEqual([after.plan, after.reason, after.done], ['first-20', 'continue', 1]);
  }
  // Never below the first rung.
  assert.equal(suggest(plans, [entry('first-20', 1, 'pain')]).plan, 'first-20');
});

test('"other" repeats the plan, and the top of the ladder stays there', () => {
  assert.deepEqual(
    [suggest(plans, [entry('first-30', 1, 'other')]).plan, suggest(plans, [entry('first-30', 1, 'other')]).reason],
    ['first-30', 'repeat'],
  );
  const top = suggest(plans, [entry('full-60', 1, 'fine'), entry('full-60', 2, 'fine')]);
  assert.deepEqual([top.plan, top.reason], ['full-60', 'top']);
});

test('a plan off the ladder never moves it, but its feelings count', () => {
  const intervals = [1, 2, 3, 4].map((d) => entry('intervals-20', d, 'fine'));
  assert.deepEqual([suggest(plans, intervals).plan, suggest(plans, intervals).reason], ['first-20', 'continue']);
  const pain = suggest(plans, [entry('build-40', 1, 'fine'), entry('intervals-20', 2, 'pain')]);
  assert.deepEqual([pain.plan, pain.reason], ['build-30', 'held-back']);
});

test('parseHistory keeps only well-formed entries for known plans', () => {
  const good = entry('first-20', 1, 'fine');
  const raw = [
    good,
    entry('unknown', 1, 'fine'),
    { plan: 'first-20', day: 'yesterday', feeling: 'fine' },
    entry('first-20', 2, 'great'),
    { plan: 7, day: day(3), feeling: 'fine' },
    null,
    'junk',
  ];
  assert.deepEqual(parseHistory(raw, plans), [good]);
  assert.deepEqual(parseHistory({ not: 'a list' }, plans), []);
  assert.deepEqual(parseHistory(undefined, plans), []);
  assert.deepEqual(FEELINGS, ['fine', 'dizzy', 'pain', 'other']);
});

test('isAhead compares ladder steps', () => {
  assert.equal(isAhead(byId.get('build-40'), byId.get('first-30')), true);
  assert.equal(isAhead(byId.get('first-20'), byId.get('first-30')), false);
  assert.equal(isAhead(byId.get('intervals-20'), byId.get('first-20')), false);
});

test('the latest dizzy or painful session is sent with a plan choice (decision 20)', () => {
  const at = (plan, d, feeling, ms) => ({ ...entry(plan, d, feeling), at: ms });
  assert.equal(latestHoldBack(plans, []), 0);
  assert.equal(latestHoldBack([], plans), 0);
  assert.equal(latestHoldBack(null, plans), 0);
  const fine = [at('first-20', 1, 'fine', 1000), at('first-20', 2, 'other', 2000)];
  assert.equal(latestHoldBack(fine, plans), 0);
  const held = [...fine, at('first-20', 3, 'dizzy', 3000), at('first-20', 4, 'pain', 4000), at('first-20', 5, 'fine', 5000)];
  assert.equal(latestHoldBack(held, plans), 4000);
  // An entry saved before the time was kept still asks once; rubbish times do not count.
  assert.equal(latestHoldBack([entry('first-20', 1, 'dizzy')], plans), 1);
  assert.equal(latestHoldBack([at('first-20', 1, 'pain', 'soon')], plans), 1);
  // Entries of unknown plans or feelings are ignored, as everywhere else.
  assert.equal(latestHoldBack([at('nope', 1, 'dizzy', 9000), at('first-20', 1, 'sad', 9000)], plans), 0);
});
