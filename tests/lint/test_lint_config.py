from pathlib import Path

import pytest

from coach.errors import ConfigError
from coach.lint.config import DEFAULT_INCLUDE, LintSettings, find_config, load_settings


def test_the_nearest_config_wins_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.okr-coach]\nfail-on = "info"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no table: skipped
    assert find_config(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / ".okr-coach.toml").write_text('fail-on = "warning"\n')
    assert find_config(deep) == tmp_path / "a" / ".okr-coach.toml"
    settings = load_settings(find_config(deep))
    assert settings.fail_on == "warning" and settings.root == (tmp_path / "a").resolve()


def test_defaults_without_a_config():
    settings = load_settings(None)
    assert settings.include == DEFAULT_INCLUDE and settings.fail_on == "error" and settings.mode == "rules"


def test_every_key_is_read_and_the_command_line_overrides(tmp_path):
    (tmp_path / "acme.yaml").write_text("extends: default\n")
    (tmp_path / ".okr-coach.toml").write_text(
        'rubric = "acme.yaml"\nselect = ["KR01"]\nignore = ["KR05"]\nfail-on = "info"\n'
        'include = ["goals/*.md"]\nexclude = ["old"]\noutput-format = "sarif"\nmode = "hybrid"\n'
        '[per-file-ignores]\n"goals/draft-*.md" = ["KR01"]\n'
    )
    s = load_settings(tmp_path / ".okr-coach.toml")
    assert s.rubric == str(tmp_path.resolve() / "acme.yaml")
    assert (s.select, s.ignore, s.fail_on, s.include, s.exclude) == (
        ("KR01",), ("KR05",), "info", ("goals/*.md",), ("old",))
    assert s.per_file_ignores == (("goals/draft-*.md", ("KR01",)),)
    assert (s.output_format, s.mode) == ("sarif", "hybrid")
    o = s.with_overrides(fail_on="error", select=None, output_format=None)
    assert (o.fail_on, o.select, o.output_format) == ("error", ("KR01",), "sarif")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("select = 'KR01'", "select: expected a list of non-empty strings"),
        ("fail-on = 3", "fail-on: expected one of error, warning, info, never, got 3"),
        ("output-format = 'xml'", "output-format: expected one of text, full, json"),
        ("per-file-ignores = ['x']", "per-file-ignores: expected a table of glob = [codes]"),
        ("[per-file-ignores]\n'a/*' = 'KR01'", "per-file-ignores.'a/*': expected a list"),
        ("colour = true", "unknown key 'colour'"),
        ("rubric = ''", "rubric: expected a rubric file"),
        ("fail-on = ", "invalid TOML"),
    ],
)
def test_invalid_config_names_the_file_and_the_key(tmp_path, body, message):
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.okr-coach]\n{body}\n".replace("[tool.okr-coach]\n[per", "[tool.okr-coach.per"))
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    assert str(path.resolve()) in exc.value.message and message in exc.value.message


def test_show_settings_is_toml_that_reads_back():
    import tomllib

    shown = LintSettings(per_file_ignores=(("a/**", ("KR01",)),)).show()
    data = tomllib.loads(shown)
    assert data["per-file-ignores"] == {"a/**": ["KR01"]} and data["fail-on"] == "error"
    assert shown.startswith("# settings from defaults")
    assert Path(data["root"]) == Path.cwd()
