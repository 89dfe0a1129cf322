"""`okr-coach check`: the linter for OKR files in a repository.

config (pyproject.toml [tool.okr-coach] or .okr-coach.toml, then the command line) →
discover (which files) → suppress (inline comments found) → sources (each file read
into its OKR sets, positions kept) → check (the one pipeline, `coach.pipeline.review_many`;
findings placed at file:line:col by `positions`; per-file ignores and suppressions) →
formats (text, full, json, github, junit, markdown) and sarif.
"""
