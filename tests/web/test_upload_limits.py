"""Uploads that cannot hurt the server, over real HTTP, against a server whose data
segment is capped at 1 GiB (as a container's memory limit would): the merge bomb, the
sparse-cell bomb and the deflate bomb are refused with a problem naming the limit and
its setting before any spreadsheet library sees them; six concurrent large CSV uploads
each get a clear answer; a mostly unusable CSV is summarised, not echoed; and the
runner outlives a batch it cannot load. After each, the server still reviews a batch.
"""

from __future__ import annotations

import resource
import sys
import threading
from pathlib import Path

import httpx
from batch_polling import wait_done
from sqlalchemy import insert, select

from coach.batch.sample import sample_csv
from coach.store.schema import BatchRow, BatchSetRow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "batch"))
import xlsx_bombs  # noqa: E402

MEMORY_CAP = 1 << 30
DEADLINE_S = 90.0
SMALL = sample_csv(5, seed=3).encode()


def upload(c: httpx.Client, name: str, data: bytes, **fields: str) -> httpx.Response:
    return c.post(
        "/v1/batches",
        files=[("file", (name, data, "application/octet-stream"))],
        data={"force": "true", **fields},
    )


def client(server) -> httpx.Client:  # noqa: ANN001
    # A bomb on the old code took minutes to fail: wait as long, to see what it answers.
    return httpx.Client(base_url=server.base_url, timeout=300.0)



def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        hwm = next(line for line in f if line.startswith("VmHWM:"))
    return int(hwm.split()[1]) / 1024


class Capped:
    """A server of the test's own under a 1 GiB data limit."""

    def __init__(self, start_server, data_dir: Path, **env: str):
        self._cm = start_server(data_dir, **env)

    def __enter__(self):
        self.server = self._cm.__enter__()
        pid = self.server.process.pid
        resource.prlimit(pid, resource.RLIMIT_DATA, (MEMORY_CAP, MEMORY_CAP))
        return self.server

    def __exit__(self, *exc):
        if self.server.process.poll() is None:
            print(f"server peak RSS {peak_rss_mb(self.server.process.pid):.0f} MB")
        return self._cm.__exit__(*exc)


def still_works(server, c: httpx.Client) -> None:
    """The server is up, ready, and its runner reviews a new batch to the end."""
    assert server.alive(), server.log_tail()
    ready = c.get("/readyz")
    assert ready.status_code == 200 and ready.json()["runner"] == "ok", ready.text
    r = upload(c, "small.csv", SMALL)
    assert r.status_code == 202, r.text
    assert wait_done(c, r.json()["id"], DEADLINE_S)["done"] == 5


def test_a_merge_bomb_is_refused_naming_the_limit(start_server, tmp_path, problem):
    env = {"OKR_COACH_BATCH_MAX_MERGED_RANGES": "20"}
    with Capped(start_server, tmp_path / "data", **env) as server:
        c = client(server)
        body = problem(upload(c, "bomb.xlsx", xlsx_bombs.merge_bomb()), 422, "limit-exceeded")
        assert body["limit"] == "merged_range" and body["file"] == "bomb.xlsx"
        assert "A3:XFD1048576" in body["detail"] and "sheet 'OKRs'" in body["detail"]

        body = problem(upload(c, "many.xlsx", xlsx_bombs.many_merges(21)), 422, "limit-exceeded")
        assert body["limit"] == "max_merged_ranges"
        assert body["setting"] == "OKR_COACH_BATCH_MAX_MERGED_RANGES"
        assert (body["max"], body["actual"]) == (20, 21)
        assert "OKR_COACH_BATCH_MAX_MERGED_RANGES" in body["detail"]

        # Merges inside the data are filled in as before.
        r = upload(c, "ok.xlsx", xlsx_bombs.many_merges(20))
        assert r.status_code == 202, r.text
        assert any("20 merged cell ranges" in n for n in r.json()["inputs"][0]["notes"])
        still_works(server, c)


def test_a_sparse_cell_bomb_is_refused_before_a_reader_allocates_it(
    start_server, tmp_path, problem
):
    with Capped(start_server, tmp_path / "data") as server:
        c = client(server)
        body = problem(upload(c, "far.xlsx", xlsx_bombs.sparse_bomb()), 422, "limit-exceeded")
        assert body["limit"] == "max_rows" and body["setting"] == "OKR_COACH_BATCH_MAX_ROWS"
        assert body["actual"] == 1_048_576
        still_works(server, c)


