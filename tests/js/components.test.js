// createAll: one instance per data-module root; one component failing does not stop the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createAll, createAllOf } from '../../pwa/static/js/lib/components.js';

function fakeScope(roots) {
  return {
    querySelectorAll(selector) {
      const name = /^\[data-module="([^"]+)"\]$/.exec(selector)[1];
      return roots.filter((r) => r.module === name);
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
