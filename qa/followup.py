"""Follow-up questions: "and with Italy?" after "When did Libya sign with Turkey?".

Deterministic rules, Arabic and English, no language model. A question is a follow-up when it
opens with a connective (``and``, ``what about``, ``و``, ``ماذا عن``, ``وماذا عن`` …) or is a
fragment without a question word (``Italy?``, ``إيطاليا؟``). Its payload (``with Italy``) then
takes the place of what it contrasts in the previous question:

1. the same preposition's object (``with Turkey`` → ``with Italy``);
2. without a preposition, the last prepositional object of the previous question, else (in
   English) its last capitalised name;
3. otherwise the payload is added at the end (``… with Turkey in 2022?``).

A complete question that leans on a pronoun (``Where was it signed?``) keeps its words and
gets the previous question's names appended, so retrieval knows what "it" is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.arabic import STOPWORDS_AR, detect_language, normalize

_WORD = re.compile(r"[^\s?؟!.,،؛;:()«»\"']+")
_END = re.compile(r"[\s?؟!.]*$")

# Connectives, matched on the normalised text (alef forms folded, ى → ي, ة → ه).
_LEAD_EN = re.compile(
    r"^(?:and\s+)?(?:what|how)\s+about\s+|^what\s+of\s+|^same\s+(?:question\s+)?for\s+"
    r"|^and\s+(?:also\s+)?|^also\s+|^or\s+", re.IGNORECASE)
_LEAD_AR = re.compile(r"^(?:و\s*)?(?:ماذا|ما)\s+(?:عن|بشان)\s+|^و(?:كذلك|ايضا)\s+|^و\s+")
_PREPS_EN = {"with", "in", "on", "for", "to", "from", "between", "about", "against", "by", "at",
             "of", "during", "after", "before", "since"}
_PREPS_AR = {normalize(w) for w in ("مع", "في", "عن", "من", "إلى", "على", "بين", "ضد", "خلال",
                                    "بعد", "قبل", "منذ", "لدى")}
_QUESTION_EN = {"when", "where", "who", "whom", "whose", "what", "which", "why", "how", "did",
                "does", "do", "is", "are", "was", "were", "has", "have", "had", "can", "will"}
_QUESTION_AR = {normalize(w) for w in ("متى", "أين", "من", "ما", "ماذا", "كم", "هل", "لماذا",
                                       "كيف", "أي", "ما هي", "ما هو", "لمن")}
# "that" is left out (mostly a relative pronoun), as are هو/هي (the copula of "من هو").
_PRONOUNS_EN = {"it", "they", "them", "this", "these", "those", "he", "she", "its", "their",
                "his", "her"}
_PRONOUNS_AR = {normalize(w) for w in ("ذلك", "هذا", "هذه", "ذاك", "تلك", "هؤلاء", "هناك")}
# Words that begin with و as a root letter, not the conjunction "and".
_WAW_WORDS = {normalize(w) for w in ("وزير", "وزيرة", "وزارة", "وزراء", "وكالة", "وقع", "وقعت",
                                     "وفد", "وثيقة", "ولاية", "وطني", "وطنية", "وحدة", "وضع",
                                     "وقت", "وسط", "واشنطن", "وارسو", "وهران", "ورقة")}
MAX_FRAGMENT_WORDS = 4
"""A question without a question word and at most this many words is a fragment."""


@dataclass(frozen=True)
class Rewrite:
    """The question to search for a message of the conversation.

    Attributes:
        question (str): the message as typed.
        searched (str): what to search and answer (``question`` itself when not a follow-up).
        followup (bool): whether the previous question was used.
    """

    question: str
    searched: str
    followup: bool


def rewrite(question: str, history: Sequence[str]) -> Rewrite:
    """The question actually to search, given the previous ones.

    Args:
        question (str): the new message.
        history (Sequence[str]): earlier *searched* questions, oldest first (so a chain of
            follow-ups keeps building on the last complete question).

    Returns:
        Rewrite: ``searched == question`` unless it is a follow-up of ``history[-1]``.

    Example:
        >>> rewrite("and with Italy?", ["When did Libya sign with Turkey?"]).searched
        'When did Libya sign with Italy?'
        >>> rewrite("وماذا عن إيطاليا؟", ["متى وقعت ليبيا مع تركيا؟"]).searched
        'متى وقعت ليبيا مع إيطاليا؟'
    """
    question = " ".join(question.split())
    previous = history[-1] if history else ""
    if not previous or not question:
        return Rewrite(question, question, False)
    payload, connective = _strip_connective(question)
    if _is_question(payload):
        # A whole question stands on its own unless a pronoun points back ("was it signed?").
        if _leans_on_pronoun(payload):
            searched = _with_context(question, previous)
            return Rewrite(question, searched, searched != question)
        return Rewrite(question, question, False)
    if not connective and len(_words(payload)) > MAX_FRAGMENT_WORDS:
        return Rewrite(question, question, False)
    return Rewrite(question, _substitute(previous, payload), True)


def is_followup(question: str, previous: str) -> bool:
    """Whether ``question`` needs ``previous`` to be understood (see :func:`rewrite`)."""
    return rewrite(question, [previous]).followup


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def _norm(word: str) -> str:
    return normalize(word).lower()


def _strip_connective(question: str) -> tuple[str, bool]:
    """The question without its leading "and"/"what about"/"و…" and whether it had one."""
    text = question.strip()
    normalized = normalize(text)
    # normalize() keeps length for these letters, so a match on it cuts the original text.
    for lead in (_LEAD_EN, _LEAD_AR):
        match = lead.match(normalized) if len(normalized) == len(text) else lead.match(text)
        if match:
            return _END.sub("", text[match.end():]), True
    words = _words(text)
    if words and _attached_waw(words[0].group()):
        return _END.sub("", text[words[0].start() + 1:]), True
    return _END.sub("", text), False


def _attached_waw(word: str) -> bool:
    """``ومع`` / ``وإيطاليا`` / ``والجزائر``: the conjunction و written onto the next word."""
    n = _norm(word)
    return len(n) > 2 and n.startswith("و") and n not in _WAW_WORDS and not n.startswith("وو")


def _is_question(text: str) -> bool:
    words = [_norm(m.group()) for m in _words(text)]
    if not words:
        return False
    first = words[0][1:] if _attached_waw(words[0]) else words[0]
    return first in _QUESTION_EN or first in _QUESTION_AR or " ".join(words[:2]) in _QUESTION_AR


def _leans_on_pronoun(text: str) -> bool:
    words = {_norm(m.group()) for m in _words(text)}
    return bool(words & (_PRONOUNS_EN | _PRONOUNS_AR)) and not _names(text)


def _names(text: str) -> list[str]:
    """Capitalised English names after the first word (Arabic has no capitals)."""
    words = _words(text)[1:]
    return [m.group() for m in words if m.group()[:1].isupper() and _norm(m.group()) not in _QUESTION_EN]


def _content_words(text: str) -> list[str]:
    """The words of a question that say what it is about (names first, else non-stopwords)."""
    names = _names(text)
    if names:
        return names
    skip = STOPWORDS_AR | _QUESTION_AR | _QUESTION_EN | _PREPS_EN | _PREPS_AR
    return [m.group() for m in _words(text) if _norm(m.group()) not in skip and len(m.group()) > 1]


def _with_context(question: str, previous: str) -> str:
    context = [w for w in _content_words(previous) if w not in question]
    if not context:
        return question
    mark = "؟" if detect_language(question) == "ar" else "?"
    return f"{question.rstrip('?؟ ')} ({' '.join(context)}){mark}"


def _is_prep(word: str) -> bool:
    n = _norm(word)
    return n in _PREPS_EN or n in _PREPS_AR


def _prep_objects(text: str) -> list[tuple[str, int, int]]:
    """``(preposition, start, end)`` of each prepositional object in ``text``: the words after
    the preposition up to the next preposition, punctuation or the end."""
    spans: list[tuple[str, int, int]] = []
    words = _words(text)
    for i, word in enumerate(words):
        if not _is_prep(word.group()):
            continue
        j = i + 1
        while j < len(words) and not _is_prep(words[j].group()) \
                and not re.search(r"[,،؛;:?؟]", text[words[j - 1].end():words[j].start()]):
            j += 1
        if j > i + 1:
            spans.append((_norm(word.group()), words[i + 1].start(), words[j - 1].end()))
    return spans


def _substitute(previous: str, payload: str) -> str:
    """Put ``payload`` in place of what it contrasts in ``previous`` (see module docstring)."""
    words = _words(payload)
    if not words:
        return previous
    objects = _prep_objects(previous)
    if _is_prep(words[0].group()):
        prep = _norm(words[0].group())
        obj = payload[words[1].start():] if len(words) > 1 else ""
        same = [span for span in objects if span[0] == prep]
        if same and obj:
            return _replace(previous, same[-1][1], same[-1][2], obj)
        return _append(previous, payload)
    if objects:
        return _replace(previous, objects[-1][1], objects[-1][2], payload)
    names = list(re.finditer(r"(?<!^)\b[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*", previous))
    names = [m for m in names if _norm(m.group().split()[0]) not in _QUESTION_EN]
    if names:
        return _replace(previous, names[-1].start(), names[-1].end(), payload)
    return _append(previous, payload)


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new.strip() + text[end:]


def _append(previous: str, payload: str) -> str:
    body = _END.sub("", previous)
    return f"{body} {payload.strip()}{previous[len(body):].strip() or '?'}"
