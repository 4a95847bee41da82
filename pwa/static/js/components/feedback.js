/*
 * data-module="session-feedback": "How did that feel?" is also saved in the history on this
 * device (the server keeps nothing). data-module="session-feedback-saved": the note on the
 * next page that says it was saved, shown once.
 *
 * Reads: data-plan-id on the form.
 */

import { recordSession, takeSavedFlag } from '../lib/history.js';
import { FEELINGS } from '../lib/progression.js';

export class Feedback {
  static moduleName = 'session-feedback';

  constructor(form) {
    let chosen = null;
    form.addEventListener('click', (event) => {
      const button = event.target.closest('button[name=feeling]');
      if (button) chosen = button.value;
    });
    form.addEventListener('submit', (event) => {
      const feeling = event.submitter?.value ?? chosen;
      if (FEELINGS.includes(feeling)) recordSession(form.dataset.planId, feeling);
    });
  }
}

export class FeedbackSaved {
  static moduleName = 'session-feedback-saved';

  constructor(note) {
    if (takeSavedFlag()) note.hidden = false;
  }
}
