// The pure parts of showing the next question in place (lib/prefetch.js, lib/page-swap.js):
// which clip is buffered, what counts as another page, and the end of a page's listeners.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { addressOf } from '../../pwa/static/js/lib/dom.js';
import { sourceOf, spokenEndOf } from '../../pwa/static/js/lib/narrator.js';
import { endPage, pageSignal } from '../../pwa/static/js/lib/page-lifetime.js';

test('sourceOf: the slow clip when the Slow voice is on and it works, else the normal one', () => {
  const item = { normal: '/audio/en/n.mp3', slow: '/audio/en/s.mp3' };
  assert.equal(sourceOf(item, false), item.normal);
  assert.equal(sourceOf(item, true), item.slow);
  assert.equal(sourceOf(item, true, new Set([item.slow])), item.normal);
  assert.equal(sourceOf({ normal: item.normal, slow: null }, true), item.normal);
  assert.equal(sourceOf({ normal: null, slow: null, text: 'x' }, true), null);
});

test('spokenEndOf: where the words of the clip playing end, for a sealed clip only', () => {
  const item = { normal: '/a/n.mp3', slow: '/a/s.mp3', normalEnd: 12.5, slowEnd: 16.25 };
  assert.equal(spokenEndOf(item, item.normal), 12.5);
  assert.equal(spokenEndOf(item, item.slow), 16.25);
  assert.equal(spokenEndOf({ normal: '/a/n.mp3', slow: null }, '/a/n.mp3'), null);
  assert.equal(spokenEndOf({ ...item, normalEnd: null }, item.normal), null);
});

test('addressOf: path and query tell pages apart, the fragment does not', () => {
  const base = 'http://localhost/en/screening/q/glaucoma';
  assert.equal(addressOf('#main-content', base), '/en/screening/q/glaucoma');
  assert.equal(addressOf('/en/screening/q/glaucoma?return=check', base), '/en/screening/q/glaucoma?return=check');
  assert.equal(addressOf('http://localhost/en/screening/q/pregnancy#x'), '/en/screening/q/pregnancy');
});

test('endPage ends the listeners added with the page signal, and the next page gets a new one', () => {
  const target = new EventTarget();
  const heard = [];
  target.addEventListener('ping', () => heard.push('old'), { signal: pageSignal() });
  const old = pageSignal();
  target.dispatchEvent(new Event('ping'));
  endPage();
  assert.ok(old.aborted);
  assert.ok(!pageSignal().aborted);
  target.addEventListener('ping', () => heard.push('new'), { signal: pageSignal() });
  target.dispatchEvent(new Event('ping'));
  assert.deepEqual(heard, ['old', 'new']);
});
