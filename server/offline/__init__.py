"""Offline use: the app version, the "Use offline" page and its file list, the session tracks
it lists, the screening worked out on the device (rules.json), the service worker (/sw.js)
and each language's web manifest."""
