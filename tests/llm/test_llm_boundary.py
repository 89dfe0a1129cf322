"""Only coach/llm/ imports the LLM SDKs (openai, httpx2, langchain-core)."""

from __future__ import annotations

import ast
from pathlib import Path

import coach

SDKS = ("openai", "httpx2", "langchain_core", "langchain")


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_coach_llm_imports_llm_sdks():
    package = Path(coach.__file__).parent
    offenders = {
        str(path.relative_to(package)): sorted(_imported(path) & set(SDKS))
        for path in package.rglob("*.py")
        if "llm" not in path.relative_to(package).parts[:1]
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_langchain_core_is_imported_only_by_the_langchain_client():
    llm = Path(coach.__file__).parent / "llm"
    users = sorted(p.name for p in llm.glob("*.py") if _imported(p) & {"langchain_core", "langchain"})
    assert users == ["langchain_client.py"]
