from hypothesis import given
from bot.chat import render_orig_tmp as old
from .test_render import answers, PROPERTY, assert_sendable, st, texts

@PROPERTY
@given(answer=answers)
def test_old(answer):
    reply = {"embed": old.answer_embed(answer)}
    if answer.answered and (v := old.source_buttons(answer.citations)):
        reply["view"] = v
    assert_sendable(reply)
