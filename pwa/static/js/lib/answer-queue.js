/*
 * Answers sent in the background once the next question is shown in place (lib/prefetch.js):
 * the very POST the form would send, with its body and cookie, one at a time and in order,
 * so the answers cookie always holds them all.
 *
 * Until the server has answered, nothing else may reach it with the older cookie, as with
 * an ordinary form, whose next page only comes once the answer is saved: another form waits
 * for it, and so does a link to another page (and Back, lib/page-swap.js). Anything
 * unexpected (another redirect, an error, no network) goes on the ordinary way.
 */

import { addressOf, withoutModifiers } from './dom.js';

let sending = Promise.resolve();
let unsent = 0;
let watchingLinks = false;

/** Resolves once every answer sent so far has been answered by the server (or given up). */
export function whenSent() {
  return sending;
}

/**
 * Send the form's `fields` to `action` after those already on their way; the server should
 * answer with a redirect to `expected` (the page shown already), else the browser goes to
 * whatever the server says instead.
 */
export function sendAnswer(action, fields, expected) {
  if (!watchingLinks) {
    watchingLinks = true;
    document.addEventListener('click', holdLink);
  }
  unsent += 1;
  sending = sending
    .then(() => send(action, fields, expected))
    .finally(() => {
      unsent -= 1;
    });
}

/** A form sent while an answer is on its way waits for it; true when it was held. */
export function holdForm(event) {
  const form = event.target;
  if (unsent === 0 || event.defaultPrevented || !(form instanceof HTMLFormElement)) return false;
  event.preventDefault();
  const fields = new FormData(form, event.submitter);
  const method = form.method;
  sending.then(() => submitFields(form.action, fields, method));
  return true;
}

function holdLink(event) {
  if (unsent === 0 || event.defaultPrevented || event.button !== 0) return;
  if (!withoutModifiers(event) || event.shiftKey) return; // a new tab or window: no hurry
  const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!link || link.target || link.hasAttribute('download')) return;
  if (link.origin !== window.location.origin) return;
  if (addressOf(link.href) === addressOf(window.location.href)) return; // a fragment (skip link)
  event.preventDefault();
  sending.then(() => window.location.assign(link.href));
}

async function send(action, fields, expected) {
  try {
    const response = await fetch(action, {
      method: 'POST',
      body: new URLSearchParams(fields),
      credentials: 'same-origin',
      keepalive: true, // a page left meanwhile (a link, Back, closing the tab) keeps the answer
    });
    if (response.ok && response.url === expected) return;
    if (response.ok && response.redirected) window.location.replace(response.url);
    else submitFields(action, fields, 'post');
  } catch {
    submitFields(action, fields, 'post'); // offline: the service worker answers the POST
  }
}

/** Send `fields` as a form would, with no submit event: nothing records or holds it twice. */
export function submitFields(action, fields, method) {
  const form = document.createElement('form');
  form.method = method;
  form.action = action;
  form.hidden = true;
  for (const [name, value] of fields) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}
