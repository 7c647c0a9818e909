"""Safe text: the nh3 sanitiser (property-tested) and Traditional-to-Simplified conversion."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs_ingest.normalise import clean_text
from jobs_ingest.text import to_simplified

# A "tag" in the output would be "<" then a letter, "/", "!" or "?": that is how HTML starts one.
TAG = re.compile(r"<[A-Za-z/!?]")
HANDLER = re.compile(r"<[^>]*\bon[a-z]+\s*=", re.I)

FRAGMENTS = [
    "<script>PAYLOAD</script>", "<SCRIPT SRC=//evil.example/PAYLOAD.js></SCRIPT>",
    "<img src=x onerror=PAYLOAD>", "<svg onload=PAYLOAD>",
    "<a href=\"javascript:PAYLOAD\" onclick='PAYLOAD'>链接</a>",
    "<iframe src=PAYLOAD>", "<style>PAYLOAD</style>", "<body onload=PAYLOAD>", "<!--PAYLOAD-->",
    "<scr<script>ipt>", "</p>", "<p>", "<br/>", "<div style=\"background:url(PAYLOAD)\">", "&lt;script&gt;",
    "&amp;lt;", "&#60;script&#62;", "<<", ">>", "<math><mi xlink:href=\"javascript:PAYLOAD\">",
    "<object data=PAYLOAD>", "<input autofocus onfocus=PAYLOAD>",
    "<", ">", "\"", "'", "=", "招聘焊工", "月薪5000元", "包吃住", " ", "\n", "on", "error",
]


@pytest.mark.parametrize("text", ["<\x1f?", "<\x00script>", "＜script＞alert(1)＜/script＞", "<&#31;?x",
                                  "&#65308;img src=x onerror=alert(1)&#65310;", "&amp;lt;b&amp;gt;"])
def test_markup_made_by_folding_or_dropping_controls_does_not_survive(text: str) -> None:
    """Found by the property below: a control character between "<" and "?" dropped after the
    markup was removed left "<?"; full-width brackets folded to "<" likewise."""
    cleaned = clean_text(text)
    assert not TAG.search(cleaned) and "<script" not in cleaned.lower() and not HANDLER.search(cleaned)


@given(st.text(max_size=300))
def test_no_tag_survives_any_text(text: str) -> None:
    cleaned = clean_text(text)
    assert not TAG.search(cleaned)
    assert "<script" not in cleaned.lower() and not HANDLER.search(cleaned)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25))
def test_no_script_handler_or_payload_survives_hostile_html(parts: list[str]) -> None:
    cleaned = clean_text("".join(parts))
    assert not TAG.search(cleaned)
    assert "<script" not in cleaned.lower() and not HANDLER.search(cleaned)
    # No "PAYLOAD not in cleaned" here: glued fragments can turn a payload into plain text
    # ("<on<script>PAYLOAD" is a tag named "on<script" followed by text, in a browser too).


@pytest.mark.parametrize("fragment", [f for f in FRAGMENTS if "PAYLOAD" in f])
def test_payloads_in_scripts_styles_comments_and_attributes_are_dropped(fragment: str) -> None:
    cleaned = clean_text(f"招聘焊工{fragment}月薪5000元")
    assert "PAYLOAD" not in cleaned and "招聘焊工" in cleaned  # an unclosed <svg> may take the rest


@given(st.text(max_size=200))
def test_cleaning_is_idempotent_on_its_own_output_tags(text: str) -> None:
    once = clean_text(text)
    assert not TAG.search(clean_text(once))


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>岗位职责</p><p>焊接</p><br>要求：持证", "岗位职责\n焊接\n要求:持证"),
        ("工资<5000元 & 包吃住", "工资<5000元 & 包吃住"),
        ("<ul><li>包吃住</li><li>五险</li></ul>", "包吃住\n五险"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;招工", "alert(1) 招工"),
        ("\u200b招聘\u3000焊工\xa0", "招聘 焊工"),
    ],
)
def test_clean_text_examples(dirty: str, clean: str) -> None:
    assert clean_text(dirty) == clean


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("招聘電焊工，薪資待遇優厚", "招聘电焊工，薪资待遇优厚"), ("雷山縣銀球茶業", "雷山县银球茶业"),
     ("採茶工（季節工）", "采茶工（季节工）"), ("简体不变", "简体不变"), ("乾隆", "乾隆"), ("", "")],
)
def test_traditional_becomes_simplified(traditional: str, simplified: str) -> None:
    assert to_simplified(traditional) == simplified


@given(st.text(alphabet="招聘焊工电钢筋包吃住月薪元天县市省的了是0123456789", max_size=80))
def test_simplified_text_is_left_alone(text: str) -> None:
    assert to_simplified(text) == text
