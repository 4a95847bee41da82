/* A session track's chapters (one per step) and their spoken lines. Pure: no DOM. */

// Chapter starts are exact frame times; currentTime may read back a hair earlier.
export const EPSILON = 0.05;

/** The index of the chapter playing at `t` seconds (the first one before it starts). */
export function chapterAt(chapters, t) {
  let index = 0;
  chapters.forEach((c, i) => {
    if (c.start <= t + EPSILON) index = i;
  });
  return index;
}

/** The line of `chapter` being spoken (or last spoken) at `t`; its first line before that. */
export function lineAt(chapter, t) {
  let spoken = chapter.lines[0];
  for (const candidate of chapter.lines) if (candidate.start <= t + EPSILON) spoken = candidate;
  return spoken;
}

/** Where "Repeat step" goes: this step's start, or the previous step's when just begun. */
export function repeatTarget(chapters, t) {
  const index = chapterAt(chapters, t);
  const into = t - chapters[index].start;
  return into < 2 && index > 0 ? index - 1 : index;
}
