"""English words for rural trades (``matching.occupation_english``): the right group or no guess."""

import re

import pytest

from matching import occupations
from matching.occupation_english import ENGLISH_TRADES, english_trade_codes
from matching.occupations import default_occupation_index, load_classification

# (text, minor group): every guess must lie in that minor group; the first must be there.
ENGLISH_TRADE_TEXTS = [
    ("I can drive a forklift", "6-30"),
    ("Forklift driver, 5 years", "6-30"),
    ("fork-lift operator", "6-30"),
    ("welder", "6-18"),
    ("MIG welding of steel frames", "6-18"),
    ("I am an electrician", "6-31"),
    ("cook", "4-03"),
    ("I worked as a chef in a restaurant", "4-03"),
    ("cleaner", "4-09"),
    ("Office cleaning", "4-09"),
    ("security guard", "4-07"),
    ("nanny", "4-10"),
    ("childcare", "4-10"),
    ("babysitting and housework", "4-10"),
    ("construction labourer", "6-29"),
    ("Construction worker on building sites", "6-29"),
    ("bricklayer", "6-29"),
    ("excavator operator", "6-30"),
    ("I can drive a digger", "6-30"),
    ("farm worker", "5-01"),
    ("greenhouse worker", "5-01"),
    ("vegetable greenhouse", "5-01"),
    ("pig farmer", "5-03"),
    ("delivery driver", "4-02"),
    ("sewing machine operator", "6-05"),
    ("Sewing-machine worker in a garment factory", "6-05"),
]

# English that names no single trade: no guess rather than a wrong one.
NO_TRADE_TEXTS = ["driver", "I can drive", "worker", "labourer", "machine operator", "software engineer",
                  "I am a hard worker and learn fast", "security", "manager", "hello", "Java"]


@pytest.fixture(scope="module")
def index():
    return default_occupation_index()


@pytest.mark.parametrize(("text", "minor"), ENGLISH_TRADE_TEXTS)
def test_english_trade_names_its_group_and_nothing_else(index, text, minor):
    found = index.predict([text])[0]
    assert found, text
    assert [o.code[:4] for o in found] == [minor] * len(found), (text, found)
    assert found[0].confidence == 1.0 and found[0].evidence == found[0].name


@pytest.mark.parametrize("text", NO_TRADE_TEXTS)
def test_english_that_names_no_trade_gets_no_guess(index, text):
    assert index.predict([text]) == [()]


def test_several_trades_are_named_in_the_order_written(index):
    found = index.predict(["welder, also electrician"])[0]
    assert [o.code for o in found] == ["6-18-02-04", "6-31-01-03"]
    assert english_trade_codes("pig farmer") == ["5-03-02-01"]  # not also a crop farmer
    assert english_trade_codes("wheel loader driver") == ["6-30-05-05"]  # a machine, not a porter


def test_every_glossary_code_is_an_entry_and_every_pattern_compiles():
    codes = {e.code for e in load_classification(labelled=False)}
    for pattern, code in ENGLISH_TRADES:
        re.compile(pattern)
        assert code in codes, (pattern, code)


CHINESE_TEXTS = ["会电焊，在工地干过三年", "叉车司机", "普工", "开过五年货车，有B2驾照", "带过孩子，想做月嫂",
                 "资深Java开发工程师", "焊工", "养鸡场饲养员", "急招电焊工 高薪 5000"]


def test_chinese_texts_never_read_the_glossary(index, monkeypatch):
    before = index.predict(CHINESE_TEXTS)

    def no_glossary(text: str) -> list[str]:
        raise AssertionError(f"glossary read for {text!r}")

    monkeypatch.setattr(occupations, "english_trade_codes", no_glossary)
    assert index.predict(CHINESE_TEXTS) == before
