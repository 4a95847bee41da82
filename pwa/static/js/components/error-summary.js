/* data-module="error-summary": the GOV.UK pattern, focused on arrival so a screen reader
 * reads the problem before anything else on the page. */

export class ErrorSummary {
  static moduleName = 'error-summary';

  constructor(root) {
    root.focus();
  }
}
