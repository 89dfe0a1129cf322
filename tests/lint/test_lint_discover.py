
import pytest

from coach.errors import ConfigError
from coach.lint.config import LintSettings
from coach.lint.discover import discover, matches


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("OKR.md", True), ("docs/OKRs.md", True), ("handbook/okr-2026.md", True),
        ("okrs/2026/q1.md", True), ("team/OKRS/q1.md", True), ("platform-okrs.yaml", True),
        ("a/b/okr.json", True), ("sales_okrs.CSV", True),
        ("README.md", False), ("okrs.txt", False), ("notes/q1.md", False), ("okr.md.bak", False),
    ],
)  # fmt: skip
def test_default_globs(path, found):
    assert matches(path, LintSettings().include) is found


def test_walks_folders_skipping_excluded_ones(tmp_path):
    for rel in ("OKR.md", "node_modules/x/OKR.md", ".git/OKR.md", "a/okrs/q1.md", "a/old/OKR.md", "b.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    settings = LintSettings(root=tmp_path, exclude=LintSettings().exclude + ("a/old",))
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], settings)]
    assert found == ["OKR.md", "a/okrs/q1.md"]
    # a file named explicitly is read whatever its name, once, unless excluded
    named = discover([tmp_path / "b.md", tmp_path / "b.md", tmp_path / "a/old/OKR.md"], settings)
    assert named == [tmp_path / "b.md"]
    with pytest.raises(ConfigError, match="no such file or folder"):
        discover([tmp_path / "missing"], settings)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [("OKR.md", "okr*.md"), (".hidden", "*"), ("a.b", "*.B"), ("node_modules", "node_modules"),
     ("x1", "x[0-9]"), ("x", "x?"), ("okrs.yaml", "*okr*")],
)  # fmt: skip
def test_name_patterns_match_as_wcmatch_would(name, pattern):
    from wcmatch import glob

    flags = glob.GLOBSTAR | glob.BRACE | glob.IGNORECASE | glob.DOTGLOB
    assert matches(name, (pattern,)) is glob.globmatch(name, pattern, flags=flags)
