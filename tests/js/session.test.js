// Pure session helpers: chapters, saved positions and the history kept on the device.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chapterAt, lineAt, repeatTarget } from '../../pwa/static/js/lib/chapters.js';
import { forgetHistory, readHistory, recordSession, takeSavedFlag } from '../../pwa/static/js/lib/history.js';
import { positionStore } from '../../pwa/static/js/lib/session-position.js';
import { openStore } from '../../pwa/static/js/lib/storage.js';

const chapters = [
  { id: 'tilt', start: 0, end: 10, lines: [{ start: 0, text: 'Tilt back.' }, { start: 4, text: 'Breathe.' }] },
  { id: 'hold', start: 10, end: 40, lines: [{ start: 10.5, text: 'Hold.' }] },
  { id: 'come-up', start: 40, end: 50, lines: [{ start: 40, text: 'Come up.' }] },
];

test('chapterAt allows for currentTime reading back a hair early', () => {
  assert.equal(chapterAt(chapters, 0), 0);
  assert.equal(chapterAt(chapters, 9.99), 1); // within EPSILON of the next start
  assert.equal(chapterAt(chapters, 9.9), 0);
  assert.equal(chapterAt(chapters, 45), 2);
  assert.equal(chapterAt(chapters, 1000), 2);
});

test('lineAt is the last line started, or the first before any', () => {
  assert.equal(lineAt(chapters[0], 3).text, 'Tilt back.');
  assert.equal(lineAt(chapters[0], 4).text, 'Breathe.');
  assert.equal(lineAt(chapters[1], 10).text, 'Hold.'); // before its first line starts
});

test('repeatTarget: this step, or the previous one in its first two seconds', () => {
  assert.equal(repeatTarget(chapters, 20), 1);
  assert.equal(repeatTarget(chapters, 11), 0);
  assert.equal(repeatTarget(chapters, 1), 0);
});

test('a saved position resumes at its step for six hours', () => {
  const store = openStore('none', {});
  const position = positionStore('en', 'first-20', store);
  assert.equal(position.resumeIndex(chapters), -1);
  position.save({ chapter: 'hold', time: 25, file: 'x.mp3' });
  assert.equal(position.resumeIndex(chapters), 1);
  assert.equal(position.resumeIndex(chapters, Date.now() + 7 * 3600 * 1000), -1);
  assert.equal(positionStore('en', 'first-30', store).resumeIndex(chapters), -1);
  position.save({ chapter: 'tilt', time: 0.5, file: 'x.mp3' }); // barely begun: from the start
  assert.equal(position.resumeIndex(chapters), -1);
  position.save({ chapter: 'gone', time: 5, file: 'x.mp3' });
  assert.equal(position.resumeIndex(chapters), -1);
  position.clear();
  assert.equal(store.get('ig.session.position.v1.en.first-20'), null);
});

test('recordSession keeps the history on the device and flags the next page once', () => {
  forgetHistory();
  recordSession('first-20', 'fine', new Date(2026, 0, 2, 8));
  recordSession('first-20', 'dizzy', new Date(2026, 0, 3, 8));
  const history = readHistory();
  assert.deepEqual(
    history.map((h) => [h.plan, h.day, h.feeling]),
    [
      ['first-20', '2026-01-02', 'fine'],
      ['first-20', '2026-01-03', 'dizzy'],
    ],
  );
  assert.equal(typeof history[0].at, 'number');
  assert.equal(takeSavedFlag(), true);
  assert.equal(takeSavedFlag(), false);
  forgetHistory();
  assert.deepEqual(readHistory(), []);
});

test('the history keeps the last 200 sessions', () => {
  forgetHistory();
  for (let i = 0; i < 205; i += 1) recordSession('first-20', 'fine', new Date(2026, 0, 1, 0, i));
  assert.equal(readHistory().length, 200);
  forgetHistory();
});
