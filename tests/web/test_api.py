"""The JSON API through FastAPI's TestClient: reviews, rules, the OpenAPI document."""

from __future__ import annotations

import json
import re

import pytest

from coach import review
from coach.models import Review


def test_post_text_returns_the_review_with_id_links_and_location(client, draft):
    r = client.post("/v1/reviews", json={"text": draft})
    assert r.status_code == 201
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    rid = body["id"]
    assert r.headers["location"] == f"/v1/reviews/{rid}"
    assert body["links"] == {"self": f"/v1/reviews/{rid}", "html": f"/reviews/{rid}"}
    assert body["parent_id"] is None
    assert body["created_at"].endswith("Z")
    # The rest is exactly the Review JSON that coach.review() gives for the same draft.
    expected = review(draft).model_dump(mode="json")
    assert {k: body[k] for k in expected} == expected
    assert Review.model_validate(body).summary.findings == len(body["findings"])
    assert "draft" not in body  # the caller has it; GET returns it


def test_get_returns_what_post_stored_with_the_draft(client, draft):
    posted = client.post("/v1/reviews", json={"text": draft}).json()
    r = client.get(posted["links"]["self"])
    assert r.status_code == 200
    got = r.json()
    assert got.pop("draft") == draft
    assert got == posted


def test_post_okr_set_reviews_the_structured_draft(client, store, okr_set):
    r = client.post("/v1/reviews", json={"okr_set": okr_set})
    assert r.status_code == 201
    body = r.json()
    assert body["okr_set"]["source_format"] == "structured"
    assert body["okr_set"]["objectives"][0]["team"] == "Support"
    assert [f["rule_id"] for f in body["findings"] if f["target"]["key_result"] == 1] == ["KR01"]
    # The stored draft is the okr_set as JSON: the web form can re-open and edit it.
    stored = store.get_review(body["id"])
    assert json.loads(stored.draft) == okr_set


def test_labels_in_an_okr_set_are_ignored(client):
    labelled = {
        "objectives": [
            {"text": "Delight our customers", "labels": ["aspiration"],
             "key_results": [{"text": "Launch new customer portal", "labels": ["task"]}]}
        ]
    }  # fmt: skip
    assert client.post("/v1/reviews", json={"okr_set": labelled}).status_code == 201


@pytest.mark.parametrize(
    ("options", "check"),
    [
        ({"select": ["KR01"]}, lambda ids: ids == {"KR01"}),
        ({"ignore": ["KR01", "OB01"]}, lambda ids: not ids & {"KR01", "OB01"} and ids),
        (
            {"select": ["task-as-key-result"]},
            lambda ids: ids == {"KR01"},
        ),  # a rule's name works too
        ({"mode": "hybrid"}, lambda ids: "KR01" in ids),
    ],
)
def test_options_select_ignore_and_mode(client, draft, options, check):
    body = client.post("/v1/reviews", json={"text": draft, "options": options}).json()
    assert check({f["rule_id"] for f in body["findings"]}), body["findings"]
    assert body["provenance"]["mode"] == options.get("mode", "rules")


def test_hybrid_mode_says_it_fell_back_to_rules(client, draft):
    body = client.post("/v1/reviews", json={"text": draft, "options": {"mode": "hybrid"}}).json()
    assert "rules-only" in body["provenance"]["llm_status"]


def test_rules_list(client):
    r = client.get("/v1/rules")
    assert r.status_code == 200
    body = r.json()
    assert body["rubric"] == "default"
    ids = [rule["id"] for rule in body["rules"]]
    assert {"OB01", "KR01", "KR04", "ST04"} <= set(ids)
    kr01 = next(rule for rule in body["rules"] if rule["id"] == "KR01")
    assert kr01 == {
        "id": "KR01",
        "name": "task-as-key-result",
        "label": "task",
        "severity": "error",
        "scope": "key_result",
        "summary": kr01["summary"],
        "enabled": True,
    }


@pytest.mark.parametrize("ref", ["KR04", "kr04", "missing-baseline"])
def test_rule_detail_with_its_markdown_doc(client, ref):
    r = client.get(f"/v1/rules/{ref}")
    assert r.status_code == 200
    rule = r.json()
    assert rule["id"] == "KR04"
    assert rule["label"] == "no_baseline"
    for heading in ("What it flags", "Why is this bad?", "Example", "Use instead", "Options"):
        assert f"## {heading}" in rule["doc"]
    assert rule["examples"]["flagged"]


def test_unknown_rule_is_a_404_problem(client, problem):
    body = problem(client.get("/v1/rules/KR99"), 404, "unknown-rule")
    assert "KR99" in body["detail"]


def test_health_endpoints(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["store"] == "ok"


def test_openapi_documents_models_and_problems(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"ReviewRequest", "StoredReviewOut", "ProblemDetails", "RuleList", "RuleDetail"} <= set(
        schemas
    )
    post = spec["paths"]["/v1/reviews"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ReviewRequest"
    )
    ok = post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/StoredReviewOut")
    for code in ("400", "401", "409", "413", "415", "422", "429"):
        content = post["responses"][code]["content"]
        assert list(content) == ["application/problem+json"], (code, content)
        assert content["application/problem+json"]["schema"]["$ref"].endswith("/ProblemDetails")
    assert "HTTPValidationError" not in schemas  # FastAPI's default 422 shape is never sent
    assert "Idempotency-Key" in {p["name"] for p in post["parameters"]}
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    for path in ("/v1/reviews/{review_id}", "/v1/rules", "/v1/rules/{rule_id}"):
        assert "404" in spec["paths"][path]["get"]["responses"] or path == "/v1/rules"
    assert client.get("/docs").status_code == 200


def test_operation_ids_read_well_in_generated_clients(client):
    spec = client.get("/openapi.json").json()
    ids = sorted(op["operationId"] for item in spec["paths"].values() for op in item.values())
    assert ids == [
        "createBatch", "createReview", "getBatch", "getBatchReport", "getReview", "getRule",
        "healthz", "listRules", "readyz",
    ]  # fmt: skip


def test_docs_need_no_cdn(client):
    page = client.get("/docs").text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), page
    for asset in re.findall(r"""(?:src|href)=["'](/static/docs/[^"']+)""", page):
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 10_000, asset


def test_a_draft_not_in_english_says_the_rules_read_english(client):
    text = "Ziel: Kunden begeistern\nKR: NPS von 30 auf 50 steigern\nKR: Neues Kundenportal für alle Kunden launchen"
    body = client.post("/v1/reviews", json={"text": text}).json()
    assert body["notices"] and body["notices"][0].startswith("This draft looks German.")
    english = client.post("/v1/reviews", json={"text": "Objective: Grow\nKR: NPS from 30 to 50"})
    assert english.json()["notices"] == []
