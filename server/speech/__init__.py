"""What is said, and under which id: clip ids, every narrated sentence (pages and session
scripts), and which clips the narration build has made."""
