/*
 * Time head-down never grows (CLINICAL-FACTS decision 15, issue 20 item 4). This module is the
 * one place the rule lives. It is pure: no DOM, no storage, and the wall clock is injected, so
 * the Node tests (tests/js/hold-clock.test.js) pin the rule down and the player only asks it.
 *
 * The rule: a hold's clock only runs forwards, and it runs while the person is head down,
 * whether the track plays or not.
 * 1. Paused in a hold (by the user, the lock screen or a headset, a phone call, the browser
 *    freezing the page), the hold goes on counting: on play the track goes on at
 *    min(the pause position + the seconds paused, the hold's end); at or past the end it goes
 *    to the chapter after the hold (the come-up, or the way up before a rest between holds).
 * 2. Nothing moves the track back inside a hold or back out of it: "Repeat step", a seek or a
 *    previous-track press inside a hold lands where the hold has got to.
 * 3. A hold left forwards (played to its end, Next, Stop, a seek past it) is over: nothing
 *    goes back into it (Previous from the come-up stays on the come-up; a track replayed from
 *    the tilt goes from the start of an over hold straight to the chapter after it).
 * 4. A reload is a pause that began when the position was last saved: the hold goes on at the
 *    saved position plus the wall time since then, capped as in 1.
 * So the time spent in holds, played or paused, is never more than the plan's holds.
 *
 * Chapters are the track's ({id, kind, start, end}, kind "hold" for a hold), in seconds.
 */

import { EPSILON } from './chapters.js';

export const HOLD = 'hold';

export class HoldClock {
  /**
   * `now()` gives the wall clock in milliseconds (Date.now in the page; a fake in tests).
   * `saved` is a snapshot() from before a reload, or null.
   */
  constructor(chapters, { now = () => Date.now(), saved = null } = {}) {
    this.now = now;
    this.holds = chapters.filter((c) => c.kind === HOLD);
    this.spent = new Map(); // hold id -> seconds of it gone by (a running pause not included)
    this.over = new Set(); // ids of holds that are over
    this.pause = null; // { id, at, base }: paused in hold `id`, counted to `at` (ms), from `base` s
    this.sounding = false; // the track plays (a page starts with it paused)
    if (saved) this.load(saved);
  }

  /** The hold playing at `t` seconds, or null (the same boundaries as chapterAt). */
  holdAt(t) {
    return this.holds.find((h) => h.start <= t + EPSILON && t + EPSILON < h.end) || null;
  }

  /** Seconds of hold `h` gone by now, counting a pause in it that is still running. */
  gone(h) {
    const length = h.end - h.start;
    if (this.over.has(h.id)) return length;
    let seconds = this.spent.get(h.id) || 0;
    if (this.pause && this.pause.id === h.id) seconds += Math.max(0, this.now() - this.pause.at) / 1000;
    return Math.min(seconds, length);
  }

  /** Seconds left in hold `h` now. */
  left(h) {
    return h.end - h.start - this.gone(h);
  }

  /**
   * Where the track may be when something asks to go from `from` to `to` (seconds): `to`,
   * unless that would play part of a hold again (rules 2 and 3), and then where the hold has
   * got to, or the hold's end (the start of the chapter after it) once its time is up.
   */
  place(from, to) {
    let target = to;
    const leaving = this.holdAt(from);
    if (leaving && target < leaving.start) target = leaving.start; // never back out of a hold
    const hold = this.holdAt(target);
    if (hold) {
      target = Math.max(target, hold.start + this.gone(hold));
      if (target + EPSILON >= hold.end) target = hold.end;
    }
    return target;
  }

  /**
   * The track is at `t` (played there, or moved there by place()): the clock follows it. A
   * paused track moved into a hold counts as paused there from now (rule 1).
   */
  observe(t) {
    for (const h of this.holds) {
      if (h.end <= t + EPSILON) this.over.add(h.id);
      else if (h.start <= t + EPSILON && !this.over.has(h.id)) {
        // Fold a running pause in: what has gone by is counted once, from now on afresh.
        const seconds = Math.min(h.end - h.start, Math.max(this.gone(h), t - h.start));
        this.spent.set(h.id, seconds);
        if (this.pause && this.pause.id === h.id) this.pause.at = this.now();
      }
    }
    const hold = this.holdAt(t);
    const counting = this.pause && !this.over.has(this.pause.id);
    if (!this.sounding && hold && !this.over.has(hold.id) && !counting) {
      this.pause = { id: hold.id, at: this.now(), base: this.spent.get(hold.id) || 0 };
    }
  }

  /** The track stopped sounding at `t`, whoever paused it: a hold goes on counting (rule 1). */
  paused(t) {
    this.sounding = false;
    this.observe(t);
  }

  /**
   * The track is about to sound again from `t` (any route: the page, the lock screen, the
   * browser resuming it, a reload). Ends a running pause and says where to play from:
   * `{ time, waited, ended, hold }`: `waited` the seconds the hold went on while paused (added
   * to its time), `ended` true when the hold's time ran out meanwhile, `hold` the hold the
   * track was paused in (null when it was not paused in one).
   */
  resume(t) {
    let waited = 0;
    let hold = null;
    if (this.pause) {
      hold = this.holds.find((h) => h.id === this.pause.id) || null;
      if (hold && !this.over.has(hold.id)) {
        const after = this.gone(hold);
        waited = Math.max(0, after - (this.pause.base || 0));
        this.spent.set(hold.id, after);
        if (after + EPSILON >= hold.end - hold.start) this.over.add(hold.id);
      }
      this.pause = null;
    }
    this.sounding = true;
    const time = this.place(t, t);
    const ended = Boolean(hold && this.holdAt(t) === hold && time + EPSILON >= hold.end);
    this.observe(time);
    return { time, waited, ended, hold };
  }

  /**
   * What to save with the position, so a reload keeps the rule (rule 4): playing at `t` in a
   * hold is saved as a pause starting now, which a later save replaces.
   */
  snapshot(t) {
    this.observe(t);
    let pause = this.pause ? { ...this.pause } : null;
    const hold = this.holdAt(t);
    if (!pause && this.sounding && hold && !this.over.has(hold.id)) {
      pause = { id: hold.id, at: this.now(), base: this.spent.get(hold.id) || 0 };
    }
    return { spent: Object.fromEntries(this.spent), over: [...this.over], pause };
  }

  /** Take up a snapshot() (unknown or broken fields are ignored: the track's holds rule). */
  load(saved) {
    const ids = new Set(this.holds.map((h) => h.id));
    if (saved.spent && typeof saved.spent === 'object') {
      for (const [id, seconds] of Object.entries(saved.spent)) {
        if (ids.has(id) && Number.isFinite(seconds) && seconds > 0) this.spent.set(id, seconds);
      }
    }
    if (Array.isArray(saved.over)) for (const id of saved.over) if (ids.has(id)) this.over.add(id);
    const pause = saved.pause;
    if (pause && ids.has(pause.id) && Number.isFinite(pause.at)) {
      const base = Number.isFinite(pause.base) ? pause.base : this.spent.get(pause.id) || 0;
      this.pause = { id: pause.id, at: pause.at, base };
    }
  }
}
