// Every data-module hook in the templates has a component, and every component a hook.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { COMPONENTS } from '../../pwa/static/js/components/index.js';

const templates = new URL('../../pwa/templates/', import.meta.url);

function hooksInTemplates() {
  const hooks = new Set();
  for (const name of readdirSync(templates)) {
    const html = readFileSync(new URL(name, templates), 'utf8');
    for (const match of html.matchAll(/data-module="([^"]+)"/g)) hooks.add(match[1]);
  }
  return hooks;
}

test('components and data-module hooks match one to one', () => {
  const names = COMPONENTS.map((c) => c.moduleName);
  assert.equal(new Set(names).size, names.length, 'two components share a moduleName');
  assert.deepEqual([...hooksInTemplates()].sort(), [...names].sort());
});

test('narration starts before the components that drive it', () => {
  const names = COMPONENTS.map((c) => c.moduleName);
  assert.ok(names.indexOf('narration') < names.indexOf('question'));
});

test('the page scripts build no URLs from strings (the page gives them)', () => {
  const root = new URL('../../pwa/static/js/', import.meta.url);
  const files = readdirSync(root, { recursive: true }).filter((f) => f.endsWith('.js') && f !== 'sw.js');
  assert.ok(files.length > 10);
  for (const file of files) {
    const source = readFileSync(new URL(file, root), 'utf8');
    // A path assembled in a template literal (`/${lang}/...`) or matched with a regex (/^\/...).
    assert.doesNotMatch(source, /`\/[^`]*\$\{/, file);
    assert.doesNotMatch(source, /\/\^\\\//, file);
    assert.doesNotMatch(source, /['"]\/[a-z]/i, file);
  }
});

test('each loader gives the class of its hook', async () => {
  for (const entry of COMPONENTS) {
    const Component = await entry.load();
    assert.equal(Component.moduleName, entry.moduleName);
  }
});
