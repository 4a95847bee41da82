// Guided session: the player (one <audio> element, chapters, Media Session), the plan
// suggestion from history kept on this device, and recording how a session felt.
// Every string shown comes from the page (data attributes); the script holds no text.
// Loaded as an ES module by the session templates; behaviour attaches to data-module roots.

const HISTORY_KEY = "ig.session.history.v1";
const POSITION_PREFIX = "ig.session.position.v1.";
const SAVED_FLAG = "ig.session.saved";
const HISTORY_LIMIT = 200;
// A pause longer than this (a call, a long break) resumes at the start of the current step.
const LONG_PAUSE_MS = 10000;
// A saved position older than this is a different session: start from the beginning.
const POSITION_MAX_AGE_MS = 6 * 60 * 60 * 1000;
const FEELINGS = ["fine", "dizzy", "pain", "other"];
const HOLD_BACK = new Set(["dizzy", "pain"]);
// Chapter starts are exact frame times; currentTime may read back a hair earlier.
const EPSILON = 0.05;

export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (match, key) =>
    Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match,
  );
}

export function clock(seconds) {
  const whole = Math.max(0, Math.floor(seconds + 0.5));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

function load(storage, key, fallback) {
  try {
    const raw = storage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback; // storage disabled (private mode) or corrupt: behave as if empty
  }
}

function save(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or disabled storage: the session still plays; only resume/history is lost.
  }
}

// ------------------------------------------------------------------ progression

export function parseHistory(raw, plans) {
  if (!Array.isArray(raw)) return [];
  const known = new Set(plans.map((p) => p.id));
  return raw.filter(
    (h) =>
      h &&
      typeof h.plan === "string" &&
      known.has(h.plan) &&
      typeof h.day === "string" &&
      h.day.length === 10 &&
      FEELINGS.includes(h.feeling),
  );
}

// Mirrors server.session.suggest (a browser test compares the two on the same histories).
export function suggest(plans, history) {
  const ladder = plans.filter((p) => p.ladder).sort((a, b) => a.step - b.step);
  const byId = new Map(plans.map((p) => [p.id, p]));
  const result = (plan, reason, done = 0, needed = 0) => ({
    plan: plan.id,
    reason,
    done,
    needed,
    gentler: plan.gentler ?? null,
  });
  const entries = parseHistory(history, plans);
  if (!entries.length) return result(ladder[0], "first");
  const onLadder = entries.filter((h) => byId.get(h.plan).ladder);
  const index = onLadder.length ? ladder.indexOf(byId.get(onLadder[onLadder.length - 1].plan)) : 0;
  const current = ladder[index];
  const last = entries[entries.length - 1];
  if (HOLD_BACK.has(last.feeling)) return result(ladder[Math.max(index - 1, 0)], "held-back");
  if (last.feeling === "other") return result(current, "repeat");
  let since = 0;
  entries.forEach((h, i) => {
    if (HOLD_BACK.has(h.feeling)) since = i + 1;
  });
  const fineDays = new Set(
    entries.slice(since).filter((h) => h.plan === current.id && h.feeling === "fine").map((h) => h.day),
  );
  if (index === ladder.length - 1) return result(current, "top");
  const needed = current.move_on_after || 1;
  if (fineDays.size >= needed) return result(ladder[index + 1], "move-on");
  return result(current, "continue", fineDays.size, needed);
}

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function readHistory() {
  const raw = load(localStorage, HISTORY_KEY, []);
  return Array.isArray(raw) ? raw : [];
}

export function recordSession(plan, feeling) {
  const history = readHistory();
  history.push({ plan, day: today(), feeling, at: Date.now() });
  save(localStorage, HISTORY_KEY, history.slice(-HISTORY_LIMIT));
}

