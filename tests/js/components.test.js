// createAll and startAll: one instance per data-module root; one component failing does not stop the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createAll, createAllOf, startAll } from '../../pwa/static/js/lib/components.js';

function fakeScope(roots) {
  return {
    querySelectorAll(selector) {
      const name = /^\[data-module="([^"]+)"\]$/.exec(selector)[1];
      return roots.filter((r) => r.module === name);
    },
    querySelector(selector) {
      return this.querySelectorAll(selector)[0] || null;
    },
  };
}

class Good {
  static moduleName = 'good';
  constructor(root) {
    this.root = root;
  }
}

class Broken {
  static moduleName = 'broken';
  constructor() {
    throw new Error('boom');
  }
}

test('each root gets its own instance', () => {
  const roots = [{ module: 'good' }, { module: 'other' }, { module: 'good' }];
  const started = createAll(Good, fakeScope(roots));
  assert.deepEqual(
    started.map((c) => c.root),
    [roots[0], roots[2]],
  );
});

test('a failing component is reported and the others still start', () => {
  const roots = [{ module: 'broken' }, { module: 'good' }, { module: 'broken' }];
  const errors = [];
  const started = createAllOf([Broken, Good], fakeScope(roots), (error, Component, root) =>
    errors.push([error.message, Component.moduleName, root]),
  );
  assert.equal(started.length, 1);
  assert.ok(started[0] instanceof Good);
  assert.deepEqual(errors, [
    ['boom', 'broken', roots[0]],
    ['boom', 'broken', roots[2]],
  ]);
});

test('startAll loads only the components whose hooks are on the page, in registry order', async () => {
  const loaded = [];
  class First { static moduleName = 'first'; constructor(root) { this.root = root; } }
  class Second { static moduleName = 'second'; constructor(root) { this.root = root; } }
  const registry = [
    { moduleName: 'first', load: async () => { loaded.push('first'); return First; } },
    { moduleName: 'absent', load: async () => { loaded.push('absent'); return class {}; } },
    { moduleName: 'second', load: async () => { loaded.push('second'); return Second; } },
  ];
  const roots = [{ module: 'first' }, { module: 'second' }];
  const started = await startAll(registry, fakeScope(roots));
  assert.deepEqual(loaded.sort(), ['first', 'second']);
  assert.deepEqual(started.map((c) => c.constructor.name), ['First', 'Second']);
});

test('a component that fails to load is reported and the others start', async () => {
  class Good { static moduleName = 'good'; constructor(root) { this.root = root; } }
  const registry = [
    { moduleName: 'broken', load: async () => { throw new Error('network'); } },
    { moduleName: 'good', load: async () => Good },
  ];
  const reported = [];
  const roots = [{ module: 'broken' }, { module: 'good' }];
  const started = await startAll(registry, fakeScope(roots), (error, entry) => reported.push(entry.moduleName));
  assert.deepEqual(reported, ['broken']);
  assert.equal(started.length, 1);
});
