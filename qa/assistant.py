"""The Python entry point: an open index, its model and the answerer, behind two calls."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from qa.answer import Answer, answer_question, idf_from, question_type
from qa.config import Settings
from qa.embeddings import load_embeddings
from qa.retrieval import Filters, Hit, HybridRetriever, HybridSearch
from qa.store import Index, IndexStats


# Questions longer than this are cut: the encoder reads 512 tokens at most, and a pasted article
# as "question" must not hold a core for minutes.
MAX_QUESTION_CHARS = 2000


class Assistant:
    """Questions in, cited answers out, over one index folder.

    The index may be updated by ``qa index`` in another process while an Assistant is open:
    every call answers from the newest complete version.

    Example:
        >>> from qa import Assistant
        >>> assistant = Assistant.open("index")  # doctest: +SKIP
        >>> answer = assistant.ask("متى وقعت ليبيا مع تركيا؟")  # doctest: +SKIP
        >>> answer.dates  # doctest: +SKIP
        [datetime.date(2019, 11, 27), datetime.date(2022, 10, 3), datetime.date(2024, 3, 1)]
    """

    def __init__(self, index: Index, embeddings, settings: Settings) -> None:
        self.index = index
        self.embeddings = embeddings
        self.settings = settings
        self.engine = HybridSearch(index, embeddings)

    @classmethod
    def open(cls, index_dir: str | Path | None = None, *, settings: Settings | None = None) -> "Assistant":
        """Open an index folder with the model it was built with.

        Args:
            index_dir (str | Path, optional): the index folder. Defaults to ``settings.index_dir``.
            settings (Settings, optional): defaults to the environment's.

        Raises:
            qa.store.IndexProblem: no index there, or one that cannot be read.
            qa.embeddings.EmbeddingModelError: its model cannot be loaded here.
        """
        settings = settings or Settings()
        index = Index.open(index_dir or settings.index_dir)
        return cls(index, load_embeddings(index.model, batch_size=settings.batch_size,
                                          query_threads=settings.query_threads), settings)

    @classmethod
    def open_or_build(cls, settings: Settings) -> "Assistant":
        """Open ``settings.index_dir``, first building it from ``settings.data_dir`` when there is
        no index yet (an index that exists but cannot be used is an error, never rebuilt).

        Raises:
            qa.store.IndexProblem: nothing to build from, or an unusable index.
        """
        from qa.store import DB_NAME, IndexProblem, sync

        try:
            assistant = cls.open(settings.index_dir, settings=settings)
        except IndexProblem:
            if (Path(settings.index_dir) / DB_NAME).exists():
                raise
        else:
            if assistant.index.terms_outdated():
                print(f"qa: the index {settings.index_dir} was analysed by an earlier version of qa; "
                      f"`qa index --index {settings.index_dir}` brings its BM25 terms up to date "
                      "(nothing is re-embedded)", file=sys.stderr)
            return assistant
        print(f"qa: building the index {settings.index_dir} from {settings.data_dir} …", file=sys.stderr)
        sync(settings.data_dir, settings.index_dir, settings=settings)
        return cls.open(settings.index_dir, settings=settings)

    def search(self, query: str, k: int | None = None, *, date_from: date | None = None,
               date_to: date | None = None, source: str | None = None) -> list[Hit]:
        """The best passages for a query (see :meth:`qa.retrieval.HybridSearch.search`).

        Args:
            query (str): words or a question, Arabic or English.
            k (int, optional): how many. Defaults to ``settings.k``.
            date_from, date_to (date, optional): publication date range, inclusive.
            source (str, optional): only this outlet.
        """
        return self.engine.search(query[:MAX_QUESTION_CHARS], k or self.settings.k,
                                  filters=Filters(date_from, date_to, source))

    def ask(self, question: str, *, k: int | None = None, date_from: date | None = None,
            date_to: date | None = None, source: str | None = None) -> Answer:
        """Answer a question from the articles, citing the passages each sentence comes from.

        Args:
            question (str): Arabic or English.
            k (int, optional): passages to read. Defaults to ``settings.k``.
            date_from, date_to, source: as for :meth:`search`.

        Returns:
            Answer: ``found`` is False (with related passages) when the articles do not answer.
            Questions over ``MAX_QUESTION_CHARS`` characters are cut to that length.
        """
        question = question[:MAX_QUESTION_CHARS]
        hits = self.search(question, max(k or self.settings.k, 8), date_from=date_from,
                           date_to=date_to, source=source)
        if question_type(question) == "source":
            hits = self.engine.whole_articles(hits)
        return answer_question(question, hits, idf=idf_from(self.index.lexical))

    @property
    def retriever(self) -> HybridRetriever:
        """A LangChain retriever over this index."""
        return HybridRetriever(engine=self.engine, k=self.settings.k)

    def stats(self) -> IndexStats:
        """Counts, outlets, date range and model of the index."""
        return self.index.stats()

    def refresh(self) -> bool:
        """Pick up a newer index version now (calls do it anyway); True when there was one."""
        return self.index.refresh()
