"""Questions written the way parents write (issue "Answers that answer"), on the shipped corpus.

Each test is one kind of failure seen when the assistant was tried as a new user would: shorthand
and capitals, a story before the question, a message asking several things, follow-ups that ask
something new, informal deadlines, false premises, other languages and other councils' areas.
"""

from __future__ import annotations

import re

import pytest

from assistant.answering.answer import Answer, Kind
from assistant.answering.message import is_ordinary_word, language_of, read_message, spell_out
from assistant.answering.understand import asks_to_challenge, council_for, understand
from assistant.config import get_settings
from assistant.corpus.glossary import Glossary
from assistant.pipeline import AnswerPipeline

pytestmark = pytest.mark.slow


def _glossary() -> Glossary:
    return Glossary.from_corpus(get_settings().corpus_dir)


def said(answer: Answer, pattern: str) -> bool:
    """Whether what the parent reads (notes, dates, answer) matches a regex, any case."""
    return bool(re.search(pattern, answer.reply, re.IGNORECASE))


# --- reading the message (fast, no index) ---------------------------------------------------


@pytest.mark.parametrize(
    ("written", "spelled"),
    [
        ("The LA says no", "The local authority (council) says no (decides not to, refuses)"),
        ("DS's EP report", "son's educational psychologist report"),
        ("ds yr 4, dd in yr 7", "son year 4, daughter in year 7"),
        ("the TA and the SALT", "the teaching assistant and the speech and language therapy"),
        ("shes too poorly to go in", "she's too ill (poorly) to go in"),
        ("he's on a reduced timetable", "he's on a reduced timetable (part-time timetable)"),
    ],
)
def test_shorthand_is_spelled_out(written: str, spelled: str) -> None:
    assert spell_out(written) == spelled


def test_a_question_starting_in_lower_case_is_found_inside_a_story() -> None:
    message = read_message(
        "sent the request off to SENMAS myself. my mate says the LA says no to loads of ppl. "
        "if they refuse to assess him what can i do??"
    )
    assert message.questions == ("if they refuse to assess him what can i do??",)


def test_a_part_saying_it_gets_the_topic_said_before_it() -> None:
    query = understand(
        "Annual review next month for my son. Who arranges it? Can I send my views in writing?",
        [],
        _glossary(),
        6,
    )
    assert "annual review" in query.parts[0].lower()
    # "this" points at the whole story, not at one word of it.
    query = understand(
        "they keep giving him detentions for forgetting equipment, part of his ADHD. this has "
        "to be discrimination? who do i complain to, the head teacher ignored me",
        [],
        _glossary(),
        6,
    )
    assert query.parts[0].lower().startswith("this has to be discrimination")


def test_a_family_moving_to_stoke_is_not_sent_to_the_council_it_leaves() -> None:
    history = [
        {"role": "user", "content": "we're moving to Stoke from Wigan in May, dd has an EHCP"},
        {"role": "assistant", "content": "The plan transfers to Stoke-on-Trent City Council."},
    ]
    query = understand(
        "her special school is in Wigan though, what happens with school until it's sorted?",
        history,
        _glossary(),
        6,
    )
    assert query.other_area is None


def test_another_area_named_earlier_still_holds_in_a_follow_up() -> None:
    history = [
        {
            "role": "user",
            "content": "we live in newcastle under lyme and my daughter needs an ehcp",
        },
        {"role": "assistant", "content": "Staffordshire County Council runs that area."},
        {"role": "user", "content": "so i ask them not stoke?"},
        {"role": "assistant", "content": "Yes, ask Staffordshire County Council."},
    ]
    query = understand("do they have to do it in 20 weeks like stoke", history, _glossary(), 6)
    assert query.other_area is not None
    assert council_for(query.other_area) == "Staffordshire County Council"


def test_a_question_ending_then_follows_on() -> None:
    history = [
        {"role": "user", "content": "what are short breaks?"},
        {"role": "assistant", "content": "Short breaks give disabled children time away."},
    ]
    query = understand(
        "who do i ring to get assessed for the bigger stuff then", history, _glossary(), 6
    )
    assert query.is_follow_up
    assert "short breaks" in query.search_text


def test_ordinary_words_in_capitals_are_not_names() -> None:
    assert is_ordinary_word("HIM") and is_ordinary_word("NEVER") and is_ordinary_word("AGREE")
    assert not is_ordinary_word("SENMAS")