function initPlans(root) {
  const data = JSON.parse(root.dataset.plans);
  const strings = data.strings;
  const byId = new Map(data.plans.map((p) => [p.id, p]));
  const reason = root.querySelector("[data-plans-reason]");
  const suggestedLink = root.querySelector("[data-plans-suggested]");
  const gentlerLink = root.querySelector("[data-plans-gentler]");
  const historyNote = root.querySelector("[data-plans-history]");
  const forget = root.querySelector("[data-plans-forget]");

  function show() {
    const history = readHistory();
    const suggestion = suggest(data.plans, history);
    const plan = byId.get(suggestion.plan);
    reason.textContent = format(strings[suggestion.reason], suggestion);
    suggestedLink.href = data.urls[plan.id].start;
    suggestedLink.textContent = format(strings.start_suggested, { plan: plan.title });
    if (gentlerLink) {
      const gentler = suggestion.gentler && byId.get(suggestion.gentler);
      gentlerLink.hidden = !gentler;
      if (gentler) {
        gentlerLink.href = data.urls[gentler.id].start;
        gentlerLink.textContent = format(strings.start_gentler, { plan: gentler.title });
      }
    }
    for (const item of root.querySelectorAll("[data-plan-id]")) {
      const id = item.dataset.planId;
      const isSuggested = id === plan.id;
      item.classList.toggle("ig-plan--suggested", isSuggested);
      item.querySelector("[data-plan-tag]").hidden = !isSuggested;
      // Further along than the suggestion: ask to confirm first.
      const ahead = byId.get(id).step > plan.step;
      item.querySelector("[data-plan-link]").href = data.urls[id][ahead ? "ahead" : "start"];
    }
    const count = parseHistory(history, data.plans).length;
    historyNote.hidden = count === 0;
    forget.hidden = count === 0;
    if (count) historyNote.textContent = format(strings.history_count, { count });
  }

  forget.addEventListener("click", () => {
    save(localStorage, HISTORY_KEY, null);
    show();
    historyNote.hidden = false;
    historyNote.textContent = strings.history_forgotten;
    reason.focus?.();
  });
  show();
}

function initFeedback(form) {
  let chosen = null;
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[name=feeling]");
    if (button) chosen = button.value;
  });
  form.addEventListener("submit", (event) => {
    const feeling = event.submitter?.value ?? chosen;
    if (!FEELINGS.includes(feeling)) return;
    recordSession(form.dataset.planId, feeling);
    save(sessionStorage, SAVED_FLAG, true);
  });
}

function showSaved(note) {
  if (load(sessionStorage, SAVED_FLAG, false)) {
    note.hidden = false;
    save(sessionStorage, SAVED_FLAG, null);
  }
}

// ------------------------------------------------------------------ player

