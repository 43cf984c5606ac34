"""Follow-up questions are rewritten from the previous one, deterministically, in both languages."""

from __future__ import annotations

import pytest

from qa.followup import is_followup, rewrite

TURKEY_EN = "When did Libya sign with Turkey?"
TURKEY_AR = "متى وقعت ليبيا مع تركيا؟"


@pytest.mark.parametrize("followup", ["and with Italy?", "And Italy?", "what about Italy?",
                                      "How about Italy?", "Italy?"])
def test_english_followup_replaces_the_contrasted_country(followup):
    assert rewrite(followup, [TURKEY_EN]).searched == "When did Libya sign with Italy?"


@pytest.mark.parametrize("followup", ["وماذا عن إيطاليا؟", "ماذا عن إيطاليا", "ومع إيطاليا؟",
                                      "وإيطاليا؟", "إيطاليا؟"])
def test_arabic_followup_replaces_the_contrasted_country(followup):
    assert rewrite(followup, [TURKEY_AR]).searched == "متى وقعت ليبيا مع إيطاليا؟"


def test_a_new_preposition_is_appended():
    assert rewrite("and in 2022?", [TURKEY_EN]).searched == "When did Libya sign with Turkey in 2022?"
    assert rewrite("وفي عام 2022؟", [TURKEY_AR]).searched == "متى وقعت ليبيا مع تركيا في عام 2022؟"


def test_a_name_without_preposition_replaces_the_last_prepositional_object():
    previous = "What did Turkey and Libya agree on in Antalya?"
    assert rewrite("and Ankara?", [previous]).searched == "What did Turkey and Libya agree on in Ankara?"


def test_chains_build_on_the_last_searched_question():
    first = rewrite("and with Italy?", [TURKEY_EN]).searched
    assert rewrite("and Egypt?", [TURKEY_EN, first]).searched == "When did Libya sign with Egypt?"


def test_pronoun_questions_get_the_previous_subject():
    step = rewrite("Where was it signed?", [TURKEY_EN])
    assert step.followup and step.searched == "Where was it signed (Libya Turkey)?"
    assert "ليبيا" in rewrite("أين تم توقيع ذلك؟", [TURKEY_AR]).searched


@pytest.mark.parametrize("question", ["Who is the Turkish defence minister?",
                                      "من هو وزير الدفاع التركي؟",
                                      "When did Libya sign with Italy?",
                                      "And when did Italy sign?"])
def test_complete_questions_are_left_alone(question):
    step = rewrite(question, [TURKEY_EN])
    assert step.searched == question and not step.followup


def test_no_history_means_no_rewrite():
    assert rewrite("and with Italy?", []) .searched == "and with Italy?"
    assert not is_followup("and with Italy?", "")


def test_words_beginning_with_waw_are_not_the_conjunction():
    # وزير is "minister", not "and + زير": the fragment replaces the object, letters intact.
    assert "وزير الدفاع" in rewrite("وزير الدفاع؟", [TURKEY_AR]).searched


def test_is_followup():
    assert is_followup("and with Italy?", TURKEY_EN)
    assert not is_followup("What was agreed with Italy about migration?", TURKEY_EN)
