"""Upload bombs against a real server: the answers, and the server's peak memory.

Starts the service as the README does (`okr-coach serve`, its own data directory and a
free port), generates in a temporary directory

- the merge bomb: a 1.7 KB XLSX with `<mergeCell ref="A3:XFD1048576"/>`;
- the deflate bomb: a ~7 MB XLSX whose sheet inflates to 2 GiB;
- a 60 MB CSV of 1,000,000 rows, uploaded six times at once;
- a 1,000,000-row CSV of mostly unusable rows, and one of 140,000 rows within the row
  limit (what the 202 and a status GET then carry: the summary of the skipped rows);

sends each, prints every answer (status, problem type, limit, time) and the server's
peak resident memory (VmHWM of its process, and its process tree polled every 50 ms),
which must stay under 1 GB; then shows the runner still reviews a small batch to the end.

Run: `.venv/bin/python bench/upload_bombs.py` (about 2 minutes on 2 cores).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import httpx

TARGET_MB = 1024.0
BIN = Path(sys.executable).parent

# -- the bombs ------------------------------------------------------------------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    f'package/2006/relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook {_NS} xmlns:r="{_REL}"><sheets>'
    '<sheet name="OKRs" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
    f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{_REL}/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
_HEAD = (
    f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Team</t></is></c><c r="B1" t="inlineStr"><is>'
    '<t>Owner</t></is></c><c r="C1" t="inlineStr"><is><t>Objective</t></is></c><c r="D1" '
    't="inlineStr"><is><t>Key Result</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is>'
    '<t>Sales</t></is></c><c r="B2" t="inlineStr"><is><t>Ana</t></is></c><c r="C2" t="inlineStr">'
    '<is><t>Win DACH</t></is></c><c r="D2" t="inlineStr"><is><t>Increase win rate from 20% to '
    "30%</t></is></c></row>"
)


def _xlsx(path: Path, sheet_chunks) -> Path:  # noqa: ANN001
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, xml in _PARTS.items():
            z.writestr(name, xml)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for chunk in sheet_chunks:
                f.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return path


def merge_bomb(path: Path) -> Path:
    tail = '</sheetData><mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>'
    return _xlsx(path, [_HEAD, tail, "</worksheet>"])


def deflate_bomb(path: Path, inflated: int = 2 << 30) -> Path:
    row = (
        '<row><c t="inlineStr"><is><t>Sales</t></is></c>'
        '<c t="inlineStr"><is><t>Ana</t></is></c></row>'
    )
    block = (row * (1 + (1 << 20) // len(row))).encode()

    def chunks():  # noqa: ANN202
        yield _HEAD
        for _ in range(inflated // len(block) + 1):
            yield block
        yield "</sheetData></worksheet>"

    return _xlsx(path, chunks())


def big_csv(path: Path, rows: int, usable_every: int = 1) -> Path:
    """`rows` rows of ~60 bytes; with usable_every=N only every Nth row can be used."""
    with path.open("w", encoding="utf-8") as f:
        f.write("team,owner,objective,key_result\n")
        buf = io.StringIO()
        for i in range(rows):
            if i % usable_every == 0:
                buf.write(f"Ops,Owner {i // 50},Cut cost per order,Reduce cost from ${i % 90 + 9} to $8\n")  # noqa: E501
            else:
                buf.write(f"Ops,Owner {i // 50}\n")  # too few fields: skipped
            if buf.tell() > 1 << 20:
                f.write(buf.getvalue())
                buf = io.StringIO()
        f.write(buf.getvalue())
    return path


# -- the server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            ppid = _status_kb(int(entry), "PPid")
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


class Server:
    def __init__(self, data_dir: Path):
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_COACH_", "OPENAI_"))}
        env["OKR_COACH_DATA_DIR"] = str(data_dir)
        self.log = (data_dir / "server.log").open("wb")
        self.proc = subprocess.Popen(
            [str(BIN / "okr-coach"), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.port}"
        self.peak_tree_mb = 0.0
        self._stop = threading.Event()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start")
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            kb = sum(_status_kb(p, "VmRSS") for p in _tree(self.proc.pid))
            self.peak_tree_mb = max(self.peak_tree_mb, kb / 1024)
            self._stop.wait(0.05)

    def hwm_mb(self) -> float:
        return max(_status_kb(p, "VmHWM") for p in _tree(self.proc.pid)) / 1024

    def rss_mb(self) -> float:
        return _status_kb(self.proc.pid, "VmRSS") / 1024

    def close(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            print("  the server ignored SIGTERM for 15 s: killed")
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# -- the run --------------------------------------------------------------------------------


def _upload(url: str, path: Path) -> tuple[httpx.Response, float]:
    t = time.perf_counter()
    with path.open("rb") as f, httpx.Client(base_url=url, timeout=600) as c:
        r = c.post(
            "/v1/batches", files=[("file", (path.name, f, "application/octet-stream"))],
            data={"force": "true"},
        )  # fmt: skip
    return r, time.perf_counter() - t


def _show(label: str, r: httpx.Response, seconds: float, server: Server) -> None:
    size = len(r.content)
    if r.headers.get("content-type", "").startswith("application/problem+json"):
        body = r.json()
        kind = body["type"].rsplit("/", 1)[-1]
        limit = f" limit={body.get('limit')} setting={body.get('setting')}" if "limit" in body else ""
        what = f"{r.status_code} {kind}{limit}: {body['detail'][:150]}"
    else:
        what = f"{r.status_code} ({size:,} bytes)"
    print(f"  {label:34} {seconds:6.2f} s  {what}")
    print(f"  {'':34} server RSS now {server.rss_mb():.0f} MB, peak so far {server.hwm_mb():.0f} MB")


def _wait(server: Server, location: str) -> tuple[dict, float]:
    t = time.perf_counter()
    while (b := httpx.get(f"{server.url}{location}", timeout=60).json())["status"] != "done":
        if time.perf_counter() - t > 300:
            raise SystemExit(f"{location} not done after 300 s: RUNNER NOT WORKING")
        time.sleep(0.05)
    return b, time.perf_counter() - t


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="okr-bombs-"))
    try:
        print("generating the files ...")
        t = time.perf_counter()
        merge = merge_bomb(tmp / "merge-bomb.xlsx")
        deflate = deflate_bomb(tmp / "deflate-bomb.xlsx")
        inflated = sum(i.file_size for i in zipfile.ZipFile(deflate).infolist())
        csv60 = big_csv(tmp / "team-1m.csv", 1_000_000)
        junk = big_csv(tmp / "mostly-unusable-1m.csv", 1_000_000, usable_every=50)
        junk_ok = big_csv(tmp / "mostly-unusable-140k.csv", 140_000, usable_every=50)
        small = big_csv(tmp / "small.csv", 12)
        print(f"  merge bomb {merge.stat().st_size:,} B; deflate bomb "
              f"{deflate.stat().st_size / 1e6:.1f} MB -> {inflated / 2**30:.2f} GiB; CSV "
              f"{csv60.stat().st_size / 1e6:.0f} MB, 1,000,000 rows "
              f"({time.perf_counter() - t:.0f} s)")  # fmt: skip
        data = tmp / "data"
        data.mkdir()
        server = Server(data)
        try:
            print(f"server: okr-coach serve on {server.url}, pid {server.proc.pid}, "
                  f"{server.rss_mb():.0f} MB after start")  # fmt: skip
            for label, path in (("merge bomb", merge), ("deflate bomb", deflate),
                                ("1M-row CSV, mostly unusable", junk)):  # fmt: skip
                r, s = _upload(server.url, path)
                _show(label, r, s, server)
            results: list[tuple[int, httpx.Response, float]] = []

            def send(i: int) -> None:
                r, s = _upload(server.url, csv60)
                results.append((i, r, s))

            t = time.perf_counter()
            threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            print(f"  six concurrent 60 MB CSVs, all answered in {time.perf_counter() - t:.1f} s:")
            for i, r, s in sorted(results):
                _show(f"  upload {i + 1}", r, s, server)

            r, s = _upload(server.url, junk_ok)
            _show("140k-row CSV, mostly unusable", r, s, server)
            if r.status_code == 202:
                f = r.json()["inputs"][0]
                t = time.perf_counter()
                status = httpx.get(f"{server.url}/v1/batches/{r.json()['id']}", timeout=60)
                print(f"  {'':34} {f['skipped_total']:,} rows skipped, {len(f['skipped'])} listed, "
                      f"reasons {f['skipped_by_reason']}; status GET {len(status.content):,} "
                      f"bytes in {(time.perf_counter() - t) * 1000:.0f} ms")  # fmt: skip
                b, s = _wait(server, r.headers["location"])
                print(f"  {'':34} its {b['total']:,} sets reviewed by the runner in {s:.1f} s")

            r, s = _upload(server.url, small)
            b, s = _wait(server, r.headers["location"])
            ready = httpx.get(server.url + "/readyz").json()
            print(f"  small batch after the bombs: {b['done']} of {b['total']} sets reviewed in "
                  f"{s:.1f} s; /readyz runner: {ready['runner']}")  # fmt: skip
            peak = max(server.hwm_mb(), server.peak_tree_mb)
            print(f"server peak RSS: {server.hwm_mb():.0f} MB (VmHWM), {server.peak_tree_mb:.0f} MB "
                  f"(polled, process tree); target < {TARGET_MB:.0f} MB: "
                  f"{'met' if peak < TARGET_MB else 'NOT MET'}")  # fmt: skip
        finally:
            server.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
