"""Reports kept as artefacts: saved whole or not at all, loaded with a content ETag,
never a half-written file, keys that cannot leave the folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from coach.batch.artifacts import FileStorage, key_of


def test_save_and_load_with_a_content_etag(tmp_path: Path):
    storage = FileStorage(tmp_path)
    key = key_of("AbC_123-x", "csv")
    assert storage.load(key) is None
    saved = storage.save(key, lambda out: out.write(b"team,owner\n" * 1000))
    loaded = storage.load(key)
    assert loaded is not None and loaded.etag == saved.etag and loaded.size == 11_000
    with loaded.open() as f:
        assert f.read() == b"team,owner\n" * 1000
    # Same content, same ETag; other content, another one, and the new file is served.
    assert storage.save(key, lambda out: out.write(b"team,owner\n" * 1000)).etag == saved.etag
    changed = storage.save(key, lambda out: out.write(b"other"))
    assert changed.etag != saved.etag
    with storage.load(key).open() as f:
        assert f.read() == b"other"


def test_a_failed_write_leaves_the_kept_report_as_it_was(tmp_path: Path):
    storage = FileStorage(tmp_path)
    key = key_of("batch1", "json")
    kept = storage.save(key, lambda out: out.write(b"{}"))

    def broken(out):  # noqa: ANN001
        out.write(b'{"half": ')
        raise OSError("disk full")

    with pytest.raises(OSError):
        storage.save(key, broken)
    assert storage.load(key).etag == kept.etag
    assert not [p for p in (tmp_path / "batch1").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("key", ["../x/report.csv", "a/b/report.csv", "a/report.exe", ""])
def test_keys_stay_inside_the_folder(tmp_path: Path, key: str):
    with pytest.raises(ValueError):
        FileStorage(tmp_path).load(key)
    with pytest.raises(ValueError):
        key_of("../etc", "csv")


def test_published_reports_share_one_summary_and_read_as_rendered_one_by_one(tmp_path: Path):
    """`publish` makes the summary once for the four formats: each file is exactly the
    one a render of its format alone gives, and the results are read five times, not eight."""
    from coach.batch import InputFile, LocalBatch, read_files
    from coach.batch.artifacts import publish, render
    from coach.batch.report import FORMATS
    from coach.batch.sample import sample_csv
    from coach.store import Store
    from coach.store.batches import BatchStore

    inputs = read_files([InputFile("team.csv", sample_csv(12, seed=4).encode())])
    local = LocalBatch(inputs)
    local.run()
    with Store(f"sqlite:///{tmp_path / 'okr.db'}") as store:
        batches = BatchStore(store)
        info = batches.create(inputs, options=local.options, title="t", digest="d" * 64)
        batches.complete([(info.id, o) for o in local.outcomes.values()])
        passes: list[bool] = []
        real = batches.entries
        batches.entries = lambda batch_id, ordered: passes.append(ordered) or real(batch_id, ordered)
        storage = FileStorage(tmp_path / "reports")
        kept = publish(batches, storage, info.id)
        assert len(passes) == 1 + len(FORMATS) and passes.count(False) == 1
        done = batches.get(info.id)
        for fmt in FORMATS:
            alone = io.BytesIO()
            render(batches, done, fmt, alone)
            with kept[fmt].open() as f:
                assert f.read() == alone.getvalue(), fmt
