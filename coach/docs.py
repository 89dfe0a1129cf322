"""Rule documentation, generated from the rubric under fixed headings."""

from __future__ import annotations

import textwrap

from .rubric import Rule

HEADINGS = ("What it flags", "Why is this bad?", "Example", "Use instead", "Options")


def _para(text: str) -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), 88))


def _block(example: str) -> str:
    lines = example.rstrip("\n").splitlines()
    return "\n".join(f"    {line}" for line in lines)


def _options(rule: Rule) -> str:
    toggle = f"Disable it or change its severity in a custom rubric: `rules: {{{rule.id}: {{enabled: false}}}}`."
    if not rule.params:
        return f"No parameters. {toggle}"
    lines = [f"- `{k}` = `{v!r}`" for k, v in rule.params.items()]
    first = next(iter(rule.params))
    lines.append(
        f"\nSet them in a custom rubric: `rules: {{{rule.id}: {{params: {{{first}: ...}}}}}}`. {toggle}"
    )
    return "\n".join(lines)


def rule_doc(rule: Rule) -> str:
    """The Markdown doc of one rule: What it flags / Why is this bad? / Example / Use instead / Options."""
    label = f", label `{rule.label}`" if rule.label else ""
    status = "" if rule.enabled else " (disabled in this rubric)"
    parts = [
        f"# {rule.id} {rule.name}{status}",
        f"Severity `{rule.severity.value}`{label}, scope {rule.scope.replace('_', ' ')}.",
        "## What it flags",
        _para(rule.summary + "."),
        "## Why is this bad?",
        _para(rule.why),
        "## Example",
        "\n\n".join(_block(e) for e in rule.examples.flagged) or "(none)",
        "## Use instead",
        "\n\n".join(_block(e) for e in rule.examples.not_flagged) or "(none)",
        _para(rule.fix.replace("{", "").replace("}", "")),
        "## Options",
        _options(rule),
    ]
    return "\n\n".join(parts) + "\n"