function initPlayer(root) {
  if (!root.dataset.player) return; // no track built: the page lists the steps only
  const data = JSON.parse(root.dataset.player);
  const S = data.strings;
  const chapters = data.chapters;
  const audio = root.querySelector("[data-session-audio]");
  const el = (name) => root.querySelector(`[data-${name}]`);
  const title = el("step-title");
  const counter = el("step-counter");
  const line = el("step-line");
  const stepLeft = el("step-left");
  const timeLeft = el("time-left");
  const elapsed = el("time-elapsed");
  const notice = el("session-notice");
  const status = el("session-status");
  const controls = el("session-controls");
  const toggle = root.querySelector("[data-action=toggle]");
  const caption = el("player-caption");
  const comeUp = chapters.findIndex((c) => c.id === data.come_up);
  const positionKey = `${POSITION_PREFIX}${data.lang}.${data.plan}`;
  const hasMediaSession = "mediaSession" in navigator;

  let current = -1;
  let pausedAt = null;
  let pendingSeek = null;
  let lastSaved = 0;

  root.classList.add("ig-session--js");
  controls.hidden = false;

  const duration = () => (Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : data.duration);
  const now = () => (pendingSeek !== null ? pendingSeek : audio.currentTime);

  function chapterAt(t) {
    let index = 0;
    chapters.forEach((c, i) => {
      if (c.start <= t + EPSILON) index = i;
    });
    return index;
  }

  function say(message, visible) {
    status.textContent = message;
    if (visible) {
      notice.textContent = message;
      notice.hidden = false;
    }
  }

  function setMetadata() {
    if (!hasMediaSession || current < 0) return;
    try {
      navigator.mediaSession.metadata = new MediaMetadata({
        title: chapters[current].title,
        artist: data.app,
        album: data.album,
      });
    } catch {
      // MediaMetadata missing: the page still shows the step.
    }
  }

  function setPositionState() {
    if (!hasMediaSession || !navigator.mediaSession.setPositionState) return;
    const total = duration();
    try {
      navigator.mediaSession.setPositionState({
        duration: total,
        playbackRate: audio.playbackRate || 1,
        position: Math.min(Math.max(now(), 0), total),
      });
    } catch {
      // Some browsers refuse position state before metadata; the next update sets it.
    }
  }

  function savePosition(force) {
    const t = now();
    if (!force && Math.abs(t - lastSaved) < 2) return;
    lastSaved = t;
    save(localStorage, positionKey, {
      chapter: chapters[current].id,
      time: t,
      file: data.file,
      savedAt: Date.now(),
    });
  }

  function update(announce = true) {
    const t = now();
    const index = chapterAt(t);
    const chapter = chapters[index];
    if (index !== current) {
      const previous = root.querySelector(`[data-chapter-id][aria-current]`);
      previous?.removeAttribute("aria-current");
      root.querySelector(`[data-chapter-id="${chapter.id}"]`)?.setAttribute("aria-current", "step");
      current = index;
      title.textContent = chapter.title;
      const position = format(S.step_n_of_m, { n: index + 1, m: chapters.length });
      counter.textContent = position;
      if (announce) status.textContent = `${position}: ${chapter.title}`;
      setMetadata();
      setPositionState();
      savePosition(true);
    }
    let spoken = chapter.lines[0];
    for (const candidate of chapter.lines) if (candidate.start <= t + EPSILON) spoken = candidate;
    if (line.textContent !== spoken.text) line.textContent = spoken.text;
    stepLeft.textContent = clock(chapter.end - t);
    timeLeft.textContent = clock(duration() - t);
    elapsed.textContent = clock(t);
    savePosition(false);
  }

  function seek(t) {
    const target = Math.min(Math.max(t, 0), duration());
    if (audio.readyState >= 1) {
      audio.currentTime = target;
    } else {
      pendingSeek = target; // applied once the track's metadata is known
      if (audio.preload === "none") audio.load();
    }
    update();
    setPositionState();
  }

  // After an interruption (a call, a long pause), go back to the start of the step and say
  // which step it is (the step's first sentence names it too).
  function rewindAfterLongPause() {
    if (pausedAt !== null && Date.now() - pausedAt > LONG_PAUSE_MS) {
      const chapter = chapters[chapterAt(audio.currentTime)];
      audio.currentTime = chapter.start;
      say(format(S.resumed_step, { step: chapter.title }), true);
    }
    pausedAt = null;
  }

  function play() {
    rewindAfterLongPause(); // before play(), so not a word of the old position is heard
    const promise = audio.play();
    promise?.catch?.((error) => {
      if (error && error.name === "AbortError") return; // a seek or a new play() replaced it
      say(S.play_blocked, true);
    });
  }

  function goToChapter(index, andPlay) {
    seek(chapters[Math.min(Math.max(index, 0), chapters.length - 1)].start);
    if (andPlay) play();
  }

  // "Repeat step": back to the start of this step (or the previous one when just begun).
  function repeatStep() {
    const index = chapterAt(now());
    const into = now() - chapters[index].start;
    goToChapter(into < 2 && index > 0 ? index - 1 : index, !audio.paused);
  }

  function nextStep() {
    goToChapter(chapterAt(now()) + 1, !audio.paused);
  }

  // Stop means: come up now. Always to the come-up instructions, and always speaking.
  function stopNow() {
    goToChapter(comeUp, true);
  }

  function applyHandlers() {
    if (!hasMediaSession) return;
    const handlers = {
      play: () => play(),
      pause: () => audio.pause(),
      previoustrack: () => repeatStep(),
      nexttrack: () => nextStep(),
      stop: () => stopNow(),
      seekto: (details) => seek(details.seekTime),
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        navigator.mediaSession.setActionHandler(action, handler);
      } catch {
        // An action this browser does not support.
      }
    }
  }

  audio.addEventListener("loadedmetadata", () => {
    if (pendingSeek !== null) {
      const target = pendingSeek;
      pendingSeek = null;
      audio.currentTime = target;
    }
    setPositionState();
  });
  audio.addEventListener("timeupdate", () => update());
  audio.addEventListener("seeked", () => {
    update();
    setPositionState();
  });
  audio.addEventListener("play", () => {
    rewindAfterLongPause(); // playback started elsewhere (native controls, the system)
    toggle.textContent = S.pause;
  });
  audio.addEventListener("playing", () => {
    applyHandlers(); // WebKit drops the handlers when playback (re)starts
    if (hasMediaSession) navigator.mediaSession.playbackState = "playing";
    setPositionState();
  });
  audio.addEventListener("pause", () => {
    if (!audio.ended) pausedAt = Date.now();
    toggle.textContent = S.play;
    if (hasMediaSession) navigator.mediaSession.playbackState = "paused";
    savePosition(true);
  });
  audio.addEventListener("ended", () => {
    toggle.textContent = S.play;
    save(localStorage, positionKey, null);
    say(S.ended, true);
    root.querySelector("[data-session-feedback]")?.classList.add("ig-button--primary-next");
  });

  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target || !root.contains(target)) return;
    const action = target.dataset.action;
    if (action === "toggle") {
      if (audio.paused) play();
      else audio.pause();
    } else if (action === "previous") repeatStep();
    else if (action === "next") nextStep();
    else if (action === "stop") {
      event.preventDefault();
      stopNow();
    } else if (action === "layout") {
      event.preventDefault();
      switchLayout(target);
    }
  });

  // Carer and standard layouts are one page: switching never replaces the audio element.
  function switchLayout(link) {
    const carer = root.classList.toggle("ig-session--carer");
    document.body.classList.toggle("ig-body--carer", carer);
    const href = link.dataset.otherHref;
    const text = link.dataset.otherText;
    link.dataset.otherHref = link.getAttribute("href");
    link.dataset.otherText = link.textContent;
    link.setAttribute("href", href);
    link.textContent = text;
    history.replaceState(history.state, "", link.dataset.otherHref);
    caption.textContent = carer ? S.carer_caption : S.standard_caption;
    document.title = (carer ? S.carer_title : S.standard_title) + S.page_suffix;
  }
  if (root.classList.contains("ig-session--carer")) document.body.classList.add("ig-body--carer");

  // A reload (or a return to the page) resumes at the start of the step it was in.
  const saved = load(localStorage, positionKey, null);
  if (saved && typeof saved.savedAt === "number" && Date.now() - saved.savedAt < POSITION_MAX_AGE_MS) {
    const index = chapters.findIndex((c) => c.id === saved.chapter);
    if (index > 0 || (index === 0 && saved.time > 1)) {
      seek(chapters[index].start);
      say(format(S.resume_notice, { step: chapters[index].title }), true);
    }
  }
  if (current < 0) update(false);
  applyHandlers();
}

// ------------------------------------------------------------------ start

const modules = {
  "session-player": initPlayer,
  "session-plans": initPlans,
  "session-feedback": initFeedback,
};

for (const root of document.querySelectorAll("[data-module]")) {
  const init = modules[root.dataset.module];
  if (init) init(root);
}
for (const note of document.querySelectorAll("[data-feedback-saved]")) showSaved(note);