def test_a_deflate_bomb_is_refused_from_the_central_directory(start_server, tmp_path, problem):
    env = {"OKR_COACH_BATCH_MAX_XLSX_UNPACKED_BYTES": str(24 << 20)}
    with Capped(start_server, tmp_path / "data", **env) as server:
        c = client(server)
        bomb = xlsx_bombs.deflate_bomb(16 << 20)  # the 2 GiB bomb's ratio, smaller
        assert len(bomb) < 100_000
        body = problem(upload(c, "bomb.xlsx", bomb), 422, "limit-exceeded")
        assert body["limit"] == "max_xlsx_ratio"
        assert body["setting"] == "OKR_COACH_BATCH_MAX_XLSX_RATIO"
        assert body["actual"] > 200 and body["max"] == 100

        # A workbook compressed like a real one but larger unpacked than allowed.
        rows = [xlsx_bombs.ROWS[0]] + [
            ["Sales", f"Owner {i}", f"Objective {i % 97}", f"Grow metric {i} from {i} to {2 * i}"]
            for i in range(200_000)
        ]
        big = xlsx_bombs.workbook(rows)
        body = problem(upload(c, "big.xlsx", big), 422, "limit-exceeded")
        assert body["limit"] == "max_xlsx_unpacked_bytes"
        assert body["setting"] == "OKR_COACH_BATCH_MAX_XLSX_UNPACKED_BYTES"

        # A part that inflates to more than the directory says is not read.
        body = problem(upload(c, "liar.xlsx", xlsx_bombs.lying_sizes()), 422, "parse-error")
        assert "not a readable XLSX workbook" in body["detail"]
        still_works(server, c)


def test_six_concurrent_large_csv_uploads_each_get_a_clear_answer(
    start_server, tmp_path, problem
):
    data = sample_csv(34_000, seed=5).encode()  # ~205,000 rows, 15 MB
    with Capped(start_server, tmp_path / "data") as server:
        c = client(server)
        answers: list[httpx.Response] = []

        def send(i: int) -> None:
            with client(server) as own:
                answers.append(upload(own, f"team-{i}.csv", data))

        threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(answers) == 6
        for r in answers:
            body = problem(r, 422, "limit-exceeded")
            assert body["limit"] == "max_rows" and body["setting"] == "OKR_COACH_BATCH_MAX_ROWS"
            assert body["actual"] > body["max"]
        still_works(server, c)


def test_a_mostly_unusable_csv_is_summarised_not_echoed(start_server, tmp_path):
    lines = ["team,owner,objective,key_result"]
    lines += [f"Sales,Ana,Win DACH,Increase win rate from {i}% to {i + 9}%" for i in range(3)]
    lines += [f"Sales,Owner {i}" for i in range(3000)]  # too few fields
    lines += [f"Ops,Zed {i},,Grow x from 1 to 2" for i in range(1000)]  # no objective
    with Capped(start_server, tmp_path / "data") as server:
        c = server.client()
        r = upload(c, "mostly-bad.csv", "\n".join(lines).encode())
        assert r.status_code == 202, r.text[:300]
        for body in (r.json(), wait_done(c, r.json()["id"], DEADLINE_S)):
            (f,) = body["inputs"]
            assert f["sets"] == 1
            assert len(f["skipped"]) == 100
            assert f["skipped"][0]["where"] == "line 5"
            assert f["skipped_total"] == 4000
            assert f["skipped_by_reason"] == {
                "row has N fields but the header has N fields; skipped (put cells that "
                "contain the delimiter in double quotes)": 3000,
                "row has a key result but no objective, and the row above belongs to "
                "another team or owner; skipped": 1,
                "row has a key result but no objective, and no objective comes before it; "
                "skipped": 999,
            }
        assert len(r.content) < 50_000
        still_works(server, c)


def _copy_batch_with_options(store, batch_id: str, new_id: str, options_json: str) -> None:
    """Store a copy of a batch whose options this version cannot read (as a newer version
    sharing the database might write them), in one transaction, so no runner sees it half."""
    b, s = BatchRow.__table__, BatchSetRow.__table__
    with store._connect(write=True) as conn:
        row = dict(conn.execute(select(b).where(b.c.id == batch_id)).mappings().one())
        row.update(
            id=new_id, options_json=options_json, status="queued", finished_at=None,
            digest="0" * 64, title="written by a newer version",
        )  # fmt: skip
        sets = [dict(r) for r in conn.execute(select(s).where(s.c.batch_id == batch_id)).mappings()]
        for r in sets:
            r.update(
                batch_id=new_id, status="pending", attempts=0, claimed_by=None,
                claim_until=None, review_json=None, error=None, result_id=None, completed_at=None,
            )  # fmt: skip
        conn.execute(insert(b), row)
        conn.execute(insert(s), sets)
        conn.commit()


def test_the_runner_outlives_a_batch_it_cannot_load(start_server, tmp_path):
    with Capped(start_server, tmp_path / "data") as server:
        c = server.client()
        first = upload(c, "a.csv", SMALL).json()["id"]
        wait_done(c, first, DEADLINE_S)
        with server.store() as store:
            _copy_batch_with_options(store, first, "unreadable0options", '{"mode": "turbo"}')
        later = upload(c, "b.csv", sample_csv(7, seed=4).encode())
        assert wait_done(c, later.json()["id"], DEADLINE_S)["done"] == 7
        bad = wait_done(c, "unreadable0options", DEADLINE_S)
        assert (bad["done"], bad["failed"]) == (0, 5)
        report = c.get("/v1/batches/unreadable0options/report", params={"format": "json"})
        errors = {s["error"] for s in report.json()["sets"]}
        assert len(errors) == 1 and "options" in errors.pop()
        still_works(server, c)