@pytest.mark.parametrize(
    "message",
    [
        "میں اپنے بیٹے کے لیے EHC پلان کی درخواست کیسے کروں؟",
        "Jak złożyć wniosek o plan EHC dla mojego syna?",
        "Cum pot cere un plan EHC pentru fiul meu?",
    ],
)
def test_messages_in_other_languages_are_noticed(message: str) -> None:
    assert language_of(message) != "en"


@pytest.mark.parametrize(
    "message",
    [
        "How do I apply for an EHCP?",
        "ds yr4 ASD, senco says no to EHCNA, wot now",
        "LA said no. can they do that",
    ],
)
def test_short_informal_english_is_english(message: str) -> None:
    assert language_of(message) == "en"


def test_a_message_asking_three_things_has_three_parts() -> None:
    message = read_message(
        "My son is 9 and has ADHD and really struggles in class. I want to know how to get the "
        "school to make adjustments for him, what evidence would help if we ask for an EHC needs "
        "assessment, and should we push for a CAMHS referral?"
    )
    assert len(message.parts) == 3
    assert "adjustments" in message.parts[0] and "evidence" in message.parts[1]
    assert "CAMHS" in message.parts[2]


def test_context_before_a_question_is_not_a_separate_part() -> None:
    message = read_message("We've just moved to Leek with his EHCP, do we still talk to SENMAS?")
    assert len(message.parts) == 1


def test_context_then_two_questions_in_one_sentence_are_two_parts() -> None:
    message = read_message(
        "we're on the waiting list for an ADHD assessment, how long is the wait in stoke and "
        "can school help in the meantime?"
    )
    assert message.parts == (
        "we're on the waiting list for an ADHD assessment, how long is the wait in stoke",
        "can school help in the meantime?",
    )


# --- answers on the shipped corpus ------------------------------------------------------------


def test_shorthand_never_turns_a_question_into_not_found(
    shipped_pipeline: AnswerPipeline,
) -> None:
    for question in (
        "The LA says they won't assess because he's not 2 years behind. can they do that",
        "school keeps sending HIM home at lunch because they can't cope, is that allowed?",
        "the EP and SALT have done their bits for DSs assessment now. when does the LA have to "
        "tell me whether theyre actually going to write a plan or not?",
    ):
        answer = shipped_pipeline.answer(question)
        assert answer.kind == Kind.ANSWERED, (question, answer.reply)
        assert "couldn't find anything about" not in answer.reply


def test_too_poorly_for_school_is_answered_from_the_illness_guidance(
    shipped_pipeline: AnswerPipeline,
) -> None:
    answer = shipped_pipeline.answer(
        "DS 11 has long covid and has missed 5 weeks. school just emails work home. hes too "
        "poorly to go in. who is supposed to make sure he actually gets taught?"
    )
    assert answer.kind == Kind.ANSWERED, answer.reply
    assert "children-too-ill-for-school" in {c.doc_id for c in answer.citations}


