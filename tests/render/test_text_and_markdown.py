"""The text and Markdown reviews: each question asked once per key result, each rule's
'why' said once per review."""

from rich.console import Console

from coach import review
from coach.parse import parse
from coach.render.markdown import review_markdown
from coach.render.text import print_review

DRAFT = """Objective: Make deploys boring for every product team
KR: Migrate all services to the new CI runner
KR: Write the deploy runbook
KR: Grow weekly active teams to 400
"""


def _text(r) -> str:
    console = Console(record=True, width=400, color_system=None)
    print_review(r, console)
    return console.export_text()


def test_why_once_per_rule_and_no_question_twice():
    r = review(parse(DRAFT))
    tasks = [f for f in r.findings if f.rule_id == "KR01"]
    assert len(tasks) == 2  # two task KRs: the rule's why is said once
    for out, why_mark in ((_text(r), "why: "), (review_markdown(r), "*Why:*")):
        whys = [line for line in out.splitlines() if why_mark in line and tasks[0].why[:40] in line]
        assert len(whys) == 1
        asks = [line.split(":", 1)[1].strip() for line in out.splitlines() if "ask:" in line.lower()]
        assert asks and len(asks) == len(set(asks))
        # the finding's short question gives way to the fuller one of the ask block
        assert not any(a.endswith("which result should it change?") for a in asks)


def test_a_rewrites_questions_are_printed_with_it():
    r = review(parse(DRAFT))
    rw = r.rewrite_for(0, 2)
    assert rw is not None and rw.questions
    out = _text(r)
    assert all(q in out for q in rw.questions)
