/*
 * data-module="session-plans": the plan suggested from the history kept on this device
 * (the server cannot see it), the links that ask to confirm a plan further along, and
 * "Forget the sessions saved on this device".
 *
 * Reads: data-plans (JSON: plans, urls[plan id] = {start, ahead}, strings).
 */

import { fill } from '../lib/format.js';
import { forgetHistory, readHistory } from '../lib/history.js';
import { isAhead, parseHistory, suggest } from '../lib/progression.js';

export class Plans {
  static moduleName = 'session-plans';

  constructor(root) {
    const data = JSON.parse(root.dataset.plans);
    this.root = root;
    this.plans = data.plans;
    this.urls = data.urls;
    this.strings = data.strings;
    this.byId = new Map(data.plans.map((p) => [p.id, p]));
    this.reason = root.querySelector('[data-plans-reason]');
    this.historyNote = root.querySelector('[data-plans-history]');
    this.forget = root.querySelector('[data-plans-forget]');
    this.forget.addEventListener('click', () => this.forgetHistory());
    this.show();
  }

  show() {
    const history = readHistory();
    const suggestion = suggest(this.plans, history);
    const plan = this.byId.get(suggestion.plan);
    this.reason.textContent = fill(this.strings[suggestion.reason], suggestion);
    this.showSuggested(plan, suggestion.gentler && this.byId.get(suggestion.gentler));
    for (const item of this.root.querySelectorAll('[data-plan-id]')) {
      const id = item.dataset.planId;
      const isSuggested = id === plan.id;
      item.classList.toggle('ig-plan--suggested', isSuggested);
      item.querySelector('[data-plan-tag]').hidden = !isSuggested;
      // Further along than the suggestion: ask to confirm first.
      const ahead = isAhead(this.byId.get(id), plan);
      item.querySelector('[data-plan-link]').href = this.urls[id][ahead ? 'ahead' : 'start'];
    }
    const count = parseHistory(history, this.plans).length;
    this.historyNote.hidden = count === 0;
    this.forget.hidden = count === 0;
    if (count) this.historyNote.textContent = fill(this.strings.history_count, { count });
  }

  /** The "Start" buttons for the suggested plan and, when there is one, a gentler plan. */
  showSuggested(plan, gentler) {
    const suggestedLink = this.root.querySelector('[data-plans-suggested]');
    suggestedLink.href = this.urls[plan.id].start;
    suggestedLink.textContent = fill(this.strings.start_suggested, { plan: plan.title });
    const gentlerLink = this.root.querySelector('[data-plans-gentler]');
    if (!gentlerLink) return;
    gentlerLink.hidden = !gentler;
    if (gentler) {
      gentlerLink.href = this.urls[gentler.id].start;
      gentlerLink.textContent = fill(this.strings.start_gentler, { plan: gentler.title });
    }
  }

  forgetHistory() {
    forgetHistory();
    this.show();
    this.historyNote.hidden = false;
    this.historyNote.textContent = this.strings.history_forgotten;
    this.reason.focus?.();
  }
}
