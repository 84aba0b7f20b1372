"""The one renderer of Discord markup and the one cleaner of shown text (agents/markup.py)."""

from datetime import UTC, datetime

from agents.markup import clean_name, clean_text, defuse_mass_mentions, link_note, plain_text
from agents.records import MessageRecord


def record(content: str, **extra) -> MessageRecord:
    return MessageRecord(
        id=1, channel_id=2, author_id=3, author_name="Ana", content=content, created_at=datetime(2026, 3, 10, tzinfo=UTC), **extra
    )


def test_mentions_channels_and_roles_are_shown_by_name():
    text = plain_text(record("<@5> see <#7> and <@&9>", mention_names={5: "Maya"}, channel_names={7: "dev"}, role_names={9: "mods"}))
    assert text == "@Maya see #dev and @mods"


def test_unknown_ids_fall_back_to_neutral_words():
    assert plain_text(record("<@5> <#7> <@&9>")) == "@someone #channel @role"


def test_everyone_and_here_never_keep_their_at():
    assert "@" not in plain_text(record("@everyone and @HERE look"))
    assert defuse_mass_mentions("hi @everyone") == "hi everyone"


def test_spoilers_stay_hidden_and_formatting_goes():
    assert plain_text(record("**big** ||secret|| __news__")) == "big [spoiler] news"


def test_compact_text_keeps_pr_and_issue_numbers():
    text = plain_text(record("merged https://github.com/acme/app/pull/412, see https://github.com/acme/app/issues/77."), compact=True)
    assert text == "merged [github.com PR #412], see [github.com issue #77]."
    assert link_note("https://example.org/page") == "[link: example.org]"


def test_compact_text_condenses_long_code_blocks():
    code = "```py\n" + "\n".join(f"line {i}" for i in range(10)) + "\n```"
    assert plain_text(record("trace: " + code), compact=True) == "trace: [code: 10 lines py]"


def test_a_mention_formatter_is_used_for_users():
    assert (
        plain_text(record("<@5> do it", mention_names={5: "Maya Lopez"}), mention=lambda _id, name: "@" + name.replace(" ", "_"))
        == "@Maya_Lopez do it"
    )


def test_bidi_invisible_and_control_characters_are_removed():
    assert clean_text("\u202enimda\u202c") == "nimda"
    assert clean_text("@every\u200bone") == "@everyone"
    assert clean_text("a\x07b\nc") == "ab\nc"


def test_combining_mark_stacks_are_cut_to_two():
    zalgo = "x" + "\u0301" * 30
    assert clean_text(zalgo) == "x\u0301\u0301"


def test_a_name_is_one_line_and_never_empty():
    assert clean_name("  \u202e \u200b ") == "someone"
    assert clean_name("Rhea\n  Quinn") == "Rhea Quinn"


def test_zero_width_cannot_hide_a_mass_mention_from_the_renderer():
    assert "@" not in plain_text(record("@every\u200bone now"))
