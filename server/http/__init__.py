"""HTTP plumbing, below every page: security headers and limits, the answers cookie,
compression and sealing of responses, static and narration files, URLs, logs, connections."""
