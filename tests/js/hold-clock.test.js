// Time head-down never grows (decision 15): the rule in lib/hold-clock.js, against a fake
// wall clock, and a property check that no sequence of presses adds time in the holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chapterAt, repeatTarget } from '../../pwa/static/js/lib/chapters.js';
import { HoldClock } from '../../pwa/static/js/lib/hold-clock.js';

// Two 60 s holds with a rest between them, as plan_script lays out a plan with two holds.
const chapters = [
  { id: 'setup', kind: 'setup', start: 0, end: 20 },
  { id: 'tilt-back', kind: 'tilt_back', start: 20, end: 30 },
  { id: 'hold-1', kind: 'hold', start: 30, end: 90 },
  { id: 'up-1', kind: 'up_between', start: 90, end: 100 },
  { id: 'rest-1', kind: 'rest_between', start: 100, end: 130 },
  { id: 'tilt-2', kind: 'tilt_again', start: 130, end: 140 },
  { id: 'hold-2', kind: 'hold', start: 140, end: 200 },
  { id: 'come-up', kind: 'come_up', start: 200, end: 220 },
  { id: 'rest', kind: 'rest', start: 220, end: 240 },
];
const HOLD_SECONDS = 120;

function fakeTime(start = 1_000_000) {
  let ms = start;
  return {
    now: () => ms,
    pass: (seconds) => {
      ms += seconds * 1000;
    },
  };
}

test('a pause in a hold goes on counting: play resumes later by the seconds paused', () => {
  const time = fakeTime();
  const clock = new HoldClock(chapters, { now: time.now });
  clock.observe(45); // 15 s into hold 1
  clock.paused(45);
  time.pass(20);
  const back = clock.resume(45);
  assert.equal(back.time, 65);
  assert.equal(back.waited, 20);
  assert.equal(back.ended, false);
  assert.equal(back.hold.id, 'hold-1');
  assert.equal(clock.left(chapters[2]), 25);
});

test('a pause longer than the hold goes to the chapter after it (the way up)', () => {
  const time = fakeTime();
  const clock = new HoldClock(chapters, { now: time.now });
  clock.paused(80); // 50 s in, 10 s left
  time.pass(60);
  const back = clock.resume(80);
  assert.equal(back.time, 90);
  assert.equal(chapters[chapterAt(chapters, back.time)].id, 'up-1');
  assert.equal(back.ended, true);
  assert.equal(back.waited, 10); // only the time the hold had left
  // The last hold's end is the come-up.
  clock.paused(150);
  time.pass(3600);
  assert.equal(chapters[chapterAt(chapters, clock.resume(150).time)].id, 'come-up');
});

test('a pause outside a hold changes nothing', () => {
  const time = fakeTime();
  const clock = new HoldClock(chapters, { now: time.now });
  clock.paused(10);
  time.pass(600);
  assert.deepEqual(clock.resume(10), { time: 10, waited: 0, ended: false, hold: null });
  clock.paused(95); // coming up between holds
  time.pass(600);
  assert.equal(clock.resume(95).time, 95);
});

test('Repeat step, a seek back or previous inside a hold never goes earlier in the hold', () => {
  const time = fakeTime();
  const clock = new HoldClock(chapters, { now: time.now });
  clock.observe(70); // 40 s into hold 1
  assert.equal(clock.place(70, chapters[repeatTarget(chapters, 70)].start), 70);
  assert.equal(clock.place(70, 35), 70);
  // Just begun (under 2 s in), "Repeat step" would go to the tilt: it stays in the hold.
  const fresh = new HoldClock(chapters, { now: time.now });
  fresh.observe(31);
  assert.equal(chapters[repeatTarget(chapters, 31)].id, 'tilt-back');
  assert.equal(fresh.place(31, 20), 31);
  assert.equal(fresh.place(31, 0), 31);
  // Forward inside a hold is allowed (it only shortens the hold).
  assert.equal(clock.place(70, 80), 80);
});

test('a paused hold cannot be wound back either: seeks land where the running clock is', () => {
  const time = fakeTime();
  const clock = new HoldClock(chapters, { now: time.now });
  clock.paused(40);
  time.pass(30);
  assert.equal(clock.place(40, 30), 70);
  time.pass(60);
  assert.equal(clock.place(40, 30), 90); // its time is up: the way up
});

test('looking at a paused hold again and again never moves it on without time passing', () => {
  const time = fakeTime();
  const clock = new HoldClock(chapters, { now: time.now });
  clock.paused(50);
  time.pass(4);
  let t = 50;
  for (let i = 0; i < 20; i += 1) {
    t = clock.place(t, t); // the player checks every seek it sees, including its own
    clock.observe(t);
  }
  assert.equal(t, 54);
  time.pass(1);
  const back = clock.resume(t);
  assert.equal(back.time, 55);
  assert.equal(back.waited, 5);
});

