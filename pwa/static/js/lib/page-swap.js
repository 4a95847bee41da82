/*
 * Show a page fetched ahead in place of this one, as if the browser had loaded it: its body,
 * its title, its address as a new history entry, scrolled to the top with focus where a page
 * load leaves it (on the body, so the first Tab reaches the skip link, and one-key answers
 * work at once), and its components started by startAll as on any page. The old page's
 * listeners end with it (lib/page-lifetime.js).
 *
 * Back or Forward to another entry of this document loads that address from the server, as
 * it would have without the swap; a fragment (the skip link) is not another page.
 */

import { COMPONENTS } from '../components/index.js';
import { whenSent } from './answer-queue.js';
import { startAll } from './components.js';
import { addressOf } from './dom.js';
import { endPage } from './page-lifetime.js';

let shown = null; // the address of the page the body holds, once one was swapped in

/** `body` (adopted into this document, its scripts inert) becomes the page at `url`. */
export function showPage({ url, title, body }) {
  if (shown === null) {
    window.addEventListener('popstate', () => {
      // Once the answers on their way are saved, so the page shows them.
      if (addressOf(window.location.href) !== shown) whenSent().then(() => window.location.reload());
    });
  }
  endPage();
  body.classList.add('js-enabled');
  document.title = title;
  shown = addressOf(url, window.location.href);
  window.history.pushState(null, '', url);
  // The focused answer button goes with the old body: focus falls back to the new body, and
  // sequential navigation starts from the top, as after a page load.
  document.body.replaceWith(body);
  window.scrollTo(0, 0);
  startAll(COMPONENTS, document);
}
