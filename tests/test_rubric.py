"""The rubric is data: every rule is documented, has cases, and its cases hold."""

import textwrap

import pytest

from coach.errors import RubricError, UnknownRuleError
from coach.models import KeyResult, Objective, OkrSet
from coach.pipeline import run_rules
from coach.rubric import load_rubric

DEFAULT = load_rubric()
OBJECTIVE_WITH_OUTCOMES = "Make self-service the default support channel for SMB customers"
OUTCOME_KRS = [
    "Increase self-service adoption from 35% to 55%",
    "Reduce tickets per account from 3 to 2",
]


def _set_for(rule, example: str) -> OkrSet:
    """Wrap an example where its rule would see it, next to clean neighbours."""
    if rule.scope == "objective":
        return OkrSet(
            objectives=[
                Objective(text=example, key_results=[KeyResult(text=k) for k in OUTCOME_KRS])
            ]
        )
    if rule.scope == "key_result":
        krs = [KeyResult(text=example), KeyResult(text=OUTCOME_KRS[0])]
        return OkrSet(objectives=[Objective(text=OBJECTIVE_WITH_OUTCOMES, key_results=krs)])
    from coach.parse import parse

    return parse(example)


CASES = [
    pytest.param(rule, example, flagged, id=f"{rule.id}-{'flags' if flagged else 'passes'}-{i}")
    for rule in DEFAULT.rules.values()
    for flagged, examples in ((True, rule.examples.flagged), (False, rule.examples.not_flagged))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize("rule, example, flagged", CASES)
def test_rule_cases(rule, example, flagged):
    findings = run_rules(_set_for(rule, example), DEFAULT, [rule])
    assert bool(findings) is flagged, f"{rule.id} on {example!r}: {[f.message for f in findings]}"


@pytest.mark.parametrize("rule", list(DEFAULT.rules.values()), ids=lambda r: r.id)
def test_every_rule_has_cases_and_prose(rule):
    assert rule.examples.flagged, f"{rule.id} has no must-flag example"
    assert rule.examples.not_flagged, f"{rule.id} has no must-pass example"
    for field in (rule.summary, rule.message, rule.why, rule.fix):
        assert field.strip()


def test_the_five_labels_each_have_exactly_one_rule():
    labels = sorted(r.label for r in DEFAULT.rules.values() if r.label)
    assert labels == sorted(["aspiration", "task", "no_metric", "no_target", "no_baseline"])


def test_rule_ids_are_stable_and_names_resolve():
    assert DEFAULT.rule("task-as-key-result").id == "KR01"
    assert DEFAULT.rule("kr01").id == "KR01"
    with pytest.raises(UnknownRuleError, match="KR99"):
        DEFAULT.rule("KR99")


def _write(tmp_path, body: str):
    path = tmp_path / "acme.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_custom_rubric_disables_changes_severity_and_threshold(tmp_path):
    rb = load_rubric(
        _write(
            tmp_path,
            """
            extends: default
            name: acme
            rules:
              KR04: {enabled: false}
              KR01: {severity: warning}
              ST02: {params: {max: 3}}
            """,
        )
    )
    assert rb.name == "acme" and rb.full_version.startswith("acme@")
    assert not rb.rule("KR04").enabled
    assert rb.rule("KR01").severity.value == "warning"
    assert rb.rule("ST02").params["max"] == 3
    assert DEFAULT.rule("KR04").enabled, "the default rubric must not change"


def test_custom_words_teach_the_detectors(tmp_path):
    okr = OkrSet(
        objectives=[
            Objective(
                text=OBJECTIVE_WITH_OUTCOMES,
                key_results=[KeyResult(text="Socialise the pricing deck")],
            )
        ]
    )
    rb = load_rubric(_write(tmp_path, "words:\n  delivery_verbs: [socialise]\n"))
    assert [f.label for f in run_rules(okr, rb, [rb.rule("KR01")])] == ["task"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("rules: {KR77: {enabled: false}}", "unknown rule"),
        ("rules: {KR01: {severity: fatal}}", "severity"),
        ("rules: {ST02: {params: {maximum: 3}}}", "unknown"),
        ("words: {magic_words: [abracadabra]}", "unknown word class"),
        ("rules: [KR01]", "must map"),
        ("rules: {KR01: {enabled: false}\n  bad indent", "not valid YAML"),
    ],
)
def test_bad_rubric_files_say_what_is_wrong(tmp_path, body, message):
    with pytest.raises(RubricError, match=message):
        load_rubric(_write(tmp_path, body))


def test_missing_rubric_file():
    with pytest.raises(RubricError, match="not found"):
        load_rubric("/nonexistent/rubric.yaml")