test('a hold left forwards is over: previous from the chapter after it never goes back in', () => {
  const time = fakeTime();
  const clock = new HoldClock(chapters, { now: time.now });
  clock.observe(50);
  clock.observe(90); // Next: on to the way up
  assert.equal(clock.place(91, chapters[repeatTarget(chapters, 91)].start), 90);
  assert.equal(clock.place(91, 60), 90);
  // Stop in hold 1 jumps to the come-up, past hold 2: neither hold plays again.
  const stopped = new HoldClock(chapters, { now: time.now });
  stopped.observe(40);
  stopped.observe(200);
  assert.equal(chapters[repeatTarget(chapters, 200.5)].id, 'hold-2');
  assert.equal(stopped.place(200.5, 140), 200);
  // Replayed from the tilt, an over hold is skipped to the chapter after it.
  assert.equal(stopped.place(25, 30.2), 90);
});

test('a reload is a pause that began at the last save', () => {
  const time = fakeTime();
  const before = new HoldClock(chapters, { now: time.now });
  before.resume(30);
  time.pass(30);
  before.observe(60); // played 30 s into hold 1
  const saved = JSON.parse(JSON.stringify(before.snapshot(60)));
  time.pass(12);
  const after = new HoldClock(chapters, { now: time.now, saved });
  assert.equal(after.place(60, 60), 72);
  const back = after.resume(60);
  assert.equal(back.time, 72);
  assert.equal(back.waited, 12);
  // Saved while paused: counted from the pause, not from the save.
  const paused = new HoldClock(chapters, { now: time.now });
  paused.paused(60);
  time.pass(5);
  const whilePaused = paused.snapshot(60);
  time.pass(5);
  assert.equal(new HoldClock(chapters, { now: time.now, saved: whilePaused }).place(60, 60), 70);
  // Broken or foreign snapshots are ignored.
  const odd = new HoldClock(chapters, { now: time.now, saved: { spent: { nope: 5, 'hold-1': 'x' }, over: [3], pause: {} } });
  assert.equal(odd.place(40, 40), 40);
});

test('a snapshot of an over hold stays over', () => {
  const time = fakeTime();
  const clock = new HoldClock(chapters, { now: time.now });
  clock.resume(100);
  const again = new HoldClock(chapters, { now: time.now, saved: clock.snapshot(100) });
  assert.equal(again.place(100, 30), 90);
});

// Any sequence of presses, at any times: the seconds the person spends in holds (played, or
// paused there while the hold still has time left) never add up to more than the plan's holds,
// and the track never sounds in a hold whose time is up. (A track left paused after its hold's
// time is up waits for the person: the first press of play goes on to the way up.)
function randomSource(seed) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** A session on a fake clock: the track's position, and the seconds spent in holds. */
function session() {
  const time = fakeTime();
  return { time, clock: new HoldClock(chapters, { now: time.now }), t: 0, playing: false, inHolds: 0 };
}

/** Time passes: the track plays on (the player's check on each timeupdate), or sits paused. */
function passTime(s, seconds, random) {
  for (let gone = 0; gone < seconds; gone += 0.25) {
    const hold = s.clock.holdAt(s.t);
    if (hold && (s.playing || s.clock.left(hold) > 0)) s.inHolds += 0.25;
    s.time.pass(0.25);
    if (s.playing) {
      s.t = s.clock.place(s.t, Math.min(s.t + 0.25, 240));
      s.clock.observe(s.t);
    } else if (random() < 0.2) {
      s.t = s.clock.place(s.t, s.t); // the page looks again while paused (a seek event, a save)
      s.clock.observe(s.t);
      s.clock.snapshot(s.t);
    }
  }
}

function goTo(s, to) {
  s.t = s.clock.place(s.t, to);
  s.clock.observe(s.t);
}

/** Pause or play, as the page, the lock screen or a headset would. */
function toggle(s, run) {
  if (s.playing) {
    s.clock.paused(s.t);
    s.playing = false;
    return;
  }
  s.t = s.clock.resume(s.t).time;
  s.playing = true;
  const hold = s.clock.holdAt(s.t);
  assert.ok(!hold || s.clock.left(hold) > 0, `run ${run}: sounds in a hold that is over`);
}

/** A reload: the page keeps only what it saved, a moment ago, and starts paused. */
function reload(s) {
  const saved = JSON.parse(JSON.stringify(s.clock.snapshot(s.t)));
  s.clock = new HoldClock(chapters, { now: s.time.now, saved });
  if (s.playing) s.clock.paused(s.t);
  s.playing = false;
  goTo(s, s.t);
}

test('no sequence of presses adds time head-down (property, 500 random sessions)', () => {
  const random = randomSource(7);
  for (let run = 0; run < 500; run += 1) {
    const s = session();
    for (let step = 0; step < 60 && s.t < 240; step += 1) {
      const action = Math.floor(random() * 9);
      if (action <= 2) passTime(s, random() * 40, random);
      else if (action === 3) toggle(s, run);
      else if (action === 4) goTo(s, chapters[repeatTarget(chapters, s.t)].start);
      else if (action === 5) goTo(s, chapters[Math.min(chapterAt(chapters, s.t) + 1, chapters.length - 1)].start);
      else if (action === 6) goTo(s, random() * 240); // the lock screen's scrubber
      else if (action === 7) goTo(s, 200); // Stop: the come-up
      else reload(s);
      assert.ok(s.inHolds <= HOLD_SECONDS + 0.5, `run ${run}: ${s.inHolds} s in holds`);
    }
  }
});
