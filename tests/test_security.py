"""Nothing read from disk or the network is executed: no pickle, eval or exec in the package, and
an index folder with planted pickle files is opened and searched without running them. Uploads
keep to the data folder, known types and the limits; HTML escapes what it did not write."""

from __future__ import annotations

import os
import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from .conftest import ROOT, SEEDS

PACKAGE = ROOT / "qa"

FORBIDDEN = {
    r"^\s*(import|from)\s+(pickle|cPickle|dill|shelve|marshal|joblib)\b": "a pickle-family import",
    r"\bpickle\.loads?\(": "pickle.load",
    r"(?<![\w.])eval\(": "eval()",
    r"(?<![\w.])exec\(": "exec()",
    r"allow_pickle\s*=\s*True": "allow_pickle=True",
    r"\byaml\.load\(": "yaml.load (use safe_load)",
    r"\bshell\s*=\s*True": "a shell command",
    r"__import__\(": "__import__",
}


def test_the_package_never_unpickles_evals_or_execs() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, what in FORBIDDEN.items():
                if re.search(pattern, code):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {what}: {line.strip()}")
            if re.search(r"\btorch\.load\(", code) and "weights_only=True" not in code:
                found.append(f"{path.relative_to(ROOT)}:{number}: torch.load without weights_only=True")
    assert found == []


def test_the_grep_itself_catches_what_it_looks_for() -> None:
    bad = ["import pickle", "x = eval(s)", "np.load(p, allow_pickle=True)", "exec(code)", "yaml.load(f)"]
    assert all(any(re.search(p, line) for p in FORBIDDEN) for line in bad)
    fine = ["conn.execute(sql)", "model.eval()", "evaluate(x)", "np.load(p, allow_pickle=False)"]
    assert not any(re.search(p, line) for p in FORBIDDEN for line in fine)


class _Plant:
    """Unpickling this creates ``marker``: proof that a pickle was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_planted_pickles_in_the_index_folder_are_never_executed(tmp_path: Path) -> None:
    from qa import Assistant
    from qa.store import IndexProblem, check_index, sync

    data, index = tmp_path / "articles", tmp_path / "index"
    shutil.copytree(SEEDS, data)
    sync(data, index)
    marker = tmp_path / "PWNED"
    payload = pickle.dumps(_Plant(marker))
    bm25 = next(index.glob("bm25-*"))
    # Beside every file a loader could be tempted to read: a .pkl twin, and an extra file.
    for item in list(bm25.iterdir()):
        (bm25 / (item.stem + ".pkl")).write_bytes(payload)
    (index / "evil.pkl").write_bytes(payload)
    (index / "vectors.pkl").write_bytes(payload)
    (data / "evil.pkl").write_bytes(payload)
    (data / "looks-like.json").write_bytes(payload)  # read as an article: must be skipped, not run
    assistant = Assistant.open(index)
    assert assistant.search("ليبيا تركيا", 3)
    assistant.ask("متى وقعت ليبيا مع تركيا؟")
    assistant.index.close()
    sync(data, index)
    assert check_index(index) == []
    assert not marker.exists()

    # The npy arrays themselves replaced by object arrays (which np.save pickles): refused.
    rowids = np.load(bm25 / "rowids.npy", allow_pickle=False)
    holder = np.empty(len(rowids), dtype=object)
    holder[:] = [_Plant(marker) for _ in rowids]
    np.save(bm25 / "rowids.npy", holder, allow_pickle=True)
    np.save(bm25 / "data.csc.index.npy", holder, allow_pickle=True)
    assert check_index(index)  # reported as a problem
    with pytest.raises(IndexProblem):
        Assistant.open(index).search("ليبيا", 3)
    assert not marker.exists()


# ------------------------------------------------------------------------- uploads (qa.uploads)

def _uploads():
    return pytest.importorskip("qa.uploads", reason="qa.uploads does not exist yet (owned by the UI engineer)")


def test_uploads_stay_in_the_data_folder_whatever_their_name(tmp_path: Path) -> None:
    uploads = _uploads()
    data = tmp_path / "data"
    data.mkdir()
    source = tmp_path / "upload.bin"
    source.write_text("عنوان\nنص الخبر.\n", encoding="utf-8")
    for hostile in ["../../escape.txt", "/etc/passwd.txt", "..\\..\\win.txt", "sub/../../x.txt", "\x00.txt.txt"]:
        try:
            name = uploads.sanitize_name(hostile)
        except uploads.UploadRejected:
            continue
        saved, _ = uploads.place_file(source, name, data)
        assert (data / saved).resolve().parent == data.resolve()
    assert {p.name for p in tmp_path.iterdir()} == {"data", "upload.bin"}


def test_uploads_refuse_unknown_types_oversize_and_too_many_files(tmp_path: Path) -> None:
    uploads = _uploads()
    from qa.config import Settings

    settings = Settings(data_dir=tmp_path / "data", index_dir=tmp_path / "index", max_upload_mb=1)
    small = tmp_path / "small.bin"
    small.write_text("عنوان\nنص.\n", encoding="utf-8")
    big = tmp_path / "big.bin"
    big.write_bytes(b"a" * (2 * 2**20))
    files = [("evil.exe", small), ("page.php", small), ("noext", small), ("big.txt", big),
             *((f"{i}.txt", small) for i in range(uploads.MAX_FILES + 3))]
    report = uploads.save_and_index(files, settings=settings)
    for name in ("evil.exe", "page.php", "noext", "big.txt"):
        assert name in report.rejected, name
    assert len(report.saved) + len(report.unchanged) <= uploads.MAX_FILES
    assert sum("at most" in why for why in report.rejected.values()) >= 3
    assert all(Path(saved).suffix in {".txt"} for _, saved in report.saved)
    assert not any((settings.data_dir / n).exists() for n in ("evil.exe", "page.php", "noext", "big.txt"))


# ------------------------------------------------------------------------- HTML (qa.render)

def test_article_and_user_text_is_escaped_in_every_rendered_view(tmp_path: Path) -> None:
    render = pytest.importorskip("qa.render", reason="qa.render does not exist yet (owned by the UI engineer)")
    from qa import Assistant
    from qa.store import sync

    from .test_fuzz import check_html

    data = tmp_path / "articles"
    data.mkdir()
    evil = '<img src=x onerror=alert(1)>'
    (data / f"x{evil[:4]}.txt").write_text(
        f"ليبيا وتركيا توقعان اتفاقية <script>alert('t')</script>\n"
        f"تاريخ النشر: 27 نوفمبر 2019\n"
        f"وقعت ليبيا وتركيا مذكرة تفاهم للتعاون العسكري {evil} في أنقرة.\n"
        f"المصدر: وكالة <b onclick=alert(2)>الأنباء</b>\n", encoding="utf-8")
    sync(data, tmp_path / "index")
    assistant = Assistant.open(tmp_path / "index")
    question = f"متى وقعت ليبيا مع تركيا؟ {evil}"
    answer = assistant.ask(question)
    assert answer.citations or answer.related
    views = [render.render_question(question), render.render_answer(answer, 1),
             render.render_citations(answer, 1)]
    for c in answer.citations:
        views.append(render.render_citation_source(c, f"1:{c.n}"))
    views.append(render.render_status(assistant.stats(), index_dir=str(tmp_path / evil)))
    assistant.index.close()
    for html in views:
        check_html(html)
        assert "<script" not in html and "<img" not in html and "onclick=" not in html.replace("onclick=alert", "")
    assert any("&lt;img src=x onerror=alert(1)&gt;" in html for html in views)
