"""The JSON API carries the asks (needs your input) apart from the rewrites, and says so in
its OpenAPI document."""

from __future__ import annotations

import coach

DRAFT = "Objective: Delight our customers\nKR: Launch new customer portal\nKR: Increase NPS to 50\n"


def test_a_review_carries_rewrites_and_asks_apart(client):
    response = client.post("/v1/reviews", json={"text": DRAFT, "options": {"mode": "rules"}})
    assert response.status_code == 201
    body = response.json()
    expected = coach.review(DRAFT, mode="rules")
    assert body["asks"] == [a.model_dump(mode="json") for a in expected.asks]
    assert [a["target"] for a in body["asks"]] == [{"objective": 0, "key_result": 0}]
    assert [r["target"] for r in body["rewrites"]] == [{"objective": 0, "key_result": 1}]
    ask = body["asks"][0]
    assert ask["questions"] and ask["candidates"]
    assert all(set(c) == {"metric", "why", "rewrite"} for c in ask["candidates"])
    # The same review read back has them too.
    again = client.get(body["links"]["self"]).json()
    assert again["asks"] == body["asks"]


def test_the_openapi_document_shows_the_asks(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    review = schemas["StoredReviewOut"]["properties"]
    assert review["asks"]["items"] == {"$ref": "#/components/schemas/Ask"}
    assert review["rewrites"]["items"] == {"$ref": "#/components/schemas/Rewrite"}
    ask = schemas["Ask"]
    assert "Needs your input" in ask["description"]
    assert ask["properties"]["candidates"]["items"] == {"$ref": "#/components/schemas/CandidateMetric"}
    assert set(schemas["CandidateMetric"]["properties"]) == {"metric", "why", "rewrite"}
