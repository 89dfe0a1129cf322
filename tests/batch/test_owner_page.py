"""One owner's sets out of a batch, and their Markdown page."""

from __future__ import annotations

import io

from coach.batch import InputFile, LocalBatch, read_files
from coach.batch.owner_page import owner_id, owner_sets, write_owner_markdown

TEAM = (
    "team,owner,objective,key_result\n"
    "Sales,Ana,Delight our customers,Launch new customer portal\n"
    "Support,Ben,Make support the reason customers stay,Hold 4 workshops\n"
)


def test_only_the_owners_own_sets_and_no_other_name():
    run = LocalBatch(read_files([InputFile("t.csv", TEAM.encode())]))
    run.run()
    assert owner_id("Sales", "Ana") == owner_id("Sales", "Ana") != owner_id(None, "Ana")
    owner, team, sets = owner_sets(run.entries(True), owner_id("Sales", "Ana"))
    assert (owner, team, len(sets)) == ("Ana", "Sales", 1)
    out = io.StringIO()
    write_owner_markdown(owner, team, sets, out)
    text = out.getvalue()
    assert text.startswith("# OKR feedback for Ana (Sales)")
    assert "Launch new customer portal" in text and "Ben" not in text and "Support" not in text
    assert owner_sets(run.entries(True), "nobody") == ("", None, [])
