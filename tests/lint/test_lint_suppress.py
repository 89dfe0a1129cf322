from coach.lint.suppress import find, silence


def test_markdown_comments_are_found_and_blanked_keeping_offsets():
    text = "# T\n<!-- okr-coach: ignore KR04 -->\n- Increase NPS to 50\n- Launch x <!-- okr-coach: ignore KR01, KR02 -->\n"
    masked, found = find(text, yaml_like=False)
    assert len(masked) == len(text) and "okr-coach" not in masked
    assert masked.splitlines()[3].rstrip() == "- Launch x"
    assert [(s.line, s.col, s.target, s.codes) for s in found] == [
        (2, 1, 3, ("KR04",)),  # alone on its line: the line below
        (4, 12, 4, ("KR01", "KR02")),  # after an item: its own line
    ]


def test_yaml_comments_and_a_bare_ignore():
    text = "objectives:\n  # okr-coach: ignore KR04\n  - text: a  # okr-coach: ignore\n"
    masked, found = find(text, yaml_like=True)
    assert masked == text
    assert [(s.line, s.target, s.codes) for s in found] == [(2, 3, ("KR04",)), (3, 3, ())]
    # `#` is a heading in Markdown, not a comment
    assert find("# okr-coach: ignore KR01\n", yaml_like=False)[1] == []


def test_silence_marks_what_was_used_and_reports_the_rest():
    _, found = find("<!-- okr-coach: ignore KR01 missing-baseline KR03 -->\n- x\n", yaml_like=False)
    assert silence(found, 2, "KR01", "task-as-key-result")
    assert silence(found, 2, "KR04", "missing-baseline")  # by name
    assert not silence(found, 2, "KR02", "unmeasurable-key-result")
    assert not silence(found, 1, "KR01", "task-as-key-result")  # another line
    assert found[0].unused() == ["KR03"]
    _, bare = find("- x <!-- okr-coach: ignore -->\n", yaml_like=False)
    assert bare[0].unused() == ["*"]
    assert silence(bare, 1, "KR02", "unmeasurable-key-result") and bare[0].unused() == []