def test_who_to_talk_to_and_how_often_gets_both_answers(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer(
        "my son is on the SEN register but i've never seen a plan. who do i talk to about it at "
        "school? and how often should they meet me"
    )
    assert said(answer, r"SENCO")
    assert said(answer, r"three times a year|once a term")


def test_a_story_then_can_i_still_ask(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer(
        "My daughter's school keeps saying she is fine because her reading is age-appropriate, "
        "but she melts down every evening. The SENCO will not back a request. Can I still ask "
        "for an assessment?"
    )
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"(?:do not|don't) need the school's agreement|cannot block")
    assert not re.search(r"could not confirm", answer.statements[0].text)
    # About a schoolgirl: the right of young people aged 16 to 25 is not her parent's answer.
    assert not said(answer, r"aged 16 to 25|over 18")


def test_not_far_enough_behind_gets_the_legal_test(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer(
        "The LA says they won't assess because he's not 2 years behind. can they do that"
    )
    assert answer.kind == Kind.ANSWERED
    lead = answer.statements[0].text
    assert re.search(r"no level of attainment", lead) and re.search(r"may have SEN", lead)


def test_an_answer_never_leads_with_what_could_not_be_confirmed(
    shipped_pipeline: AnswerPipeline,
) -> None:
    answer = shipped_pipeline.answer("does my local family hub in stoke have a SEND worker?")
    assert answer.kind == Kind.ANSWERED
    assert not re.search(r"could not confirm", answer.statements[0].text, re.I)
    # "... is not confirmed here" is the same kind of sentence, written another way.
    answer = shipped_pipeline.answer(
        "school said they'll only make reasonable adjustments once my son has a formal autism "
        "diagnosis and till then he follows the behaviour policy same as everyone. we've been on "
        "the CAMHS waiting list 2 years. surely they can't make us wait for a bit of paper??"
    )
    assert answer.kind == Kind.ANSWERED
    assert not re.search(r"not confirmed here|^Check the", answer.statements[0].text, re.I)


def test_reasonable_adjustments_do_not_wait_for_a_diagnosis(
    shipped_pipeline: AnswerPipeline,
) -> None:
    # A long story dilutes the answering passage's own similarity; the parents' question it was
    # written for still shows the guidance covers it (it was "not found").
    answer = shipped_pipeline.answer(
        "school says they'll only do reasonable adjustments once DS gets a formal autism "
        "diagnosis, until then he follows the behaviour policy like everyone. we've been on the "
        "camhs waiting list for 2 years. can they really make us wait for a piece of paper??"
    )
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"does not need a formal diagnosis to be owed reasonable adjustments")


def test_follow_up_asks_something_new(shipped_pipeline: AnswerPipeline) -> None:
    history = [
        {"role": "user", "content": "How long does an EHC needs assessment take?"},
        {
            "role": "assistant",
            "content": "The council must decide within 6 weeks whether to assess, and the whole "
            "process should take no more than 20 weeks.",
        },
    ]
    answer = shipped_pipeline.answer("what about a review of the plan?", history)
    assert said(answer, r"12 months")
    history = [
        {"role": "user", "content": "How do I ask for an EHC needs assessment?"},
        {"role": "assistant", "content": "You can write to the council to ask for one."},
    ]
    answer = shipped_pipeline.answer("and if they refuse?", history)
    assert said(answer, r"tribunal|appeal")
    assert said(answer, r"mediation")


def test_informal_appeal_deadline(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer(
        "The council just said no to assessing my daughter. How long have I got to appeal?"
    )
    assert said(answer, r"two months|2 months")


def test_invented_paragraph_gets_the_real_rule(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer(
        "the council says paragraph 9.301 of the Code lets them take 40 weeks when they are "
        "short-staffed, is that right?"
    )
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"no paragraph 9\.301")
    assert said(answer, r"20 weeks")
    assert not said(answer, r"40 weeks")


def test_three_questions_get_three_labelled_parts_and_sendiass(
    shipped_pipeline: AnswerPipeline,
) -> None:
    answer = shipped_pipeline.answer(
        "My son is 9 and has ADHD and really struggles in class. I want to know how to get the "
        "school to make adjustments for him, what evidence would help if we ask for an EHC needs "
        "assessment, and should we push for a CAMHS referral?"
    )
    labels = [label for label, _ in answer.paragraphs() if label.startswith("You asked")]
    assert len(labels) == 3
    assert said(answer, r"CAMHS")
    assert said(answer, r"SENDIASS")


def test_a_medical_condition_at_school_gets_the_schools_duty(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """Staff "can't give his rescue medication": the answer gives the school's duty (section
    100) and what staff can be asked to do, each part of the message under its own label."""
    answer = shipped_pipeline.answer(
        "my son is 10 and has epilepsy, no learning needs, doing really well in class. his new "
        "school says staff can't give his rescue medication so they ring me to come in all the "
        "time. do schools have to support children with medical conditions? what sort of plan "
        "should he have? does he need an EHCP for this?"
    )
    labels = [label for label, _ in answer.paragraphs() if label.startswith("You asked")]
    assert len(labels) >= 2
    assert said(answer, r"section 100")
    assert said(answer, r"cannot be required")


def test_a_part_nothing_here_answers_is_said_so(shipped_pipeline: AnswerPipeline) -> None:
    """The assessment part is answered; the blanket part is named as not found, never given
    an answer about something else under its label."""
    answer = shipped_pipeline.answer(
        "my daughter is autistic. how do I ask for an EHC needs assessment, and what brand of "
        "weighted blanket is best for her?"
    )
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"ask (for|the council for) an EHC needs assessment")
    assert said(answer, r'could not find an answer to "what brand of weighted blanket')
    labels = [label for label, _ in answer.paragraphs() if label.startswith("You asked")]
    assert not any("blanket" in label for label in labels)


def test_a_question_in_urdu_gets_the_english_only_reply(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer("میں اپنے بیٹے کے لیے EHC پلان کی درخواست کیسے کروں؟")
    assert answer.status == "not_english"
    assert said(answer, r"English") and said(answer, r"SENDIASS")


def test_another_councils_area_never_gets_stokes_contacts(
    shipped_pipeline: AnswerPipeline,
) -> None:
    answer = shipped_pipeline.answer(
        "We've just moved to Leek with his EHCP, do we still talk to SENMAS?"
    )
    assert said(answer, r"Staffordshire County Council")
    assert not re.search(r"01782|@stoke\.gov\.uk", answer.body)
    assert all(c.collection != "local_offer" for c in answer.citations)


def test_moving_to_another_council_names_the_council_moved_to(
    shipped_pipeline: AnswerPipeline,
) -> None:
    answer = shipped_pipeline.answer(
        "we're in Kidsgrove now but moving to Nantwich at Easter. does his EHCP come with us?"
    )
    assert said(answer, r"Cheshire East Council")
    assert not re.search(r"01782|@stoke\.gov\.uk", answer.body)


def test_an_answer_that_names_sendiass_also_gives_its_number(
    shipped_pipeline: AnswerPipeline,
) -> None:
    answer = shipped_pipeline.answer(
        "who in stoke can help me with the forms for an EHCP request? I struggle with paperwork"
    )
    assert said(answer, r"SENDIASS")
    assert said(answer, r"01782 ?234 ?701")


def test_how_long_have_we_got_after_a_school_dispute_gives_the_appeal_deadline(
    shipped_pipeline: AnswerPipeline,
) -> None:
    history = [
        {"role": "user", "content": "the final plan has come and names a school we never wanted"},
        {"role": "assistant", "content": "You can appeal the school named in section I."},
        {"role": "user", "content": "can we go to tribunal just about the school?"},
        {"role": "assistant", "content": "Yes, an appeal can be about section I only."},
    ]
    answer = shipped_pipeline.answer("how long have we got to get the appeal in", history)
    assert said(answer, r"2 months|two months")


def test_an_appeal_deadline_in_august_moves_to_september(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer(
        "the 2 months for our EHCP appeal ends on 20 August, do we get longer because of the "
        "summer holidays?"
    )
    assert said(answer, r"first working day in September")


def test_a_nursery_can_get_money_for_a_child_on_dla(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer("my son is 3 and gets DLA, can his nursery get extra money?")
    assert said(answer, r"Disability Access Fund")


def test_a_later_follow_up_keeps_the_topic_the_conversation_began_with(
    shipped_pipeline: AnswerPipeline,
) -> None:
    # The follow-up is about the appeal asked first, not the solicitor asked just before it.
    history = [
        {"role": "user", "content": "we've appealed sections B, F and I of dd's ehcp, what now"},
        {"role": "assistant", "content": "The tribunal sends your appeal to the council."},
        {"role": "user", "content": "will we need a lawyer"},
        {"role": "assistant", "content": "No, many parents put their own case."},
    ]
    answer = shipped_pipeline.answer(
        "could they sort out the health and social care sections too?", history
    )
    assert said(answer, r"recommend")
    assert said(answer, r"not binding")


def test_a_message_ending_too_follows_on() -> None:

    glossary = Glossary.from_corpus(get_settings().corpus_dir)
    history = [
        {"role": "user", "content": "we've appealed sections B, F and I of dd's ehcp, what now"},
        {"role": "assistant", "content": "The tribunal sends your appeal to the council."},
        {"role": "user", "content": "will we need a lawyer"},
        {"role": "assistant", "content": "No, many parents put their own case."},
    ]
    query = understand(
        "could they sort out the health and social care sections too?", history, glossary, 6
    )
    assert query.is_follow_up
    assert "appealed sections B, F and I" in query.context_text
    assert "lawyer" in query.context_text


def test_who_are_they_asks_about_what_the_answer_named(shipped_pipeline: AnswerPipeline) -> None:
    history = [
        {"role": "user", "content": "who can help me understand the draft plan?"},
        {"role": "assistant", "content": "SENDIASS Stoke-on-Trent can help. See its website."},
    ]
    answer = shipped_pipeline.answer("who are they exactly? what do they do?", history)
    assert "sendiass-stoke" in {c.doc_id for c in answer.citations}
    assert said(answer, r"impartial")


def test_how_do_i_apply_for_an_ehc_plan_leads_with_how_to_ask(
    shipped_pipeline: AnswerPipeline,
) -> None:
    answer = shipped_pipeline.answer("How do I apply for an EHC plan for my son?")
    first = answer.statements[0].text
    assert re.search(r"SENMAS", first) and re.search(r"needs assessment", first), first
    assert said(answer, r"01782 234701")  # the next step gives SENDIASS's number


def test_what_can_i_do_if_they_refuse_gives_the_appeal_route(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """ "What can I do about it?" after a refusal wants the way to challenge it, not the timeline."""
    answer = shipped_pipeline.answer(
        "I sent the request for an EHC needs assessment to SENMAS myself because school kept "
        "saying wait and see. If they refuse to assess him, what can I actually do about it?"
    )
    assert answer.kind == Kind.ANSWERED
    assert re.search(r"appeal|tribunal", answer.body, re.I)


def test_a_later_part_does_not_restate_an_earlier_part(shipped_pipeline: AnswerPipeline) -> None:
    """Two questions on mediation: the 2-month contact rule is said once, not once per part."""
    answer = shipped_pipeline.answer(
        "If I tell the mediation adviser I don't want mediation, how quickly do I get the "
        "certificate? And if I do want it, how long before it actually happens?"
    )
    labels = [label for label, _ in answer.paragraphs() if label.startswith("You asked")]
    assert len(labels) == 2
    assert said(answer, r"3 working days")
    assert len(re.findall(r"mediation adviser within 2 months", answer.body)) <= 1


def test_parallel_criteria_are_not_treated_as_one(shipped_pipeline: AnswerPipeline) -> None:
    # The transport criteria share one sentence pattern ("A child qualifies ... if ..."), so
    # their vectors are close; each names a different criterion and must not be dropped as a
    # restatement of the distance rule.
    answer = shipped_pipeline.answer(
        "son is 7 with a heart condition and cant walk far. council turned down transport "
        "because we live 1.5 miles from school. is the distance the only rule they use?"
    )
    assert said(answer, r"reasonably be expected to walk")


def test_about_it_points_back_to_the_earlier_turns(shipped_pipeline: AnswerPipeline) -> None:
    history = [
        {"role": "user", "content": "whats sen support?"},
        {"role": "assistant", "content": "It is the extra help a school gives a child with SEN."},
    ]
    question = (
        "who do i talk to about it at school the class teacher? and how often should they meet me"
    )
    assert understand(question, history, _glossary(), 6).is_follow_up
    answer = shipped_pipeline.answer(question, history)
    assert said(answer, r"three times a year|once a term")


def test_a_follow_up_leans_on_a_question_two_turns_back(
    shipped_pipeline: AnswerPipeline,
) -> None:
    history = [
        {"role": "user", "content": "the council took nearly a year to finish my daughter's ehcp"},
        {"role": "assistant", "content": "That is far longer than the 20 weeks the law allows."},
        {"role": "user", "content": "can i make a complaint about that?"},
        {"role": "assistant", "content": "Yes, through the council's complaints procedure."},
        {"role": "user", "content": "is there a template letter i can use"},
        {"role": "assistant", "content": "SENDIASS can help you write it."},
    ]
    answer = shipped_pipeline.answer("and what if they ignore me after that?", history)
    assert said(answer, r"Ombudsman")


_SECONDARY_SCHOOL = [
    {"role": "user", "content": "my daughter is in year 5 with an ehcp, when do we have to think "
     "about secondary school?"},
    {"role": "assistant", "content": "Her plan must be amended to name her secondary school by "
     "15 February of the year she moves."},
    {"role": "user", "content": "do we get to pick the school?"},
    {"role": "assistant", "content": "You can ask for a particular school and the council must "
     "name it unless it is unsuitable."},
]  # fmt: skip
_ASKED_FOR_ASSESSMENT = [
    {"role": "user", "content": "i asked SENMAS for an EHC needs assessment for my son last month"},
    {"role": "assistant", "content": "The council must tell you within 6 weeks whether it will "
     "assess."},
]  # fmt: skip


@pytest.mark.parametrize(
    ("question", "history", "route"),
    [
        ("what happens if they put a different one in", _SECONDARY_SCHOOL, r"tribunal"),
        ("and what if they name a school we didn't want?", _SECONDARY_SCHOOL, r"tribunal"),
        ("and if they turn us down?", _ASKED_FOR_ASSESSMENT, r"mediation"),
        (
            "the council has refused to assess my son even though school agree he needs it, "
            "what can we do",
            [],
            r"mediation",
        ),
    ],
)
def test_asking_what_to_do_about_a_decision_gets_the_way_to_challenge_it(
    shipped_pipeline: AnswerPipeline, question: str, history: list[dict[str, str]], route: str
) -> None:
    # These share no word with the passages on mediation and appeals, so the search must add
    # the words of that route itself.
    assert said(shipped_pipeline.answer(question, history), route)


@pytest.mark.parametrize(
    ("question", "page"),
    [
        (
            "how is SEN support different from having an EHC plan?",
            "supporting-pupils-with-medical-conditions",
        ),
        (
            "he's in year 4 and the SENCO says he has to go through three rounds of SEN support "
            "before we can ask for an EHCP, is that true?",
            "ch05-early-years",
        ),
        (
            "my daughter's year 9 and the school never told me she was on SEN support, should "
            "they have?",
            "ch05-early-years",
        ),
        (
            "can the school make her sit in assembly when she can't cope with the noise? surely "
            "that's discrimination",
            "supporting-pupils-with-medical-conditions",
        ),
    ],
)
def test_a_page_about_one_circumstance_does_not_answer_other_questions(
    shipped_pipeline: AnswerPipeline, question: str, page: str
) -> None:
    """The early years and medical conditions pages (front matter `asked_about`) are not drawn
    on for a Year 4 pupil or an assembly: before, "Yes: a child under compulsory school age can
    be assessed" answered a question about an 8-year-old."""
    answer = shipped_pipeline.answer(question)
    assert answer.kind == Kind.ANSWERED
    assert page not in {citation.doc_id for citation in answer.citations}


@pytest.mark.parametrize(
    ("question", "page"),
    [
        (
            "my son is 3 and at nursery, can he be assessed for an EHCP before he starts school?",
            "ch05-early-years",
        ),
        (
            "my daughter has epilepsy, does the school have to give her medication?",
            "supporting-pupils-with-medical-conditions",
        ),
    ],
)
def test_a_page_about_one_circumstance_answers_questions_about_it(
    shipped_pipeline: AnswerPipeline, question: str, page: str
) -> None:
    """A message naming the circumstance (nursery, epilepsy) still gets that page."""
    answer = shipped_pipeline.answer(question)
    assert page in {citation.doc_id for citation in answer.citations}


def test_a_sentence_about_under_fives_is_not_quoted_for_an_older_child(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """A Year 5 pupil's review gets no under-5s rule, and no sentence that points back to one
    ("This is something the Code asks councils to consider") without it."""
    answer = shipped_pipeline.answer(
        "his plan hasn't been reviewed for nearly two years, he's in year 5. is that allowed?"
    )
    assert answer.kind == Kind.ANSWERED
    assert not said(answer, r"under[- ]?(?:5|five)")
    assert not said(answer, r"This is something the Code asks")


def test_a_young_childs_review_gets_the_under_fives_rule(shipped_pipeline: AnswerPipeline) -> None:
    answer = shipped_pipeline.answer("my son is 3, how often should his EHC plan be reviewed?")
    assert said(answer, r"3 to 6 months")


@pytest.mark.parametrize(
    ("question", "still_said"),
    [
        (
            "My son's plan will stop automatically when he turns 19, right? He's at college in "
            "Shelton and loving it",
            r"\b25\b",
        ),
        ("can camhs stuff go in her ehcp?", r"."),
        ("Do we have a right to a mainstream school place if my daughter has an EHCP?", r"."),
    ],
)
def test_a_yes_or_no_from_another_question_is_not_shown(
    shipped_pipeline: AnswerPipeline, question: str, still_said: str
) -> None:
    """A corpus sentence opening "Yes:" or "No:" answers its own section's heading, which the
    parent never sees. Before: "...stop automatically when he turns 19, right?" got "Yes: an
    EHC plan can continue up to age 25"; the CAMHS question got "No: EHC plans do not cover
    higher education"; the mainstream question "Yes: parents have the same right to educate a
    child at home". The fact stays, the borrowed yes or no goes."""
    answer = shipped_pipeline.answer(question)
    assert answer.kind == Kind.ANSWERED
    assert not re.search(r"(?:^|[.\]]\s+)(?:Yes|No)[:,]", answer.body), answer.body
    assert said(answer, still_said)


def test_a_follow_up_keeps_the_topic_of_a_story_told_without_a_question(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """The earlier turn told a story and asked nothing; its last sentence alone ("she is 12 and
    only managing ...") lost the topic (ceasing the plan). Before: "not found"."""
    history = [
        {
            "role": "user",
            "content": "the council sent a letter saying they plan to stop my daughter's EHCP "
            "because she has 'met her outcomes'. she is 12 and only managing because of the "
            "help she gets.",
        },
        {"role": "assistant", "content": "The council must tell you its decision in writing."},
    ]
    answer = shipped_pipeline.answer("does her help stop straight away then?", history)
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"\bceas|stop maintaining"), answer.reply


def test_a_short_question_naming_the_plan_still_continues_the_conversation(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """A question such as "does his old plan still count here?" names the plan but leans on the
    move to Stoke told before it. Before: not treated as a follow-up, and "not found"."""
    history = [
        {
            "role": "user",
            "content": "we have just moved to Stoke from Leeds. my son has an EHCP. where do I "
            "start?",
        },
        {"role": "assistant", "content": "Contact SENMAS to tell them you have moved."},
    ]
    answer = shipped_pipeline.answer(
        "does his old plan still count here or do we start again?", history
    )
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"transfer"), answer.reply


@pytest.mark.parametrize(
    "question",
    [
        "someone at the school gate said EHCPs are getting scrapped so is it even worth asking "
        "for one for my son now?",
        "heard on facebook the government have axed EHC plans?? is that right",
    ],
)
def test_a_rumour_that_plans_are_scrapped_gets_the_current_law(
    shipped_pipeline: AnswerPipeline, question: str
) -> None:
    """Parents pass on reform rumours as "scrapped" or "axed"; the guidance says "abolished".
    Before: answers about university and annual reviews, without the White Paper page."""
    answer = shipped_pipeline.answer(question)
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"not been abolished|remain fully in place"), answer.reply


def test_a_parent_who_cannot_afford_a_lawyer_learns_an_appeal_needs_none(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """A common fear on parents' forums; before, the corpus did not say it, and the answer only
    said the tribunal charges no fee."""
    answer = shipped_pipeline.answer(
        "we cant afford a solicitor, do we need one to take the council to the send tribunal?"
    )
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"does not need a solicitor|without a legal representative"), answer.reply


@pytest.mark.parametrize(
    ("question", "route"),
    [
        (
            "the head has told us our daughter is being permanently excluded. what can we do "
            "about it?",
            r"governing board|independent review panel",
        ),
        ("school have suspended my son for 5 days, can i appeal it?", r"governing board"),
        (
            "they refused school transport for my autistic son. what can i do?",
            r"Stage One|independent appeal panel",
        ),
    ],
)
def test_a_challenge_gets_the_route_for_that_decision(
    shipped_pipeline: AnswerPipeline, question: str, route: str
) -> None:
    """An exclusion is challenged through the governors and an independent review panel, school
    transport through the council's two-stage appeal. Before, every "what can I do?" got the
    SEND Tribunal and mediation, which hear neither."""
    answer = shipped_pipeline.answer(question)
    assert answer.kind == Kind.ANSWERED
    assert said(answer, route), answer.reply


@pytest.mark.parametrize(
    ("message", "challenge"),
    [
        ("applied, they refused. what now", True),
        ("the council turned us down for the assessment, what next?", True),
        ("we got the final EHCP today! what now?", False),
        ("what now? he starts school in September", False),
    ],
)
def test_a_bare_what_now_asks_to_challenge_only_after_a_refusal(
    message: str, challenge: bool
) -> None:
    questions = " ".join(read_message(message).questions)
    assert asks_to_challenge(questions, message) is challenge


def test_what_now_after_a_transport_refusal_gets_the_transport_appeal(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """Before: "what now" was not read as a challenge, and the answer repeated who qualifies for
    transport and how school places are named."""
    history = [
        {
            "role": "user",
            "content": "my daughter is 8 and her EHCP names a special school 6 "
            "miles away. can she get school transport?",
        },
        {
            "role": "assistant",
            "content": "Having an EHC plan does not on its own mean free "
            "transport; the child must meet one of the council's criteria.",
        },
    ]
    answer = shipped_pipeline.answer("we applied and they refused. what now", history)
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"transport appeal|Stage One|independent appeal panel"), answer.reply


@pytest.mark.parametrize(
    "question",
    [
        "ds is moving up to high school in september, when should we know which school is in his "
        "ehcp?",
        "worried about the transition to secondary for my autistic son who has an ehcp, when will "
        "we find out the school?",
        "moving up to high school soon - does his EHCP say where he goes and by when?",
        "what happens with her ehcp when she starts high school?",
    ],
)
def test_the_move_to_secondary_school_in_parents_words_gets_the_deadline(
    shipped_pipeline: AnswerPipeline, question: str
) -> None:
    """Parents rarely say "phase transfer"; the 15 February deadline hangs on those words."""
    answer = shipped_pipeline.answer(question)
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"15 February"), answer.reply


def test_is_that_legal_after_a_story_is_answered_from_the_story(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """A part like "is that even legal?" has almost no words of its own; judged by them alone, it
    was always "I could not find an answer", though the rest of the reply answered it."""
    answer = shipped_pipeline.answer(
        "DD's plan hasn't been reviewed since year 4 and she's now in year 6. is that even legal? "
        "who is meant to organise the review?"
    )
    assert answer.kind == Kind.ANSWERED
    assert not said(answer, r"could not find an answer"), answer.reply
    assert said(answer, r"12 months"), answer.reply


@pytest.mark.parametrize(
    ("question", "answer_pattern"),
    [
        (
            "can DS get extra time in his GCSEs? do i have to apply to the exam board or does "
            "school do it?",
            r"school or college applies|Parents do not apply to the exam board",
        ),
        (
            "ds 17 wants to do an apprenticeship, will he lose his ehcp?",
            r"keep their plan while they are on an apprenticeship",
        ),
    ],
)
def test_exams_and_apprenticeships_are_answered(
    shipped_pipeline: AnswerPipeline, question: str, answer_pattern: str
) -> None:
    """Two things parents often ask that the corpus did not cover before session 12: exam access
    arrangements (the school applies) and keeping an EHC plan on an apprenticeship."""
    answer = shipped_pipeline.answer(question)
    assert answer.kind == Kind.ANSWERED
    assert said(answer, answer_pattern), answer.reply


@pytest.mark.parametrize(
    "question",
    [
        "we're waiting for my daughter's autism assessment and i'm struggling. is there any "
        "support for me in stoke?",
        "is there help for us as parents while we wait for the ehcp? feel like im going under",
        "are there any parent support groups near me in stoke for sen kids?",
    ],
)
def test_a_parent_asking_for_support_for_themselves_hears_of_family_hubs(
    shipped_pipeline: AnswerPipeline, question: str
) -> None:
    """Before: the child's services (social work referrals, Portage, SENMAS for over-16s)."""
    answer = shipped_pipeline.answer(question)
    assert answer.kind == Kind.ANSWERED
    assert said(answer, r"family hubs?"), answer.reply


def test_reasonable_adjustments_at_school_are_not_answered_from_the_exams_page(
    shipped_pipeline: AnswerPipeline,
) -> None:
    """The exams page speaks of reasonable adjustments too; it names its circumstance
    (`asked_about`), and its "Not necessarily:" answers its own heading. Before: a question on
    adjustments in class got "Not necessarily: Ofqual has told schools and colleges ..."."""
    answer = shipped_pipeline.answer(
        "school say they won't make reasonable adjustments for DS until he has a formal autism "
        "diagnosis, and we've waited 2 years for CAMHS. can they make us wait for a bit of paper?"
    )
    assert answer.kind == Kind.ANSWERED
    assert not said(answer, r"Ofqual|exam board|Not necessarily"), answer.reply
