import assert from 'node:assert/strict';
import { test } from 'node:test';

import { clock, fill, formatBytes, localDay } from '../../pwa/static/js/lib/format.js';

test('fill replaces known placeholders and leaves the others', () => {
  assert.equal(fill('Step {n} of {m}', { n: 2, m: 7 }), 'Step 2 of 7');
  assert.equal(fill('{a} and {b}', { a: 'x' }), 'x and {b}');
  assert.equal(fill('{count} saved, {count} kept', { count: 0 }), '0 saved, 0 kept');
  assert.equal(fill('{toString}', {}), '{toString}'); // own keys only
  assert.equal(fill('no placeholders', { a: 1 }), 'no placeholders');
});

test('clock rounds to the second and never goes negative', () => {
  assert.equal(clock(0), '0:00');
  assert.equal(clock(59.4), '0:59');
  assert.equal(clock(59.5), '1:00');
  assert.equal(clock(61), '1:01');
  assert.equal(clock(600), '10:00');
  assert.equal(clock(-3), '0:00');
});

test('formatBytes uses the page strings and the language', () => {
  const strings = { kb: '{n} kB', mb: '{n} MB' };
  assert.equal(formatBytes(0, strings, 'en'), '0 kB');
  assert.equal(formatBytes(-5, strings, 'en'), '0 kB');
  assert.equal(formatBytes(12_345, strings, 'en'), '12 kB');
  assert.equal(formatBytes(2_500_000, strings, 'en'), '2.5 MB');
  assert.equal(formatBytes(2_500_000, strings, 'es'), '2,5 MB');
});

test('localDay is the local calendar day, zero-padded', () => {
  assert.equal(localDay(new Date(2026, 0, 5, 23, 59)), '2026-01-05');
  assert.equal(localDay(new Date(2026, 10, 15)), '2026-11-15');
});
