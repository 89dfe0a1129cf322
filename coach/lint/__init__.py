"""`okr-coach check`: the linter for OKR files in a repository.

discover (which files) → sources (each file read into OKR sets with positions) →
the one pipeline (`coach.pipeline.review_many`) → suppress (inline comments,
per-file ignores) → formats (text, json, github, sarif, junit, markdown).
Settings come from `config` (pyproject.toml or .okr-coach.toml, then the command line).
"""
