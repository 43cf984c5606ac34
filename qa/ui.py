"""The chat in the browser (Gradio): cited answers, the source viewer, uploads, index status.

Layout: the conversation on the left; on the right the evidence panel (one card per citation
of the latest answer) above the source viewer (the whole article with the cited sentence
marked). Clicking a ``[n]`` marker in any answer, or a card, sends the citation's key
(``"turn:n"``) to the server through the viewer's ``click`` event; the server answers with the
article rendered by :mod:`qa.render`, and the viewer scrolls the mark into view.

All HTML comes from :mod:`qa.render`, which escapes every string it did not write. Programs use
the same answers through the named API endpoint ``/ask`` (``gradio_client``), which returns the
``qa ask --json`` object as JSON text::

    from gradio_client import Client
    answer = json.loads(Client("http://127.0.0.1:7860").predict("متى وقعت ليبيا مع تركيا؟", api_name="/ask"))
"""

from __future__ import annotations

import json
import os
import sys
import threading
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Before gradio is imported: it reads this once, and no usage data may leave the machine.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

# Gradio at module level on purpose: `qa.cli` imports this module only for `qa serve`, and
# Gradio reads the handlers' annotations (gr.EventData, gr.Progress) at runtime.
import gradio as gr  # noqa: E402

from qa import render  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.followup import rewrite  # noqa: E402

if TYPE_CHECKING:
    from qa.answer import Answer
    from qa.assistant import Assistant

MAX_TURNS_KEPT = 50
"""Turns whose citations a session keeps for the source viewer (older markers then say so)."""

STATUS_EVERY = 5.0
"""Seconds between refreshes of the status panel (it follows `qa index` in other processes)."""

# Shared by every answer marker and card: one document-level listener (bound once) that sends
# the clicked citation's key to the server through the viewer's own `click` event, and a
# watcher that scrolls the highlighted span into view whenever the viewer re-renders.
_VIEWER_JS = """
window.__qaOpenCitation = (key) => trigger('click', {cite: key});
const scrollToMark = () => {
  const mark = element.querySelector('mark.qa-hl');
  if (mark) mark.scrollIntoView({block: 'center', inline: 'nearest'});
};
if (!window.__qaCiteBound) {
  window.__qaCiteBound = true;
  const open = (event) => {
    const el = event.target.closest('button.qa-cite, [data-qa-cite]');
    if (!el) return;
    event.preventDefault();
    window.__qaOpenCitation(el.getAttribute('data-qa-cite') || el.value);
  };
  document.addEventListener('click', open, true);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') open(event);
  }, true);
}
watch('value', scrollToMark);
"""

_CSS = """
.qa-msg[dir=rtl] { text-align: right; }
.qa-cite { all: unset; cursor: pointer; color: var(--link-text-color, #2563eb);
  font-weight: 600; padding: 0 .1em; }
.qa-cite:hover, .qa-cite:focus { text-decoration: underline; }
.qa-searched { font-size: .85em; opacity: .8; }
.qa-timeline { margin: .3em 0; padding-inline-start: 1.4em; }
.qa-cards h3 { margin: 0 0 .4em; font-size: 1em; }
.qa-card { border: 1px solid var(--border-color-primary, #ddd); border-radius: 8px;
  padding: .5em .7em; margin-bottom: .5em; cursor: pointer; }
.qa-card:hover, .qa-card:focus { border-color: var(--color-accent, #f97316); }
.qa-card.qa-related { opacity: .8; border-style: dashed; }
.qa-card .qa-meta, .qa-source .qa-meta { font-size: .82em; opacity: .75; }
.qa-card .qa-quote { margin: .3em 0 0; font-size: .92em; border: none; padding: 0; }
.qa-n { font-weight: 700; color: var(--color-accent, #f97316); }
.qa-source .qa-body { max-height: 420px; overflow-y: auto; border-top: 1px solid #ddd;
  margin-top: .4em; padding-top: .4em; line-height: 1.7; }
.qa-passage { background: rgba(250, 204, 21, .15); }
mark.qa-hl { background: #fde047; color: inherit; padding: 0 .1em; }
.qa-status { display: grid; grid-template-columns: max-content 1fr; gap: .15em .8em; margin: 0; }
.qa-status dt { font-weight: 600; }
.qa-status dd { margin: 0; }
"""

