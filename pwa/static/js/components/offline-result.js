/*
 * data-module="offline-result": the screening result worked out on this device, from the
 * answers kept in this tab, when the server cannot be reached (the service worker sends the
 * check and result pages here). Goes to the first unanswered question instead, if any.
 *
 * Reads: data-lang, data-rules-url, data-label-yes, data-label-no, data-label-not-sure.
 */

import { cloneTemplate } from '../lib/dom.js';
import {
  answers,
  evaluate,
  firstUnanswered,
  loadRules,
  RED_FLAG_LEVELS,
} from '../lib/screening.js';
import { Narration } from './narration.js';

function listItem(...children) {
  const item = document.createElement('li');
  item.append(...children);
  return item;
}

function element(tag, text, className) {
  const made = document.createElement(tag);
  made.textContent = text;
  if (className) made.className = className;
  return made;
}

export class OfflineResult {
  static moduleName = 'offline-result';

  constructor(root) {
    this.root = root;
    this.lang = root.dataset.lang;
    this.labels = {
      yes: root.dataset.labelYes,
      no: root.dataset.labelNo,
      'not-sure': root.dataset.labelNotSure,
    };
    this.ready = this.show().catch((error) => {
      console.error('Inversion Guide: offline-result', error);
    });
  }

  async show() {
    let rules;
    try {
      rules = await loadRules(this.root.dataset.rulesUrl);
    } catch {
      return; // the page's own message (it needs the saved questions) stays
    }
    const given = answers.read(this.lang);
    const missing = firstUnanswered(rules.questions, given);
    if (missing) {
      window.location.replace(missing.url);
      return;
    }
    const made = cloneTemplate('offline-result', this.root);
    if (!made) return;
    const outcome = evaluate(rules.questions, given, rules.levels);
    // Worded for whoever answered: the person ("you") or a carer for them ("they").
    const perspective = answers.perspective(this.lang) || 'you';
    const text = rules.outcomes[outcome.level][perspective];
    const notSureClips = rules.red_flag_not_sure_clips?.[perspective];
    this.fill(made.fragment, outcome, text, rules.result[perspective], perspective, notSureClips);
    const fallback = this.root.querySelector('[data-slot="fallback"]');
    if (fallback) fallback.remove();
    made.template.replaceWith(made.fragment);
    const wording = rules.result[perspective];
    document.title = `${text.title} - ${wording.page_title} - ${wording.app_name}`;
    const narration = this.root.querySelector('[data-module="narration"]');
    if (narration) new Narration(narration);
  }

  /** The page as result.html shows it online, from rules.json's wording. */
  fill(fragment, outcome, text, wording, perspective, notSureClips) {
    const slot = (name) => fragment.querySelector(`[data-slot="${name}"]`);
    slot('outcome').classList.add(`ig-outcome--${outcome.level}`);
    slot('heading').textContent = wording.heading;
    slot('title').textContent = text.title;
    slot('summary').textContent = text.summary;
    slot('next-steps').append(...text.next_steps.map((step) => listItem(step)));
    // A "Not sure" to a red flag adds "ask a doctor today", whatever the level (rule.py).
    const notSure = outcome.reasons.some(
      (r) => r.answer === 'not-sure' && RED_FLAG_LEVELS.includes(r.question.level),
    );
    if (notSure) slot('red-flag-not-sure').textContent = wording.red_flag_not_sure;
    else slot('red-flag-not-sure').remove();
    slot('causes-title').textContent = wording.causes_title;
    slot('print-hint').textContent = wording.print_hint;
    slot('disclaimer').textContent = wording.disclaimer;
    if (outcome.causes.length) {
      slot('causes').append(...outcome.causes.map((r) => this.reasonItem(r, perspective)));
      slot('no-reasons').remove();
    } else {
      slot('causes').remove();
      slot('no-reasons').textContent = wording.no_reasons;
    }
    if (outcome.others.length) {
      slot('others-title').textContent = wording.others_title;
      slot('others').append(...outcome.others.map((r) => this.reasonItem(r, perspective)));
    } else {
      slot('others-title').remove();
      slot('others').remove();
    }
    this.setClip(slot('narration'), text.clips, notSure ? notSureClips : null);
  }

  reasonItem(reason, perspective) {
    const title = element('strong', `${reason.question.title}:`);
    const hint = element('span', reason.question[perspective], 'ig-hint');
    return listItem(title, ` ${this.labels[reason.answer]}. `, hint);
  }

  /** The outcome's clip, then the warning sign's (`notSure`, when one was answered Not
   * sure), as result.html's playlist says them. */
  setClip(narration, clips, notSure) {
    const audio = narration.querySelector('audio');
    if (!clips.normal) {
      narration.replaceChildren(); // no clip: the browser's own speech reads the outcome
      return;
    }
    audio.setAttribute('src', clips.normal);
    if (clips.slow) narration.dataset.slowSrc = clips.slow;
    if (notSure && notSure.normal) {
      narration.dataset.playlist = JSON.stringify([
        { ...clips, text: 'outcome-text', main: true },
        { ...notSure, text: 'red-flag-not-sure', main: false },
      ]);
    }
  }
}
