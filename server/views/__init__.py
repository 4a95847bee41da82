"""The request handlers, one module per group of pages: the screening, the clinician summary
and history, and the guided session (gate and plans, checks, player); they share
``session_helpers``. Imported by the app factory only."""