_WARM_UP = "متى وقعت ليبيا مع تركيا؟ When did Libya sign?"
_VIEWER_HINT = "<p class='qa-hint'>Click a [n] marker or a source card to read the passage in its article.</p>"
_STAGES = {"save": "Saving files", "read": "Reading articles", "embed": "Embedding passages",
           "write": "Writing the index"}


class _Session:
    """What one browser session remembers: searched questions and each turn's citations."""

    def __init__(self) -> None:
        self.turn = 0
        self.searched: list[str] = []
        self.sources: dict[str, tuple[Any, int, int, str]] = {}

    def remember(self, answer: "Answer") -> int:
        self.turn += 1
        self.searched.append(answer.searched or answer.question)
        for c in answer.citations:
            self.sources[f"{self.turn}:{c.n}"] = (c.hit, c.quote_start, c.quote_end, f"[{c.n}]")
        for i, hit in enumerate(answer.related, 1):
            self.sources[f"{self.turn}:r{i}"] = (hit, hit.chunk.start, hit.chunk.end, f"~{i}")
        old = self.turn - MAX_TURNS_KEPT
        self.sources = {k: v for k, v in self.sources.items() if int(k.split(":")[0]) > old}
        return self.turn


def build_app(settings: Settings, assistant: "Assistant") -> "gr.Blocks":
    """The Gradio app over an open assistant.

    Args:
        settings (Settings): data and index folders (for uploads) and limits.
        assistant (Assistant): answers every session; it follows new index generations.

    Returns:
        gr.Blocks: not launched; :func:`serve` launches it.
    """
    from qa.articles import ARTICLE_SUFFIXES

    def status_html() -> str:
        return render.render_status(assistant.stats(), index_dir=str(settings.index_dir))

    def respond(message: str, history: list, session: _Session | None):
        session = session or _Session()
        message = (message or "").strip()
        if not message:
            return gr.skip(), history, session, gr.skip(), gr.skip()
        step = rewrite(message, session.searched)
        answer = replace(assistant.ask(step.searched), question=message, searched=step.searched)
        turn = session.remember(answer)
        history = [*(history or []),
                   {"role": "user", "content": render.render_question(message)},
                   {"role": "assistant", "content": render.render_answer(answer, turn)}]
        return "", history, session, render.render_citations(answer, turn), _VIEWER_HINT

    def open_source(session: _Session | None, evt: gr.EventData) -> str:
        key = str(evt._data.get("cite", "")) if isinstance(evt._data, dict) else ""
        source = (session or _Session()).sources.get(key)
        if source is None:
            return "<p class='qa-hint'>That citation belongs to an older turn that is no longer kept.</p>"
        hit, start, end, label = source
        return render.render_source(hit, start, end, key=key, label=label)

    def upload(files: list | None, progress=gr.Progress()):
        from qa.store import IndexProblem
        from qa.uploads import save_and_index

        if not files:
            return gr.skip(), gr.skip(), None
        pairs = [(Path(str(f)).name, Path(str(f))) for f in files]

        def tick(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=_STAGES.get(stage, stage))

        try:
            report = save_and_index(pairs, settings=settings, progress=tick)
        except IndexProblem as exc:
            raise gr.Error(f"The files were saved but the index was not updated: {exc}") from exc
        return render.render_upload_report(report), status_html(), None

    with gr.Blocks(title="qa — cited answers from news articles", analytics_enabled=False) as app:
        session = gr.State(None)
        gr.Markdown("## qa — answers from the articles, every claim cited")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(elem_id="qa-chat", height=560, show_label=False,
                                  feedback_options=None, render_markdown=False,
                                  placeholder="Ask about the articles, in Arabic or English.")
                with gr.Row():
                    question = gr.Textbox(elem_id="qa-question", show_label=False, scale=5,
                                          placeholder="متى وقعت ليبيا مع تركيا؟ — When did Libya sign with Turkey?",
                                          rtl=False, autofocus=True, submit_btn=False)
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="qa-ask")
            with gr.Column(scale=2):
                evidence = gr.HTML("", elem_id="qa-evidence", js_on_load=None)
                viewer = gr.HTML(_VIEWER_HINT, elem_id="qa-viewer", js_on_load=_VIEWER_JS)
        with gr.Row():
            with gr.Column():
                with gr.Accordion("Add articles", open=False, elem_id="qa-add"):
                    files = gr.File(label=f"Article files ({' '.join(sorted(ARTICLE_SUFFIXES))}; "
                                          f"up to {settings.max_upload_mb} MB each)",
                                    file_count="multiple", file_types=sorted(ARTICLE_SUFFIXES),
                                    elem_id="qa-upload")
                    report = gr.HTML("", elem_id="qa-upload-report")
            with gr.Column():
                with gr.Accordion("Index status", open=True):
                    status = gr.HTML(status_html, elem_id="qa-status")

        outputs = [question, chat, session, evidence, viewer]
        for trigger in (question.submit, send.click):
            trigger(respond, [question, chat, session], outputs, api_visibility="private")
        viewer.click(open_source, [session], [viewer], api_visibility="private",
                     show_progress="hidden")
        files.upload(upload, [files], [report, status, files], api_visibility="private")
        gr.Timer(STATUS_EVERY).tick(status_html, None, status, api_visibility="private",
                                    show_progress="hidden")

        def ask_api(question: str) -> str:
            """Answer a question from the articles: the `qa ask --json` object, as JSON text."""
            # Text, not a dict: gradio_client downloads every dict holding a "path" key as a
            # file, which would break each citation (they carry the article's path).
            return json.dumps(assistant.ask(question).to_dict(), ensure_ascii=False)

        gr.api(ask_api, api_name="ask")
    return app


