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


# --- validation at load: unknown checks and word classes fail early, naming file and key ---

import re as _re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path as _Path  # noqa: E402

from coach.checks import CHECKS  # noqa: E402
from coach.errors import RubricError as _RubricError  # noqa: E402
from coach.lexicon import REQUIRED_CLASSES  # noqa: E402
from coach.resources import rubrics_dir  # noqa: E402
from coach.rubric import CHECK_NAMES  # noqa: E402


def test_check_names_are_the_detectors():
    assert set(CHECKS) == CHECK_NAMES


def test_required_word_classes_are_the_ones_the_code_reads():
    package = _Path(__file__).resolve().parents[1] / "coach"
    used: set[str] = set()
    for path in package.rglob("*.py"):
        source = path.read_text()
        used |= set(_re.findall(r'lex(?:icon)?\["([a-z_]+)"\]', source))
        used |= set(_re.findall(r'lookup\("([a-z_]+)"', source))
        for args in _re.findall(r"union\(([^)]*)\)", source):
            used |= set(_re.findall(r'"([a-z_]+)"', args))
    assert used <= REQUIRED_CLASSES, sorted(used - REQUIRED_CLASSES)
    default = load_rubric(None).lexicon
    assert set(default.raw) >= REQUIRED_CLASSES, sorted(REQUIRED_CLASSES - set(default.raw))


def _copy_default(tmp_path):
    folder = tmp_path / "rubric"
    shutil.copytree(rubrics_dir() / "default", folder)
    return folder


def test_an_unknown_check_fails_at_load_naming_file_and_key(tmp_path):
    folder = _copy_default(tmp_path)
    rule = folder / "rules" / "KR06.yaml"
    rule.write_text(_re.sub(r"(?m)^check: .*$", "check: compund", rule.read_text()))
    with pytest.raises(_RubricError, match=r"KR06\.yaml: check: unknown check 'compund'"):
        load_rubric(folder)


def test_a_missing_word_class_fails_at_load(tmp_path):
    folder = _copy_default(tmp_path)
    lexicon = folder / "lexicon.yaml"
    lexicon.write_text(lexicon.read_text().replace("hire_verbs:", "hire_verbz:"))
    with pytest.raises(_RubricError, match=r"lexicon\.yaml: missing word class 'hire_verbs'"):
        load_rubric(folder)


def test_the_cli_refuses_a_bad_rubric_with_exit_2_and_one_line(tmp_path):
    folder = _copy_default(tmp_path)
    rule = folder / "rules" / "KR06.yaml"
    rule.write_text(_re.sub(r"(?m)^check: .*$", "check: compund", rule.read_text()))
    draft = tmp_path / "draft.md"
    draft.write_text("Objective: Grow repeat business\nKR: Increase repeat purchase rate to 26%\n")
    done = subprocess.run(
        [sys.executable, "-m", "coach", "review", str(draft), "--rubric", str(folder)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "KR06.yaml" in lines[0] and "compund" in lines[0], done.stderr
