"""LLMSettings: environment variables, fallbacks, limits and the price table."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from coach.llm import LLMSettings, Price, Usage
from coach.llm.settings import DEFAULT_PRICES


def test_environment_is_hermetic():
    assert not [name for name in os.environ if name.startswith(("OPENAI_", "OKR_COACH_"))]


def test_defaults():
    settings = LLMSettings()
    assert settings.capability == "json_schema"
    assert settings.timeout_s == 60 and settings.max_retries == 2 and settings.concurrency == 8
    assert settings.base_url is None and settings.api_key is None and settings.model is None
    assert not settings.configured()
    assert settings.effective_base_url() == "https://api.openai.com/v1"


def test_read_from_okr_coach_llm_variables(monkeypatch):
    monkeypatch.setenv("OKR_COACH_LLM_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("OKR_COACH_LLM_MODEL", "llama3.2")
    monkeypatch.setenv("OKR_COACH_LLM_CAPABILITY", "tools")
    monkeypatch.setenv("OKR_COACH_LLM_TIMEOUT_S", "12.5")
    monkeypatch.setenv("OKR_COACH_LLM_MAX_RETRIES", "4")
    monkeypatch.setenv("OKR_COACH_LLM_CONCURRENCY", "32")
    settings = LLMSettings()
    assert (settings.base_url, settings.model, settings.capability) == (
        "http://localhost:11434/v1", "llama3.2", "tools")
    assert (settings.timeout_s, settings.max_retries, settings.concurrency) == (12.5, 4, 32)
    assert settings.configured()  # a keyless local endpoint is enough


def test_api_key_falls_back_to_openai_api_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("OKR_COACH_LLM_MODEL", "gpt-4.1-mini")
    settings = LLMSettings()
    assert settings.api_key.get_secret_value() == "sk-openai" and settings.configured()
    monkeypatch.setenv("OKR_COACH_LLM_API_KEY", "sk-coach")
    assert LLMSettings().api_key.get_secret_value() == "sk-coach"
    assert "sk-coach" not in repr(LLMSettings())


def test_missing_says_what_to_set(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    assert LLMSettings().missing() == ["OKR_COACH_LLM_MODEL"]
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.setenv("OKR_COACH_LLM_MODEL", "m")
    assert "OKR_COACH_LLM_BASE_URL" in LLMSettings().missing()[0]
    monkeypatch.setenv("OKR_COACH_LLM_API_KEY", "   ")
    assert not LLMSettings().configured()  # a blank key is no key


@pytest.mark.parametrize(
    ("name", "value"),
    [("TIMEOUT_S", "0"), ("TIMEOUT_S", "none"), ("CAPABILITY", "xml"), ("CONCURRENCY", "0"),
     ("MAX_RETRIES", "-1")],
)
def test_invalid_values_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(f"OKR_COACH_LLM_{name}", value)
    with pytest.raises(ValidationError):
        LLMSettings()


def test_price_table_from_json(monkeypatch):
    monkeypatch.setenv("OKR_COACH_LLM_PRICES",
                       '{"gpt-4.1": {"input": 2, "output": 8, "cached": 0.5}, "default": {"input": 0, "output": 0}}')
    settings = LLMSettings()
    assert settings.price_for("gpt-4.1") == Price(input=2, output=8, cached=0.5)
    assert settings.price_for("gpt-4.1-2025-04-14").input == 2  # longest prefix
    assert settings.price_for("llama3.2") == Price(input=0, output=0)


def test_a_table_without_default_falls_back_to_the_built_in_row():
    assert LLMSettings(prices={"x": Price(input=1, output=1)}).price_for("y") == DEFAULT_PRICES["default"]


def test_usage_cost_and_sum():
    usage = Usage(prompt_tokens=1000, completion_tokens=500, cached_tokens=400)
    assert usage.cost(Price(input=2, output=8, cached=0.5)) == pytest.approx((600 * 2 + 400 * 0.5 + 500 * 8) / 1e6)
    assert usage.cost(Price(input=2, output=8)) == pytest.approx((1000 * 2 + 500 * 8) / 1e6)
    total = usage + Usage(prompt_tokens=1, completion_tokens=2, cached_tokens=0)
    assert (total.prompt_tokens, total.completion_tokens, total.cached_tokens, total.total_tokens) == (
        1001, 502, 400, 1503)
