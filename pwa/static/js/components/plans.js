/*
 * data-module="session-plans": the plan suggested from the history kept on this device
 * (the server cannot see it), and "Forget the sessions saved on this device".
 *
 * Every plan is chosen by a form; this fills in each form's hidden fields with what the
 * device knows (the suggested plan, how many sessions it remembers, and when the latest one
 * that felt dizzy or painful was saved), so the server can apply the safeguards: up to the
 * suggestion at once, one step beyond after a warning, and no session after dizziness or
 * pain until a clinician has been told (decision 20).
 *
 * Reads: data-plans (JSON: plans, strings).
 */

import { fill } from '../lib/format.js';
import { forgetHistory, readHistory } from '../lib/history.js';
import { latestHoldBack, parseHistory, suggest } from '../lib/progression.js';

export class Plans {
  static moduleName = 'session-plans';

  constructor(root) {
    const data = JSON.parse(root.dataset.plans);
    this.root = root;
    this.plans = data.plans;
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
      const isSuggested = item.dataset.planId === plan.id;
      item.classList.toggle('ig-plan--suggested', isSuggested);
      item.querySelector('[data-plan-tag]').hidden = !isSuggested;
    }
    const count = parseHistory(history, this.plans).length;
    this.fillFields({
      suggested: plan.id,
      sessions: String(count),
      held_back: String(latestHoldBack(history, this.plans)),
    });
    this.historyNote.hidden = count === 0;
    this.forget.hidden = count === 0;
    if (count) this.historyNote.textContent = fill(this.strings.history_count, { count });
  }

  /** Every plan form's hidden fields: what the device knows, for the server's safeguards. */
  fillFields(values) {
    for (const input of this.root.querySelectorAll('[data-plans-field]')) {
      input.value = values[input.dataset.plansField];
    }
  }

  /** The "Start" buttons for the suggested plan and, when there is one, a gentler plan. */
  showSuggested(plan, gentler) {
    const suggested = this.root.querySelector('[data-plans-suggested-form]');
    suggested.action = this.chooseUrl(suggested.action, plan.id);
    suggested.querySelector('[data-plans-suggested]').textContent = fill(
      this.strings.start_suggested,
      { plan: plan.title },
    );
    const gentlerForm = this.root.querySelector('[data-plans-gentler-form]');
    if (!gentlerForm) return;
    gentlerForm.hidden = !gentler;
    if (gentler) {
      gentlerForm.action = this.chooseUrl(gentlerForm.action, gentler.id);
      gentlerForm.querySelector('[data-plans-gentler]').textContent = fill(
        this.strings.start_gentler,
        { plan: gentler.title },
      );
    }
  }

  /** The choose URL of `planId`, taken from that plan's own form on this page. */
  chooseUrl(fallback, planId) {
    const form = this.root.querySelector(`[data-plan-id="${planId}"] form`);
    return form ? form.action : fallback;
  }

  forgetHistory() {
    forgetHistory();
    this.show();
    this.historyNote.hidden = false;
    this.historyNote.textContent = this.strings.history_forgotten;
    this.reason.focus?.();
  }
}
