/* Small DOM helpers shared by the components. */

/** Say something through the one polite status region in base.html. */
export function announce(text) {
  const region = document.querySelector('[data-ig-status]');
  if (!region || !text) return;
  // Clearing first makes screen readers speak a message that repeats the previous one.
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** A copy of `<template data-ig-template="name">`'s content, with the template itself. */
export function cloneTemplate(name, scope = document) {
  const template = scope.querySelector(`template[data-ig-template="${name}"]`);
  return template ? { template, fragment: template.content.cloneNode(true) } : null;
}

/** Where typing belongs to the field: never take letter keys or Space from these. */
export function isFormField(element) {
  if (!(element instanceof Element)) return false;
  if (element.isContentEditable) return true;
  if (element.matches('textarea, select')) return true;
  if (element.matches('input')) return !['button', 'submit', 'reset', 'image'].includes(element.type);
  return Boolean(element.closest('[role="textbox"], [role="searchbox"], [role="combobox"]'));
}

/** Controls where Space already does something: press a button, follow a link, play media. */
export function hasOwnSpace(element) {
  if (!(element instanceof Element)) return false;
  return Boolean(
    element.closest(
      'a[href], button, summary, label, audio, video, [role="button"], [role="link"], ' +
        '[role="switch"], [role="checkbox"], [role="radio"], [role="tab"], [role="menuitem"]',
    ),
  );
}

export function withoutModifiers(event) {
  return !(event.ctrlKey || event.metaKey || event.altKey || event.isComposing);
}

/** The page's own URL for `url` (relative or absolute), as a pathname. */
export function pathOf(url) {
  return new URL(url, window.location.href).pathname;
}

/** A URL's path and query (relative to `base`): what tells two pages apart, not the fragment. */
export function addressOf(url, base = undefined) {
  const parsed = new URL(url, base);
  return parsed.pathname + parsed.search;
}

/** The page's language code (base.html puts it on <body>). */
export function pageLang() {
  return document.body.dataset.lang || document.documentElement.lang || 'en';
}
