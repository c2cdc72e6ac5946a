"""Archives: a zip or tar bomb is refused from the archive's directory before anything is
extracted (total size, member count, compression ratio: settings), naming the file; zip-slip
and tar links never write outside the temporary folder."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from safercity.analytics.ingest import ingest_paths
from safercity.analytics.ingest.police_uk import STREET_COLUMNS
from safercity.analytics.store import Workspace

HEADER = ",".join(STREET_COLUMNS)


def _row(n: int) -> str:
    force = "West Yorkshire Police"
    return (
        f"{n:064x},2018-07,{force},{force},-1.55,53.80,On or near Park Row,E01011365,"
        "Leeds 111B,Burglary,Under investigation,"
    )


def _street(rows: range) -> bytes:
    return ("\n".join([HEADER, *(_row(n) for n in rows)]) + "\n").encode()


def _no_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any member's data is read or written."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was extracted")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "testzip", refuse)
    monkeypatch.setattr(tarfile.TarFile, "extractfile", refuse)


def _zip_bomb(path: Path, mb: int) -> Path:
    """A zip of one CSV-named member of ``mb`` MB of zeros (compresses about 1,000 times)."""
    name = "2018-07/2018-07-west-yorkshire-street.csv"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w") as member:
        block = b"0" * 2**20
        for _ in range(mb):
            member.write(block)
    return path


def _tar(path: Path, members: dict[str, bytes], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def test_a_zip_bomb_is_refused_before_anything_is_extracted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: a small zip that unpacks to far more (here 200 MB from about 200 kB):
    refused by its compression ratio under the default size limit, naming the file."""
    bomb = _zip_bomb(tmp_path / "upload.zip", 200)
    assert bomb.stat().st_size < 2**20
    _no_extraction(monkeypatch)
    summary = ingest_paths(tmp_path / "ws", [bomb])
    (result,) = summary.files
    assert result.status == "failed"
    assert result.error is not None and result.error.startswith(f"{bomb}: ")
    assert "would unpack to 200 MB" in result.error and "archive_max_ratio" in result.error
    assert "before extracting anything" in result.error


def test_the_size_limit_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "month.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2018-07-west-yorkshire-street.csv", _street(range(10_000)))  # 2 MB
    monkeypatch.setenv("SAFERCITY_ARCHIVE_MAX_MB", "1")
    with monkeypatch.context() as m:
        _no_extraction(m)
        (result,) = ingest_paths(tmp_path / "ws", [archive]).files
    assert result.status == "failed" and "more than the 1 MB allowed" in (result.error or "")
    assert "archive_max_mb" in (result.error or "")
    monkeypatch.setenv("SAFERCITY_ARCHIVE_MAX_MB", "3")
    (result,) = ingest_paths(tmp_path / "ws", [archive]).files
    assert (result.status, result.rows_stored) == ("imported", 10_000)


def test_too_many_members_are_refused_and_other_files_still_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(4):
            zf.writestr(f"part-{i}.csv", _street(range(i, i + 1)))
    beside = tmp_path / "2018-07-west-yorkshire-street.csv"
    beside.write_bytes(_street(range(100, 103)))
    monkeypatch.setenv("SAFERCITY_ARCHIVE_MAX_MEMBERS", "3")
    summary = ingest_paths(tmp_path / "ws", [archive, beside])
    by_name = {Path(f.file.split("!")[0]).name: f for f in summary.files}
    assert by_name["many.zip"].status == "failed"
    assert "holds 4 files, more than the 3 allowed" in (by_name["many.zip"].error or "")
    assert by_name[beside.name].rows_stored == 3


def test_a_tar_bomb_is_refused_from_its_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = _tar(
        tmp_path / "api.tar.gz",
        {"a/1.json": b"[]", "a/2.json": b" " * (3 * 2**20), "a/3.json": b"[]"},
    )
    monkeypatch.setenv("SAFERCITY_ARCHIVE_MAX_MB", "2")
    _no_extraction(monkeypatch)
    (result,) = ingest_paths(tmp_path / "ws", [archive]).files
    assert result.status == "failed"
    assert "would unpack to at least 3 MB, more than the 2 MB allowed" in (result.error or "")
    monkeypatch.setenv("SAFERCITY_ARCHIVE_MAX_MB", "4096")
    monkeypatch.setenv("SAFERCITY_ARCHIVE_MAX_MEMBERS", "2")
    (result,) = ingest_paths(tmp_path / "ws", [archive]).files
    assert "holds at least 3 files, more than the 2 allowed" in (result.error or "")


def test_zip_slip_names_never_write_outside_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch" / "deep" / "deeper"
    scratch.mkdir(parents=True)
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    archive = tmp_path / "slip.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../../../escaped-street.csv", _street(range(2)))
        zf.writestr("/tmp/absolute-street.csv", _street(range(2, 4)))
    summary = ingest_paths(tmp_path / "ws", [archive])
    assert [f.status for f in summary.files] == ["imported", "imported"]
    assert summary.totals()["rows_stored"] == 4
    written = {p.name for p in tmp_path.rglob("*.csv")}
    assert written == set()  # nothing left anywhere, inside or outside the scratch folder
    assert not Path("/tmp/absolute-street.csv").exists()


def test_tar_links_and_parent_paths_are_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret-street.csv"
    secret.write_bytes(_street(range(5)))
    archive = tmp_path / "links.tar"
    with tarfile.open(archive, "w") as tf:
        link = tarfile.TarInfo("2018-07/link-street.csv")
        link.type, link.linkname = tarfile.SYMTYPE, str(secret)
        tf.addfile(link)
        hard = tarfile.TarInfo("2018-07/hard-street.csv")
        hard.type, hard.linkname = tarfile.LNKTYPE, str(secret)
        tf.addfile(hard)
        data = _street(range(7, 8))
        up = tarfile.TarInfo("../../up-street.csv")
        up.size = len(data)
        tf.addfile(up, io.BytesIO(data))
    summary = ingest_paths(tmp_path / "ws", [archive])
    assert [f.file.split("!")[1] for f in summary.files] == ["../../up-street.csv"]
    with Workspace(tmp_path / "ws", read_only=True) as ws:
        assert ws.con.execute("SELECT count(*) FROM incidents").fetchall()[0][0] == 1
    assert not (tmp_path.parent / "up-street.csv").exists()
