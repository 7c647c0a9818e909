"""Occupations from the 2022 classification: loading, prediction, the leakage guard."""

import pytest

from matching.occupations import (
    OccupationEntry,
    OccupationIndex,
    clean_title,
    default_occupation_index,
    load_classification,
    predict_unique,
    shared_words,
)


@pytest.fixture(scope="module")
def index():
    return default_occupation_index()


def test_classification_has_every_level_and_no_markers():
    entries = load_classification()
    assert len(entries) > 2000
    assert {e.level for e in entries} == {1, 2, 3, 4}
    by_code = {e.code: e for e in entries}
    assert by_code["6-18-02-04"].name == "焊工"
    assert by_code["4-09-08-01"].name == "保洁员"  # "保洁员L" loses its marker
    assert "电焊" in by_code["6-18-02-04"].aliases  # the team's rural alias is there


@pytest.mark.parametrize(("text", "code"), [
    ("会电焊，在工地干过三年，想在县城附近干", "6-18-02-04"),
    ("金环钢构招聘焊工", "6-18-02-04"),
    ("开过五年货车，有B2驾照", "4-02-02-02"),
    ("带过孩子，想做月嫂", "4-10-01-06"),
    ("叉车司机", "6-30-05-01"),
])
def test_predicts_the_occupation_a_worker_names(index, text, code):
    found = index.predict([text])[0]
    assert found and found[0].code == code
    assert 0 < found[0].confidence <= 1


def test_evidence_is_the_workers_own_words(index):
    top = index.predict(["会电焊，在工地干过三年"])[0][0]
    assert top.evidence == "电焊" and top.group == "6-18-02"


def test_english_text_names_no_chinese_occupation(index):
    assert index.predict(["welder", "MIG welding of steel frames"]) == [(), ()]


def test_recruitment_noise_is_not_an_occupation():
    assert clean_title("急招电焊工 高薪 5000") == "电焊工"


def test_excluded_aliases_are_not_found_but_own_names_stay():
    entries = [OccupationEntry("1-01-01-01", "焊工", 4, ("电焊师傅",)),
               OccupationEntry("1-01-01-02", "保洁员", 4, ("扫地",))]
    open_index = OccupationIndex().fit(entries)
    guarded = OccupationIndex(exclude={"电焊师傅", "保洁员"}).fit(entries)
    assert open_index.predict(["电焊师傅"])[0][0].confidence == pytest.approx(1.0)
    assert guarded.predict(["电焊师傅"])[0][0].confidence < 1.0
    assert guarded.predict(["保洁员"])[0][0].confidence == pytest.approx(1.0)


def test_predict_unique_matches_predict(index):
    texts = ["焊工", "保洁员", "焊工"]
    assert predict_unique(index, texts) == index.predict(texts)


def test_shared_words_finds_the_longest_common_stretch():
    assert shared_words("我会电焊", "电焊工") == "电焊"
    assert shared_words("完全不同", "电焊工") == "电焊工"
