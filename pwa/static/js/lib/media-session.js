/*
 * Media Session helpers: lock-screen and headset controls. Every call is safe where the API
 * (or one of its actions) is missing. WebKit drops the handlers when playback (re)starts, so
 * callers set them again on each `playing` event.
 */

export function hasMediaSession() {
  return typeof navigator !== 'undefined' && 'mediaSession' in navigator;
}

/** Set title, artist, album and artwork; the controls still work when MediaMetadata is missing. */
export function setMetadata(fields) {
  if (!hasMediaSession()) return;
  try {
    navigator.mediaSession.metadata = new window.MediaMetadata(fields);
  } catch {
    // MediaMetadata missing: the page still shows what is playing.
  }
}

/** Set each handler in `{action: handler}`, skipping the actions this browser does not offer. */
export function setActionHandlers(handlers) {
  if (!hasMediaSession()) return;
  for (const [action, handler] of Object.entries(handlers)) {
    try {
      navigator.mediaSession.setActionHandler(action, handler);
    } catch {
      // An action this browser does not support.
    }
  }
}

export function setPlaybackState(state) {
  if (hasMediaSession()) navigator.mediaSession.playbackState = state;
}

/** Position on the lock screen's progress bar; `position` is clamped to [0, duration]. */
export function setPositionState({ duration, playbackRate, position }) {
  if (!hasMediaSession() || !navigator.mediaSession.setPositionState) return;
  try {
    navigator.mediaSession.setPositionState({
      duration,
      playbackRate: playbackRate || 1,
      position: Math.min(Math.max(position, 0), duration),
    });
  } catch {
    // Some browsers refuse position state before metadata; the next update sets it.
  }
}

/**
 * Where the browser offers navigator.audioSession (Safari 16.4+), say this page plays media
 * ('playback'), so the ring/silent switch does not mute the voice. Safe elsewhere.
 */
export function preferPlayback(nav = typeof navigator !== 'undefined' ? navigator : null) {
  try {
    if (nav && nav.audioSession && nav.audioSession.type !== 'playback') nav.audioSession.type = 'playback';
  } catch {
    // read-only or refused: the default session still plays
  }
}
