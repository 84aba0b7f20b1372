"""Model text made fit for Discord (bot/chat_output.py): mentions that cannot ping, pieces within the message limit."""

from __future__ import annotations

import re

import discord
import pytest

from bot.chat_output import asker_only, neutralize_mentions, split_message

ASKER = 42


def test_asker_only_allows_nobody_else():
    payload = asker_only(discord.Object(ASKER)).to_dict()
    assert payload["parse"] == []
    assert payload["users"] == [ASKER]
    assert payload["replied_user"] is True


# --- mentions ----------------------------------------------------------------------------------------------------


def test_model_output_cannot_mass_ping_or_ping_roles_or_other_users():
    text = "@everyone @here @Everyone <@&77> <@5> <@!6> <@1>"
    safe = neutralize_mentions(text, allowed_user_id=1, names={5: "Erin"})
    assert not re.search(r"@(everyone|here)", safe, re.IGNORECASE)
    assert "<@&" not in safe and "<@5>" not in safe and "<@!6>" not in safe
    assert "@\u200bErin" in safe
    assert safe.endswith("<@1>")  # the asker may be mentioned


def test_neutralizing_leaves_ordinary_text_alone():
    text = "email me at a@b.c, see <#12> and `@everyone` is blocked"
    assert neutralize_mentions(text, 1).replace("\u200b", "") == text


# --- splitting ---------------------------------------------------------------------------------------------------


def test_a_message_of_exactly_the_limit_is_one_piece():
    text = "a" * 2000
    assert split_message(text) == [text]


def test_one_character_over_the_limit_makes_two_pieces():
    text = ("word " * 401)[:2001]
    assert len(text) == 2001
    pieces = split_message(text)
    assert len(pieces) == 2 and all(len(p) <= 2000 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_splits_prefer_paragraphs_then_sentences_then_words():
    paragraph = ("This is a sentence. " * 60).strip()
    text = paragraph + "\n\n" + paragraph
    pieces = split_message(text)
    assert pieces == [paragraph, paragraph]
    one_paragraph = ("This is a sentence. " * 150).strip()
    pieces = split_message(one_paragraph)
    assert all(p.endswith(".") for p in pieces) and all(len(p) <= 2000 for p in pieces)
    words = " ".join(["word"] * 1000)
    pieces = split_message(words)
    assert all(len(p) <= 2000 for p in pieces) and " ".join(pieces) == words


def test_a_long_unbroken_string_is_cut_hard():
    pieces = split_message("x" * 5000)
    assert [len(p) for p in pieces] == [1996, 1996, 1008]


def _fences_balanced(piece: str) -> bool:
    return sum(1 for line in piece.split("\n") if line.strip().startswith("```")) % 2 == 0


def test_a_code_block_cut_in_two_is_closed_and_reopened_with_its_language():
    code = "\n".join(f"    print('line {i}')  # {'x' * 20}" for i in range(120))
    text = "Here is the script:\n\n```python\n" + code + "\n```\nDone."
    pieces = split_message(text)
    assert len(pieces) >= 3
    assert all(len(p) <= 2000 and _fences_balanced(p) for p in pieces)
    assert pieces[0] == "Here is the script:"  # the prose goes alone rather than splitting before the code
    assert all(p.startswith("```python\n") for p in pieces[1:-1])
    restored = [line for p in pieces for line in p.split("\n") if not line.startswith("```") and line != "Here is the script:"]
    assert restored[:-1] == code.split("\n") and restored[-1] == "Done."
    assert "\n    print('line 1')" in pieces[1]  # indentation survives the cut


def test_a_code_block_without_newlines_is_still_split_safely():
    text = "```\n" + "y" * 4500 + "\n```"
    pieces = split_message(text)
    assert all(len(p) <= 2000 and _fences_balanced(p) for p in pieces)
    assert "".join(p.replace("```", "").replace("\n", "") for p in pieces) == "y" * 4500


@pytest.mark.parametrize("size", [1, 1999, 2000, 2001, 3999, 4000, 4001, 9000])
def test_every_piece_fits_whatever_the_length(size):
    text = ("Sentence one. Another one!\n```js\nlet a = 1;\n```\n" * 400)[:size]
    pieces = split_message(text)
    assert all(0 < len(p) <= 2000 for p in pieces)
    assert all(_fences_balanced(p) for p in pieces[:-1])


def test_empty_text_has_no_pieces():
    assert split_message("  \n ") == []
