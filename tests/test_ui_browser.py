"""The chat as people use it: the real app in a subprocess, driven in headless Debian Chromium.

Every test talks to one server (real model, index built from a temp copy of the seeds at
startup). Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS, TURKEY_ITALY

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCRIPT_ARTICLE = "script_article.txt"
SCRIPT_BODY = """<script>window.__qaPwned = 1</script> اتفاقية الصيد البحري بين ليبيا ومالطا
تاريخ النشر: 2 فبراير 2023
وقعت ليبيا ومالطا اتفاقية للصيد البحري <img src=x onerror="window.__qaPwned = 2"> في العاصمة طرابلس.
وتنظم الاتفاقية <b>حقوق الصيد</b> في المياه المشتركة بين البلدين.
"""
UPLOAD_BODY = """تونس وليبيا توقعان اتفاقية لتسهيل عبور الشاحنات
تاريخ النشر: 10 يونيو 2024
المصدر: وكالة التجربة
وقعت تونس وليبيا اتفاقية لتسهيل عبور الشاحنات عبر معبر رأس اجدير الحدودي.
وتهدف الاتفاقية إلى زيادة حجم التبادل التجاري بين البلدين.
"""

MAX_UPLOAD_MB = 1
_WATCH_PROGRESS = """() => {
  window.__qaProgress = [];
  new MutationObserver(() => {
    for (const el of document.querySelectorAll('#qa-upload-report .progress-text, '
        + '#qa-upload-report .progress-level, #qa-upload-report [data-testid=status-tracker]')) {
      const text = el.innerText.trim();
      if (text) window.__qaProgress.push(text);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("ui-server")]


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, index_dir: Path, *extra: str, timeout: float = 90) -> Iterator[str]:
    """Run ``python -m qa.cli serve`` on a free port until the block ends; yields its URL.

    The server is always terminated (then killed if it does not stop), and its log is shown
    when it fails to come up.
    """
    port = free_port()
    log = index_dir.parent / f"serve-{port}.log"
    env = {**os.environ, "GRADIO_TEMP_DIR": str(index_dir.parent / "gradio-tmp"),
           "QA_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB)}
    env.pop("QA_AUTH", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "qa.cli", "serve", "--data", str(data_dir), "--index",
             str(index_dir), "--port", str(port), *extra],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"the server exited ({proc.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url + "/config", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers (a login wall is an answer)
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the server did not come up:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a temp copy of the seeds plus an article full of markup; no index yet, so
    startup also proves the index gets built from the data folder."""
    root = tmp_path_factory.mktemp("ui")
    data = root / "articles"
    shutil.copytree(SEEDS, data)
    (data / SCRIPT_ARTICLE).write_text(SCRIPT_BODY, encoding="utf-8")
    with running_server(data, root / "index") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server)
    page.wait_for_selector("#qa-status dl")
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(page, question: str) -> None:
    """Type and send a question, then wait for its answer (the n-th assistant message)."""
    before = page.locator("#qa-chat .qa-answer").count()
    page.fill("#qa-question textarea", question)
    page.click("#qa-ask")
    page.wait_for_function(
        f"document.querySelectorAll('#qa-chat .qa-answer').length > {before}")


def last_answer(page):
    return page.locator("#qa-chat .qa-answer").last


def test_arabic_question_gets_a_right_to_left_answer_with_citation_cards(page):
    ask(page, "متى وقعت ليبيا مع تركيا؟")
    answer = last_answer(page)
    assert answer.get_attribute("dir") == "rtl"
    markers = answer.locator("button.qa-cite")
    assert markers.count() >= 1
    assert markers.first.inner_text() == "[1]"
    cards = page.locator("#qa-evidence .qa-card")
    assert cards.count() == markers.count()
    first = cards.first
    assert first.locator(".qa-title").inner_text().strip()
    assert ".txt" in first.locator(".qa-file").inner_text()
    assert first.locator(".qa-quote").inner_text().strip()
    assert "2019" in answer.inner_text()
    shot(page, "ui-arabic-answer")


def test_english_question_is_left_to_right_and_a_followup_is_rewritten(page):
    ask(page, "When did Libya sign with Turkey?")
    answer = last_answer(page)
    assert answer.get_attribute("dir") == "ltr"
    assert answer.locator("button.qa-cite").count() >= 1
    ask(page, "and with Italy?")
    followup = last_answer(page)
    assert followup.locator(".qa-searched-q").inner_text() == "When did Libya sign with Italy?"
    files = page.locator("#qa-evidence .qa-card .qa-file").all_inner_texts()
    assert TURKEY_ITALY in files
    shot(page, "ui-english-followup")


def test_clicking_a_marker_or_card_opens_the_article_with_the_passage_highlighted(page):
    ask(page, "متى وقعت ليبيا مع تركيا؟")
    quotes = page.locator("#qa-evidence .qa-card .qa-quote").all_inner_texts()
    last_answer(page).locator("button.qa-cite").first.click()
    mark = page.locator("#qa-viewer mark.qa-hl")
    mark.wait_for()
    assert mark.inner_text().strip() == quotes[0].strip()
    page.wait_for_function(
        "(() => { const m = document.querySelector('#qa-viewer mark.qa-hl').getBoundingClientRect();"
        " const b = document.querySelector('#qa-viewer .qa-body').getBoundingClientRect();"
        " return m.top >= b.top - 1 && m.bottom <= b.bottom + 1 && m.top >= 0"
        " && m.bottom <= window.innerHeight; })()")
    body = page.locator("#qa-viewer .qa-body").inner_text()
    assert len(body) > len(quotes[0]) * 2  # the whole article, not just the quote
    shot(page, "ui-source-from-marker")
    if len(quotes) > 1:
        page.locator("#qa-evidence .qa-card").nth(1).click()
        page.wait_for_function(
            "document.querySelector('#qa-viewer .qa-source')?.dataset.qaKey?.endsWith(':2')")
        assert page.locator("#qa-viewer mark.qa-hl").inner_text().strip() == quotes[1].strip()
        shot(page, "ui-source-from-card")


def test_uploaded_article_is_indexed_with_progress_and_then_cited(page, tmp_path):
    upload = tmp_path / "tunisia trucks.txt"
    upload.write_text(UPLOAD_BODY, encoding="utf-8")
    page.click("#qa-add button, #qa-add .label-wrap")
    page.evaluate(_WATCH_PROGRESS)
    page.set_input_files("#qa-upload input[type=file]", str(upload))
    report = page.locator("#qa-upload-report")
    report.locator("text=Articles added").wait_for(timeout=60_000)
    assert "tunisia trucks.txt" in report.inner_text()
    seen = " | ".join(page.evaluate("window.__qaProgress"))
    assert "Embedding passages" in seen or "Writing the index" in seen, seen
    shot(page, "ui-upload-report")
    ask(page, "متى وقعت تونس وليبيا اتفاقية عبور الشاحنات؟")
    files = page.locator("#qa-evidence .qa-card .qa-file").all_inner_texts()
    assert "tunisia trucks.txt" in files
    shot(page, "ui-upload-answer")


def test_article_markup_renders_as_inert_text(page):
    ask(page, "متى وقعت ليبيا ومالطا اتفاقية الصيد البحري؟")
    cards = page.locator("#qa-evidence .qa-card")
    target = cards.filter(has_text=SCRIPT_ARTICLE).first
    assert "<script>" in target.locator(".qa-title").inner_text()
    target.click()
    page.locator("#qa-viewer mark.qa-hl").wait_for()
    body = page.locator("#qa-viewer .qa-body").inner_text()
    assert "<img src=x onerror=" in body and "<b>حقوق الصيد</b>" in body
    assert page.locator("#qa-viewer script, #qa-viewer img, #qa-evidence script, #qa-evidence img, "
                        "#qa-chat .qa-answer img").count() == 0
    assert page.evaluate("window.__qaPwned") is None
    shot(page, "ui-inert-markup")


def test_an_upload_over_the_size_limit_is_refused_with_a_clear_message(page, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("ليبيا " * 200_000, encoding="utf-8")  # 2.2 MB, over the 1 MB limit
    page.click("#qa-add button, #qa-add .label-wrap")
    page.set_input_files("#qa-upload input[type=file]", str(big))
    page.locator("text=exceed the maximum allowed size").first.wait_for()
    assert f"up to {MAX_UPLOAD_MB} MB" in page.locator("#qa-upload").inner_text()
    shot(page, "ui-upload-too-big")
