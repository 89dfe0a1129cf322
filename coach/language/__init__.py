"""The linguistic layer: read each objective and key result once, keep what was read frozen,
decide each label in one place.

    patterns   named regexes from the rubric's patterns.yaml, validated when it loads
    facts      what was read (frozen): lead verb, numbers in their roles, metric words
    reading    shared helpers: fillers, noun phrases, countable and quality words
    leads      the verb (or direction word) that leads a key result
    roles      which numbers are values to reach, which only pick what is counted
    tasks      is the key result the team's own work, and why
    key_results, objectives   the readers: `analyze_kr`, `analyze_objective`
    labels     the one place a label is decided (the contract's precedence)
    phrases    metric, target, baseline, verb: shared by findings and rewrites

Imports run one way, down this list; nothing here imports checks, rewrites or the pipeline.
The word classes live in the rubric's lexicon (`coach.lexicon`), the numbers reader in
`coach.quantities`.
"""