def _auth(spec: str | None) -> tuple[str, str] | None:
    if not spec:
        return None
    user, sep, password = spec.partition(":")
    if not sep or not user or not password:
        raise ValueError("the login must be given as USER:PASSWORD (QA_AUTH or --auth)")
    return user, password


def serve(settings: Settings, assistant: "Assistant | Future[Assistant] | None" = None) -> None:
    """Open (or first build) the index and serve the chat until interrupted.

    Binds ``settings.host`` (127.0.0.1 unless told otherwise) on ``settings.port``; asks for a
    login when ``settings.auth`` is ``user:password``; refuses uploads over
    ``settings.max_upload_mb``. Never creates a public share link; Gradio's analytics are off.

    Args:
        settings (Settings): folders, host, port, auth, limits.
        assistant (Assistant | Future, optional): an assistant already opened, or being opened
            in another thread (``qa serve`` opens the index while Gradio imports). Defaults to
            ``Assistant.open_or_build(settings)``.
    """
    auth = _auth(settings.auth)
    if isinstance(assistant, Future):
        assistant = assistant.result()
    if assistant is None:
        from qa.assistant import Assistant

        assistant = Assistant.open_or_build(settings)
    app = build_app(settings, assistant)
    print(f"qa: serving http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    app.queue(default_concurrency_limit=4).launch(
        server_name=settings.host, server_port=settings.port, share=False, auth=auth,
        max_file_size=f"{settings.max_upload_mb}mb", ssr_mode=False, show_error=True,
        # System fonts: the default theme would fetch Google Fonts on every page load.
        theme=gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]),
        css=_CSS, footer_links=["api"], quiet=True, prevent_thread_lock=True,
    )
    # The answerer loads its date and name tables on first use: do that now, while nobody
    # waits, instead of on the first question.
    threading.Thread(target=assistant.ask, args=(_WARM_UP,), daemon=True).start()
    app.block_thread()
