// "Your sessions": rows from the device history, the spoken row, and the chart's geometry.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chartGeometry, historyRows, spokenRow, withSessions } from '../../pwa/static/js/lib/history-view.js';

const PLANS = { 'first-20': { title: '20 degrees, 1 minute', angle: 20, minutes: 1 }, 'full-60': { title: '60 degrees, 5 minutes', angle: 60, minutes: 5 } };
const FEELINGS = { fine: 'Fine', dizzy: 'Dizzy' };

test('rows keep known plans only, oldest first, with angle, minutes and feeling', () => {
  const rows = historyRows(
    [
      { plan: 'full-60', day: '2026-01-02', feeling: 'dizzy', at: 2 },
      { plan: 'gone', day: '2026-01-03', feeling: 'fine', at: 3 },
      null,
      { plan: 'first-20', day: '2026-01-01', feeling: 'fine', at: 1 },
    ],
    PLANS,
    FEELINGS,
  );
  assert.deepEqual(
    rows.map((r) => [r.day, r.angle, r.minutes, r.feeling]),
    [
      ['2026-01-01', 20, 1, 'Fine'],
      ['2026-01-02', 60, 5, 'Dizzy'],
    ],
  );
  assert.deepEqual(historyRows('corrupt', PLANS, FEELINGS), []);
});

test('a row is read as one sentence', () => {
  const [row] = historyRows([{ plan: 'first-20', day: '2026-01-01', feeling: 'fine', at: 1 }], PLANS, FEELINGS);
  const text = spokenRow(row, { row: '{date}. {plan}. Angle: {angle} degrees. Minutes held: {minutes}. Felt: {feeling}.' });
  assert.equal(text, '2026-01-01. 20 degrees, 1 minute. Angle: 20 degrees. Minutes held: 1. Felt: Fine.');
});

test('the chart has one bar and one point per session, inside its box', () => {
  const rows = historyRows(
    Array.from({ length: 12 }, (_, i) => ({ plan: i % 2 ? 'full-60' : 'first-20', day: 'd', feeling: 'fine', at: i })),
    PLANS,
    FEELINGS,
  );
  const g = chartGeometry(rows);
  assert.equal(g.bars.length, 12);
  assert.equal(g.points.length, 12);
  for (const b of g.bars) assert.ok(b.x >= 0 && b.x + b.w <= g.width && b.y >= 0 && b.y + b.h <= g.height);
  const top = Math.min(...g.points.map((p) => p.y));
  assert.equal(top, g.inner.y); // 60 degrees reaches the top of the plot
  assert.deepEqual(chartGeometry([]).bars, []);
});

test('the summary text gets the sessions saved on this device in place of its line about them', () => {
  const strings = { row: '{date}. {plan}. Felt: {feeling}.', none: 'No sessions are saved on this device.' };
  const device = 'Sessions are saved on this device only.';
  const text = ['Summary', '', 'Sessions saved on this device:', device, '', 'Not advice.'].join('\n');
  const rows = historyRows(
    [
      { plan: 'first-20', day: '2026-01-01', feeling: 'fine', at: 1 },
      { plan: 'full-60', day: '2026-01-02', feeling: 'dizzy', at: 2 },
    ],
    PLANS,
    FEELINGS,
  );
  const done = withSessions(text, device, rows, strings).split('\n');
  assert.deepEqual(done.slice(2, 5), [
    'Sessions saved on this device:',
    '- 2026-01-02. 60 degrees, 5 minutes. Felt: Dizzy.',
    '- 2026-01-01. 20 degrees, 1 minute. Felt: Fine.',
  ]);
  assert.ok(!done.includes(device));
  assert.ok(withSessions(text, device, [], strings).includes(strings.none));
});

test('minutes are written as the page language writes numbers', () => {
  const [row] = historyRows([{ plan: 'half', day: 'd', feeling: 'fine', at: 1 }], { half: { title: 'T', angle: 20, minutes: 1.5 } }, FEELINGS);
  const es = new Intl.NumberFormat('es');
  assert.equal(spokenRow(row, { row: '{minutes}' }, (n) => es.format(n)), '1,5');
  assert.equal(spokenRow(row, { row: '{minutes}' }), '1.5');
});

test('minutes held are the time the device counted in the holds, when it counted them', () => {
  const rows = historyRows(
    [
      { plan: 'full-60', day: '2026-01-01', feeling: 'dizzy', at: 1, held: 90 },
      { plan: 'full-60', day: '2026-01-02', feeling: 'fine', at: 2, held: 0 },
      { plan: 'full-60', day: '2026-01-03', feeling: 'fine', at: 3 },
    ],
    PLANS,
    FEELINGS,
  );
  // Stopped after 90 s of a 5-minute plan; never played; an entry from before counting: the plan's.
  assert.deepEqual(rows.map((r) => r.minutes), [1.5, 0, 5]);
});
