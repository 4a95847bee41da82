/*
 * Where focus goes when a page is shown in place (lib/page-swap.js), the pattern for single
 * page navigations (issue 22): on a new page, to its h1 (made focusable with tabindex=-1), so
 * a screen reader says the page's name at once; Back and Forward put focus back where it was
 * when the page was left (the link or button that left it), else on the h1.
 *
 * A place is remembered (lib/navigation.js, per history entry) as the focused control's
 * position among the page's controls, its kind and its name: the page comes back from the
 * server as new elements, so an element itself cannot be kept. A control that is not there
 * any more gives the h1.
 */

// What a reader tabs to (not what only scripts focus, tabindex=-1: the h1 gets one on arrival).
const CONTROLS = 'a[href], button, input, select, textarea, summary, audio[controls], [tabindex]:not([tabindex="-1"])';

function nameOf(element) {
  return (element.getAttribute('aria-label') || element.textContent || element.value || '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The place of the focused control in this page, or null when focus is on the page. */
export function focusPlace(doc = document) {
  const active = doc.activeElement;
  if (!active || active === doc.body || active === doc.documentElement) return null;
  const controls = [...doc.body.querySelectorAll(CONTROLS)];
  const index = controls.indexOf(active);
  return index < 0 ? null : { index, count: controls.length, tag: active.tagName, name: nameOf(active) };
}

/** The control at `place` in this page, when it is still there with the same name. */
export function findPlace(place, doc = document) {
  if (!place || !Number.isInteger(place.index)) return null;
  const controls = [...doc.body.querySelectorAll(CONTROLS)];
  const element = controls[place.index];
  // The same control: the same name, or (a toggle: Play now, Pause then) the same kind of
  // control at the same place in a page with as many controls.
  const sameShape = controls.length === place.count && element?.tagName === place.tag;
  if (element && (nameOf(element) === place.name || sameShape)) return element;
  // The page changed a little (a notice more or less): the one control of that name, if any.
  const named = controls.filter((c) => nameOf(c) === place.name);
  return named.length === 1 ? named[0] : null;
}

/** The page's own heading: the h1 in <main>, else the first h1. */
export function pageHeading(doc = document) {
  return doc.querySelector('main h1') || doc.querySelector('h1');
}

/**
 * Focus the page's h1 (or, with none, <main>), without scrolling: the caller has put the
 * page where it should be. Returns the element focused.
 */
export function focusHeading(doc = document) {
  const target = pageHeading(doc) || doc.getElementById('main-content');
  if (!target) return null;
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
  return target;
}

/** Focus back at `place` when that control is there, else on the page's h1. */
export function restoreFocus(place, doc = document) {
  const element = findPlace(place, doc);
  if (!element) return focusHeading(doc);
  element.focus({ preventScroll: true });
  return element;
}
