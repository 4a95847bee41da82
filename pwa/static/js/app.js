/*
 * Inversion Guide in the browser: the one script entry. Progressive enhancement only: every
 * page works without it. No framework and no build step; behaviour attaches to data-module
 * hooks, one class per component (components/), loaded only on pages that use it and
 * started by startAll, so one component's failure is logged and the others still start:
 *
 *   narration               a page's spoken clip and the voice guide around it
 *   question                keys (Y, N, U, R, Space), Media Session, the right wording offline
 *   error-summary           focused on arrival, so a screen reader reads the problem first
 *   offline                 "Use offline": saves pages and clips through the service worker
 *   offline-result          the result worked out on this device when the server is unreachable
 *   session-player          the guided session's one track, its steps and lock-screen controls
 *   session-plans           the plan suggested from the history kept on this device
 *   session-feedback(-saved) how a session felt, saved on this device
 *
 * Every string shown or announced, and every URL, comes from the page (data attributes,
 * <template>s and the JSON it loads), so a translation stays one content file and routes
 * stay the server's. Imports are relative: the server serves this folder under a
 * content-hashed path, so they are versioned with this file.
 */

import { COMPONENTS } from './components/index.js';
import { watchAnswerForms } from './lib/answer-forms.js';
import { createAllOf, loadUsed } from './lib/components.js';
import { watchNavigation } from './lib/navigation.js';
import { registerServiceWorker } from './lib/service-worker.js';

registerServiceWorker(document.body.dataset.serviceWorkerUrl);
watchAnswerForms();
// While the voice is on, links, forms, Back and Forward show the next page in this document,
// so the voice the user started keeps talking (lib/navigation.js); on question pages the next
// question is fetched while this one plays (lib/prefetch.js).
watchNavigation();
// The page is enhanced once its components are here: until then it is the page without
// JavaScript, whole and working (its links and forms), never half of each.
const classes = await loadUsed(COMPONENTS, document);
document.body.classList.add('js-enabled');
createAllOf(classes, document);
