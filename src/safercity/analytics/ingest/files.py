"""Find the files to import: plain files, folders, zip archives (police.uk custom downloads with
monthly ``YYYY-MM/`` folders) and tar archives (police.uk API output), and tell their kind."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from safercity.analytics.ingest.errors import FileProblem

STREET_HEADER = ("crime id", "month", "reported by", "falls within", "longitude", "latitude")
OUTCOMES_MARK = "outcome type"
STOP_SEARCH_HEADER = ("type", "date", "part of a policing operation")
MET_HEADER = ("majortext", "minortext")

KINDS = (
    "police_uk_street",
    "police_uk_outcomes",
    "police_uk_stop_search",
    "police_uk_api",
    "met_recorded_crime",
    "local_extract",
)


@dataclass(frozen=True)
class InputFile:
    """One file to import: ``display`` names it for people (``archive.zip!2018-07/x.csv``)."""

    path: Path
    display: str
    sha256: str


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_data_name(name: str) -> bool:
    low = name.lower()
    base = low.rsplit("/", 1)[-1]
    return not base.startswith(".") and low.endswith((".csv", ".json"))


@contextmanager
def expand(
    paths: list[Path], problems: list[FileProblem] | None = None
) -> Iterator[list[InputFile]]:
    """Yield every data file under ``paths``, unpacking archives into a temporary folder.

    With ``problems`` given, a path that cannot be opened (missing, a damaged archive) is added
    to it and the others are still yielded; without, its :class:`FileProblem` is raised."""
    tmp = Path(tempfile.mkdtemp(prefix="safercity-ingest-"))
    try:
        out: list[InputFile] = []
        for p in paths:
            try:
                out.extend(_expand_one(p, tmp))
            except FileProblem as exc:
                if problems is None:
                    raise
                problems.append(exc)
        yield out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _expand_one(path: Path, tmp: Path) -> list[InputFile]:
    if not path.exists():
        raise FileProblem(str(path), "no such file or folder")
    if path.is_dir():
        found: list[InputFile] = []
        for child in sorted(path.rglob("*")):
            if child.is_file() and (_is_data_name(child.name) or _is_archive(child)):
                found.extend(_expand_one(child, tmp))
        return found
    if _is_archive(path):
        return _unpack(path, tmp)
    return [InputFile(path=path, display=str(path), sha256=sha256_of(path))]


def _is_archive(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".zip", ".tar.gz", ".tgz", ".tar"))


#: archives unpacking to less than this are never refused for their compression ratio
RATIO_FLOOR_BYTES = 64 * 2**20


@dataclass(frozen=True)
class ArchiveLimits:
    """How much one archive may unpack to (settings ``archive_max_mb``, ``archive_max_members``
    and ``archive_max_ratio``): checked from the archive's directory (a zip's central
    directory; a tar's member headers) before any member is extracted."""

    max_bytes: int
    max_members: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> ArchiveLimits:
        from safercity import settings

        return cls(
            max_bytes=int(settings.get("archive_max_mb")) * 2**20,
            max_members=int(settings.get("archive_max_members")),
            max_ratio=int(settings.get("archive_max_ratio")),
        )

    def check(self, path: Path, members: int, total: int, *, complete: bool) -> None:
        """Raise :class:`FileProblem` when ``members`` files adding up to ``total`` bytes are
        beyond a limit (``complete``: the whole directory was read; else a running count)."""
        more = "" if complete else "at least "
        if members > self.max_members:
            raise FileProblem(
                str(path),
                f"the archive holds {more}{members:,} files, more than the {self.max_members:,} "
                "allowed (setting archive_max_members); refused before extracting anything",
            )
        if total > self.max_bytes:
            raise FileProblem(
                str(path),
                f"the archive would unpack to {more}{_mb(total)}, more than the "
                f"{_mb(self.max_bytes)} allowed (setting archive_max_mb); refused before "
                "extracting anything",
            )
        size = max(path.stat().st_size, 1)
        if complete and total > RATIO_FLOOR_BYTES and total > self.max_ratio * size:
            raise FileProblem(
                str(path),
                f"the archive would unpack to {_mb(total)}, {total // size:,} times its own size "
                f"(at most {self.max_ratio} allowed, setting archive_max_ratio): refused as a "
                "possible zip bomb before extracting anything",
            )


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def _check_tar(path: Path, limits: ArchiveLimits) -> None:
    """Read a tar's member headers (no member is written) and check them against ``limits``,
    stopping at the first member past a limit (so a tar bomb is never unpacked whole)."""
    members = total = 0
    with tarfile.open(path, mode="r|*") as tf:
        for tinfo in tf:
            members += 1
            total += max(tinfo.size, 0) if tinfo.isfile() else 0
            limits.check(path, members, total, complete=False)
    limits.check(path, members, total, complete=True)


