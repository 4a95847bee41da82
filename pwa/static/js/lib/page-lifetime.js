/*
 * The lifetime of the page shown now. A page normally ends when the browser unloads it; when
 * the next question is shown in place (lib/page-swap.js) only the body is replaced, so
 * listeners on document and window would outlive the page they belong to and act on it.
 * Components add those listeners with pageSignal(), and the swap ends them with endPage().
 */

let controller = new AbortController();

/** Aborted when the page shown now is replaced in place. */
export function pageSignal() {
  return controller.signal;
}

/** The page shown now is being replaced: its listeners and whatever it plays stop. */
export function endPage() {
  controller.abort();
  controller = new AbortController();
}
