"""Uploaded article files → the data folder (safe names, no silent overwrite) → the index.

The chat hands over ``(name, temporary path)`` pairs; this module decides the name each file
is saved under, refuses what must not be saved (unknown suffixes, too large, too many), writes
the rest into the data folder without ever replacing a different file, and then runs an
incremental :func:`qa.store.sync` so the new articles can be asked about at once.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.articles import ARTICLE_SUFFIXES
from qa.config import Settings
from qa.store import file_sha256

MAX_FILES = 50
"""Files accepted in one upload."""

MAX_NAME_BYTES = 200
"""UTF-8 bytes of a saved name: below the usual 255-byte limit, with room for ``-N``."""

# Names Windows refuses whatever the suffix (data folders get copied to Windows machines).
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE_CHARS = re.compile(r'[<>:"|?*]')

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stages ``save``, then those of :func:`qa.store.sync`."""


class UploadRejected(ValueError):
    """A file that will not be saved; the message says why in one sentence."""


@dataclass
class UploadReport:
    """What one upload did.

    Attributes:
        saved (list[tuple[str, str]]): (name as uploaded, name saved under) of each new file.
        unchanged (list[str]): uploads whose exact bytes were already in the data folder
            (under the name given).
        rejected (dict[str, str]): name as uploaded → why it was not saved.
        added (list[str]): article ids the index gained.
        updated (list[str]): article ids whose text changed.
        skipped (dict[str, str]): path → why the indexer left it out (unreadable, empty …).
        articles (int): articles in the index afterwards.
    """

    saved: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    articles: int = 0


def sanitize_name(name: str) -> str:
    """A safe file name for an upload, or :class:`UploadRejected`.

    Keeps letters of any script (Arabic names stay Arabic); drops folders, ``..``, NUL,
    control and bidi-formatting characters, leading dots and characters Windows forbids;
    renames Windows device names (``CON.txt`` → ``_CON.txt``); shortens very long names.

    Args:
        name (str): the name the browser sent (may hold a path).

    Returns:
        str: the base name to save under, with a lower-case known suffix.

    Raises:
        UploadRejected: the suffix is not one of :data:`qa.articles.ARTICLE_SUFFIXES`, or
            nothing usable is left of the name.

    Example:
        >>> sanitize_name("../../etc/مقال\\x00 جديد.TXT")
        'مقال جديد.txt'
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    # Cc: NUL and other controls; Cf: bidi overrides that can disguise a name's suffix.
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf"))
    base = _UNSAFE_CHARS.sub("_", base)
    base = " ".join(base.split()).lstrip(". ").rstrip(". ")
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem.strip(" ._"):
        raise UploadRejected(f"{name!r} has no name or suffix; allowed: {_allowed()}")
    suffix = "." + suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise UploadRejected(f"{suffix} files are not articles; allowed: {_allowed()}")
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    return _shorten(stem, suffix)


def _allowed() -> str:
    return " ".join(sorted(ARTICLE_SUFFIXES))


def _shorten(stem: str, suffix: str) -> str:
    budget = MAX_NAME_BYTES - len(suffix.encode())
    while len(stem.encode("utf-8")) > budget:
        stem = stem[:-1]
    return stem.rstrip(" .") + suffix


def _candidates(name: str) -> Sequence[str]:
    """``name``, then ``stem-2.suffix``, ``stem-3.suffix`` …"""
    stem, suffix = os.path.splitext(name)
    return [name, *(f"{stem}-{i}{suffix}" for i in range(2, 1000))]


def place_file(source: Path, name: str, data_dir: Path) -> tuple[str, bool]:
    """Copy ``source`` into ``data_dir`` under ``name`` or the first free ``name-N``.

    A file already there with the same bytes is reused, never duplicated; a different file
    is never replaced: the copy is hard-linked into place, which fails when the name exists.

    Args:
        source (Path): the uploaded bytes (a temporary file).
        name (str): the sanitised name (see :func:`sanitize_name`).
        data_dir (Path): the data folder.

    Returns:
        tuple[str, bool]: the name used and whether a new file was written.
    """
    sha = file_sha256(source)
    tmp = data_dir / f".upload-{sha[:16]}-{os.getpid()}.part"  # hidden: the indexer skips it
    try:
        for candidate in _candidates(name):
            target = data_dir / candidate
            if target.exists():
                if target.is_file() and file_sha256(target) == sha:
                    return candidate, False
                continue
            if not tmp.exists():
                tmp.write_bytes(source.read_bytes())
            try:
                os.link(tmp, target)
            except FileExistsError:  # another upload took the name meanwhile
                continue
            return candidate, True
    finally:
        tmp.unlink(missing_ok=True)
    raise UploadRejected(f"too many files named like {name!r} already")


def save_and_index(
    files: Sequence[tuple[str, Path]],
    *,
    settings: Settings,
    progress: Progress | None = None,
    lock_timeout: float = 60.0,
) -> UploadReport:
    """Save uploaded files into ``settings.data_dir`` and bring the index up to date.

    Args:
        files (Sequence[tuple[str, Path]]): (name as uploaded, path of its bytes).
        settings (Settings): data and index folders, ``max_upload_mb``, model.
        progress (Progress, optional): ``progress(stage, done, total)``. Defaults to none.
        lock_timeout (float, optional): seconds to wait when ``qa index`` is writing.
            Defaults to 60.

    Returns:
        UploadReport: what was saved, reused, rejected (and why), and what the index gained.

    Raises:
        qa.store.IndexProblem: the index could not be updated (the files stay saved; the
            next sync picks them up).

    Example:
        >>> save_and_index([("خبر.txt", Path("/tmp/x"))], settings=Settings())  # doctest: +SKIP
        UploadReport(saved=[('خبر.txt', 'خبر.txt')], …, added=['خبر.txt#0'], …)
    """
    from qa.store import sync

    report = UploadReport()
    tick = progress or (lambda stage, done, total: None)
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    limit = settings.max_upload_mb * 2**20
    for done, (original, path) in enumerate(files, 1):
        try:
            saved, new = _save_one(original, Path(path), data_dir, limit, over_count=done > MAX_FILES)
        except UploadRejected as exc:
            report.rejected[original] = str(exc)
        else:
            if new:
                report.saved.append((original, saved))
            else:
                report.unchanged.append(saved)
        tick("save", done, len(files))
    if report.saved:
        result = sync(data_dir, settings.index_dir, settings=settings, progress=tick,
                      lock_timeout=lock_timeout)
        report.added, report.updated, report.skipped = result.added, result.updated, result.skipped
        report.articles = result.articles
    return report


def _save_one(original: str, path: Path, data_dir: Path, limit: int, *,
              over_count: bool) -> tuple[str, bool]:
    if over_count:
        raise UploadRejected(f"at most {MAX_FILES} files per upload")
    name = sanitize_name(original)
    size = path.stat().st_size
    if size > limit:
        raise UploadRejected(
            f"{size / 2**20:.1f} MB is over the {limit // 2**20} MB upload limit (QA_MAX_UPLOAD_MB)")
    if size == 0:
        raise UploadRejected("the file is empty")
    return place_file(path, name, data_dir)