def _unpack(path: Path, tmp: Path) -> list[InputFile]:
    dest = Path(tempfile.mkdtemp(dir=tmp))
    members: list[tuple[str, Path]] = []
    name = path.name.lower()
    limits = ArchiveLimits.from_settings()
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as zf:
                infos = zf.infolist()  # the central directory: sizes before any data is read
                limits.check(path, len(infos), sum(i.file_size for i in infos), complete=True)
                bad = zf.testzip()
                if bad is not None:
                    raise FileProblem(str(path), f"the zip archive is damaged (member {bad})")
                for info in sorted(zf.infolist(), key=lambda i: i.filename):
                    if info.is_dir() or not _is_data_name(info.filename):
                        continue
                    # zip-slip: a member is written under its base name only, in ``dest``
                    # ("../../x.csv" and "/etc/x.csv" both become dest/000001_x.csv)
                    target = dest / f"{len(members):06d}_{Path(info.filename).name}"
                    with zf.open(info) as src, target.open("wb") as dst:
                        shutil.copyfileobj(src, dst)
                    members.append((info.filename, target))
        else:
            _check_tar(path, limits)
            # stream the archive once, in its own order (seeking in a .tar.gz is quadratic)
            with tarfile.open(path, mode="r|*") as tf:
                for tinfo in tf:
                    # links, devices and folders are never extracted; files by base name
                    if not tinfo.isfile() or not _is_data_name(tinfo.name):
                        continue
                    stream = tf.extractfile(tinfo)
                    if stream is None:
                        continue
                    target = dest / f"{len(members):06d}_{Path(tinfo.name).name}"
                    with stream, target.open("wb") as dst:
                        shutil.copyfileobj(stream, dst)
                    members.append((tinfo.name, target))
            members.sort()
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise FileProblem(str(path), f"the archive is damaged or truncated ({exc})") from exc
    if not members:
        raise FileProblem(str(path), "the archive holds no CSV or JSON files")
    return [
        InputFile(path=target, display=f"{path}!{member}", sha256=sha256_of(target))
        for member, target in members
    ]


def sniff_kind(f: InputFile) -> str:
    """Tell a file's kind from its name and first line; raise :class:`FileProblem` if unknown."""
    size = f.path.stat().st_size
    if size == 0:
        raise FileProblem(f.display, "the file is empty")
    with f.path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    stripped = head.lstrip()
    if not stripped:
        raise FileProblem(f.display, "the file is empty")
    if stripped[:1] in (b"[", b"{"):
        return "police_uk_api"
    try:
        first = head.split(b"\n", 1)[0].decode("utf-8").strip().lower()
    except UnicodeDecodeError as exc:
        utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
        as_json = f.display.lower().endswith(".json") or (
            utf16 and head.decode("utf-16", "replace").lstrip()[:1] in ("[", "{")
        )
        raise FileProblem(
            f.display,
            f"line 1: the file is {'UTF-16, ' if utf16 else ''}not UTF-8 text (save it as UTF-8 "
            f"{'JSON' if as_json else 'CSV'} and try again)",
        ) from exc
    cols = tuple(c.strip().strip('"') for c in first.split(","))
    # the columns are read by name, so a file saved with them in another order is still known
    if set(STREET_HEADER) <= set(cols):
        return "police_uk_outcomes" if OUTCOMES_MARK in cols else "police_uk_street"
    if set(STOP_SEARCH_HEADER) <= set(cols):
        return "police_uk_stop_search"
    if cols[: len(MET_HEADER)] == MET_HEADER:
        return "met_recorded_crime"
    raise FileProblem(
        f.display,
        "unknown file type: not a police.uk street, outcomes or stop-and-search CSV, police.uk "
        "API JSON or a Metropolitan Police recorded-crime table (for a local extract, give "
        "--mapping FILE)",
    )
