"""Near-duplicate detection: measured on hand-labelled pairs, plus grouping and the index API."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bench import dedupe as bench_dedupe
from bench.dedupe import read_pairs, score
from jobs_ingest.dedupe import (
    NearDuplicateIndex,
    canonical_url,
    group_near_duplicates,
    is_near_duplicate,
    same_job,
    trust_rank,
)
from jobs_ingest.pipeline import build_record
from jobs_ingest.records import PostingRecord, RawItem
from jobs_ingest.samejob import _employer_verdict, employer_core, prepare, title_core, townships
from tests.jobs_ingest.localserver import TODAY

PAIRS = Path(__file__).parent / "data" / "near_duplicate_pairs.json"


def record(fields: dict[str, Any], key: str, gazetteer: Any) -> PostingRecord:
    return build_record(RawItem(fields={**fields, "external_id": key}, excerpt=""), gazetteer, TODAY)


def test_precision_and_recall_on_labelled_pairs(gazetteer: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    assert len(pairs) >= 40 and 0.3 < sum(p["duplicate"] for p in pairs) / len(pairs) < 0.7
    tp = fp = fn = 0
    wrong = []
    for n, pair in enumerate(pairs):
        a, b = record(pair["a"], f"a{n}", gazetteer), record(pair["b"], f"b{n}", gazetteer)
        said = is_near_duplicate(a, b)
        if said != is_near_duplicate(b, a):
            wrong.append(f"asymmetric: {pair['why']}")
        tp += said and pair["duplicate"]
        fp += said and not pair["duplicate"]
        fn += (not said) and pair["duplicate"]
        if said != pair["duplicate"]:
            wrong.append(pair["why"])
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    with capsys.disabled():
        print(f"\nnear-duplicates on {len(pairs)} labelled pairs: precision {precision:.3f}, "
              f"recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn}); wrong: {wrong or 'none'}")
    assert precision >= 0.9 and recall >= 0.9


def test_the_index_finds_copies_through_lsh(gazetteer: Any) -> None:
    pairs = json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]
    index = NearDuplicateIndex()
    for n, pair in enumerate(pairs):
        index.add(f"a{n}", record(pair["a"], f"a{n}", gazetteer))
    found = 0
    for n, pair in enumerate(pairs):
        matches = index.find(record(pair["b"], f"b{n}", gazetteer))
        if pair["duplicate"]:
            found += f"a{n}" in matches
        else:
            assert f"a{n}" not in matches
    assert found >= 0.9 * sum(p["duplicate"] for p in pairs)


def test_groups_do_not_chain_different_jobs_through_a_vague_copy(gazetteer: Any) -> None:
    text = "负责片区快件收派，自备电动车，多劳多得，每周休一天。"
    base = {"title": "快递员", "employer": "顺丰速运有限公司", "pay_text": "6000-9000元/月",
            "description": text}
    postings = [
        record({**base, "place_text": "广州市白云区"}, "1", gazetteer),
        record({**base, "place_text": "广州市"}, "2", gazetteer),  # an aggregator's vague copy
        record({**base, "place_text": "广州市番禺区"}, "3", gazetteer),
        record({**base, "place_text": "广州市白云区", "title": "【急招】快递员"}, "4", gazetteer),
    ]
    groups = group_near_duplicates(postings)
    assert all(not {0, 2} <= set(g) for g in groups)  # 白云区 and 番禺区 stay apart
    assert any({0, 3} <= set(g) for g in groups)


def test_canonical_urls_drop_tracking() -> None:
    assert canonical_url("HTTPS://Jobs.Example.cn/a/?utm_source=x&id=2&spm=1#top") == "https://jobs.example.cn/a?id=2"
    assert canonical_url("javascript:alert(1)") is None


def test_trust_order() -> None:
    assert sorted(["aggregator", "bureau", None, "employer"], key=trust_rank) == [
        "bureau", "employer", "aggregator", None]


# --- same_job: the judgment ------------------------------------------------------------------

DEV = Path(__file__).parent / "data" / "dedupe_dev.jsonl"
PAGE = {"title": "普工", "employer": "遵义鸭溪服装有限公司",
        "place_text": "贵州省 遵义市播州区 鸭溪镇工业园区3号厂房",
        "wage_struct": {"currency": "CNY",
                        "value": {"minValue": 3500, "maxValue": 4500, "unitText": "MONTH"}},
        "description": "负责服装车间流水线辅助工作，包括剪线头、整烫、包装。"
                       "要求18-50岁，能适应两班倒。包住宿。",
        "url": "https://rsj.example.cn/bz/job-118.html"}
FEED = {"title": "遵义鸭溪服装有限公司招聘普工10名", "employer": "遵义鸭溪服装有限公司",
        "place_text": "贵州省遵义市播州区鸭溪镇工业园区", "pay_text": "3500-4500元/月",
        "description": "用人单位：遵义鸭溪服装有限公司；工作地点：贵州省遵义市播州区鸭溪镇工业园区；"
                       "薪资待遇：3500-4500元/月；招聘人数：10人；岗位要求：18-50岁，能适应两班倒，包住宿。",
        "url": "https://rsj.example.cn/bz/rss/118"}


def test_a_json_ld_page_and_an_rss_item_of_one_job_are_the_same_job(gazetteer: Any) -> None:
    page, feed = record(PAGE, "page", gazetteer), record(FEED, "rss-118", gazetteer)
    assert same_job(page, feed).same and same_job(feed, page).same
    assert "place township" in same_job(page, feed).why  # 鸭溪镇 on both, street detail aside


def test_two_pages_of_one_source_and_a_repeated_row_are_the_same_job(gazetteer: Any) -> None:
    first = record(PAGE, PAGE["url"], gazetteer)
    second = record({**PAGE, "url": "https://rsj.example.cn/bz/detail.html?id=118"}, "detail", gazetteer)
    assert same_job(first, second, one_source=True).same
    row = {"title": "缝纫工", "employer": "湄潭县茶乡服饰有限公司", "place_text": "遵义市湄潭县湄江街道",
           "pay_text": "3500-5000元/月", "description": "岗位要求：熟练使用平车，计件"}
    repeated = record(dict(row), "sheet-1-2", gazetteer)
    assert same_job(record(row, "sheet-1", gazetteer), repeated, one_source=True).same


@pytest.mark.parametrize(("change", "why"), [
    ({"title": "叉车工", "description": "持叉车证，负责成品仓库装卸、转运。包住宿。"}, "titles differ"),
    ({"title": "质检员", "description": "负责成衣质量检验，检查尺寸、线头。包住宿。"}, "titles differ"),
    ({"place_text": "贵州省遵义市播州区枫香镇工业园区"}, "places differ"),  # another township
    ({"place_text": "贵州省遵义市汇川区"}, "places differ"),  # another county
    ({"pay_text": "6000-7000元/月"}, "pay differs"),
    ({"employer": "遵义鸭溪服装有限公司枫香分公司"}, "employers differ"),  # another branch
    ({"employer": "遵义鸭江服装有限公司"}, "employers differ"),  # one character apart: another firm
    ({"description": "负责成衣打包、装箱、贴标，长白班，包住宿，按件计酬。"}, ""),  # another job's text
])
def test_hard_negatives_stay_apart(gazetteer: Any, change: dict[str, str], why: str) -> None:
    page = record({**PAGE, "employer": "遵义鸭溪服装有限公司鸭溪分公司"}, "page", gazetteer)
    other = record({**FEED, **change}, "rss", gazetteer)
    match = same_job(page, other)
    assert not match.same and why in match.why
    assert not same_job(other, page).same


def test_rounds_of_recruiting_half_a_year_apart_are_different_jobs(gazetteer: Any) -> None:
    """This season's and last season's 采茶工 at the same tea garden are two vacancies; a re-post a
    few weeks later, or with its deadline moved on, is still one."""
    def dated(fields: dict[str, Any], key: str, posted: str, until: str | None = None) -> Any:
        more = {"posted_text": posted} | ({"valid_through_text": until} if until else {})
        return record({**fields, **more}, key, gazetteer)

    this_year = dated(PAGE, "page", "2026-03-02")
    assert same_job(this_year, dated(FEED, "rss", "2026-03-20")).same
    assert same_job(dated(PAGE, "p", "2026-03-02", "2026-04-30"),
                    dated(FEED, "r", "2026-03-02", "2026-06-30")).same  # deadline extended
    for last in (dated(FEED, "rss", "2025-03-05"), dated(FEED, "rss", "2025-09-01")):
        match = same_job(this_year, last)
        assert not match.same and "another round" in match.why
        assert not same_job(last, this_year).same
    assert not same_job(dated(PAGE, "p", "2026-03-02", "2026-04-30"),
                        dated(FEED, "r", "2026-03-02", "2027-04-30")).same


def test_one_template_sending_workers_to_different_places_is_different_jobs(gazetteer: Any) -> None:
    """A labour office posts one text per destination; only the place named in it changes."""
    template = {"title": "劳务输出普工", "employer": "榕江县劳务公司", "place_text": "贵州省榕江县古州镇",
                "pay_text": "5000元以上", "description": "组织本县劳动力赴{}务工，统一乘车，路费报销。"
                                                          "岗位为流水线普工，月薪5000元以上，包吃住。"}
    def to(where: str, key: str) -> Any:
        return record({**template, "description": template["description"].format(where)}, key, gazetteer)

    for one, other in (("浙江义乌", "江苏苏州吴中"), ("广东东莞", "福建晋江"), ("宁波市", "杭州市")):
        match = same_job(to(one, "a"), to(other, "b"), one_source=True)
        assert not match.same and "different places" in match.why
        assert not same_job(to(one, "a"), to(other, "b")).same
    # the same destination said more or less precisely is no disagreement
    assert same_job(to("浙江义乌", "a"), to("浙江省义乌市", "b"), one_source=True).same
    assert same_job(to("浙江义乌", "a"), to("浙江义乌", "b"), one_source=True).same


@pytest.mark.parametrize(("short", "long"), [("采摘枸杞", "枸杞采摘工"), ("注塑工", "注塑操作工"),
                                             ("理货员", "港口理货员")])
def test_one_job_titled_shorter_or_reordered_with_the_same_employer_place_and_pay(
        gazetteer: Any, short: str, long: str) -> None:
    row = {"employer": "宁夏红枸杞农业有限公司", "place_text": "宁夏中宁县", "pay_text": "4000-5000元/月"}
    page = record({**row, "title": long, "description": "负责采收、分拣和装箱，按要求完成每日任务，包午饭。"},
                  "page", gazetteer)
    sheet = record({**row, "title": short}, "sheet", gazetteer)  # a sheet row without text
    assert same_job(page, sheet).same and same_job(sheet, page).same
    better_paid = record({**row, "title": short, "pay_text": "7000-8000元/月"}, "s", gazetteer)
    assert not same_job(page, better_paid).same
    assert not same_job(page, record({**row, "title": "叉车司机"}, "s2", gazetteer)).same


def test_a_reworded_title_is_one_job_only_when_everything_else_says_so(gazetteer: Any) -> None:
    """冲压工 on the bureau's page and 冲床工 in its feed: the same employer, place, pay and text."""
    row = {"employer": "温州精工五金有限公司", "place_text": "浙江省温州市瓯海区",
           "pay_text": "6000-7500元/月",
           "description": "负责五金件冲压成型，看懂简单图纸，按操作规程开机，两班倒，包吃住，计件另有奖励。"}
    page = record({**row, "title": "五金冲压工"}, "page", gazetteer)
    feed = record({**row, "title": "冲压冲床工"}, "rss", gazetteer)
    assert same_job(page, feed).same and same_job(feed, page).same
    assert "reworded" in same_job(page, feed).why
    # any other field short of full agreement keeps them apart
    other_text = {**row, "title": "冲压冲床工",
                  "description": "负责冲床模具安装调试，有三年以上经验，长白班。"}
    for change in ({"pay_text": "9000-10000元/月"}, {"employer": "温州精密机械有限公司"}, other_text):
        assert not same_job(page, record({**row, "title": "冲压冲床工", **change}, "rss", gazetteer)).same
    # titles sharing only an ending (包装工 / 分拣工) are two jobs even with one employer's text
    assert not same_job(record({**row, "title": "包装工"}, "a", gazetteer),
                        record({**row, "title": "分拣工"}, "b", gazetteer)).same
    # a source's own two listings never merge on a reworded title
    assert not same_job(page, feed, one_source=True).same


def test_one_source_naming_two_places_lists_two_jobs(gazetteer: Any) -> None:
    """The same title, employer, pay and text at 航站楼 and at 货运区 (or at two client factories
    in brackets) from one source are two jobs; a place written in more detail is not another."""
    row = {"title": "保洁员", "employer": "杭州萧山国际机场物业服务有限公司", "pay_text": "4200元/月",
           "description": "负责区域日常保洁，做六休一，包工作餐。"}
    def at(place: str, key: str) -> Any:
        return record({**row, "place_text": place}, key, gazetteer)

    for one, other in (("杭州市萧山区萧山国际机场T4航站楼", "杭州市萧山区萧山国际机场货运区"),
                       ("佛山顺德北滘（格兰仕）", "佛山顺德容桂（科龙）")):
        assert not same_job(at(one, "a"), at(other, "b"), one_source=True).same
    assert same_job(at("杭州市萧山区萧山国际机场", "a"), at("杭州市萧山区萧山国际机场T4航站楼", "b"),
                    one_source=True).same


@pytest.mark.parametrize(("one", "other"), [("北京大兴顺丰速运有限公司", "顺丰速运（北京大兴）"),
                                            ("长安万科物业服务有限公司", "万科物业长安")])
def test_an_employer_with_its_place_written_elsewhere_is_the_same_employer(one: str, other: str) -> None:
    a, b = prepare_pair(one, other)
    assert _employer_verdict(a, b) == "agree"
    another_firm = other.replace("顺丰", "申通").replace("万科", "碧桂园")
    assert _employer_verdict(*prepare_pair(one, another_firm)) == ""


def prepare_pair(one: str, other: str) -> tuple[Any, Any]:
    base = {"title": "快递员", "description": "", "place_code": None, "place_text": "", "wage_min": None,
            "wage_max": None}
    return (prepare(SimpleNamespace(**base, employer=one)), prepare(SimpleNamespace(**base, employer=other)))


def test_a_missing_township_or_employer_is_no_disagreement(gazetteer: Any) -> None:
    page = record(PAGE, "page", gazetteer)
    vague = record({**FEED, "place_text": "贵州省遵义市播州区", "employer": ""}, "rss", gazetteer)
    assert same_job(page, vague).same


@pytest.mark.parametrize(("text", "towns"), [
    ("贵州省 遵义市播州区 鸭溪镇工业园区3号厂房", {"鸭溪镇"}),
    ("贵州省遵义市播州区鸭溪镇工业园区", {"鸭溪镇"}),
    ("黔东南州榕江县古州镇", {"古州镇"}),  # 州 inside a township's name
    ("广州市白云区景泰街道办事处", {"景泰街道"}),
    ("宁夏固原市隆德县城关镇", {"城关镇"}),
    ("推进城镇化，乡镇企业", set()),
    ("镇雄县", set()),  # a county named 镇…
    ("榕江县", set()),
])
def test_townships_in_place_text(text: str, towns: set[str]) -> None:
    assert townships(text) == towns


@pytest.mark.parametrize(("text", "towns"), [
    ("负责四开乡辖区森林防火巡护，要求四开乡户籍", {"四开乡"}),
    ("负责本镇道路保洁，各乡镇均可，返乡人员优先", set()),
])
def test_townships_in_running_text(text: str, towns: set[str]) -> None:
    assert townships(text, in_place=False) == towns


@pytest.mark.parametrize(("title", "place", "core"), [
    ("【急招】榕江县招聘电焊工5名 月薪4500-6000元", "榕江县", ("电焊工", "")),
    ("岷县洮河饭店招聘厨师", "甘肃省定西市岷县", ("厨师", "")),
    ("遵义市播州区鸭溪镇服装厂招普工", "贵州省遵义市播州区鸭溪镇", ("普工", "")),
    ("高薪诚聘叉车工 包吃住", "", ("叉车工", "")),
    ("普工（夜班）", "", ("普工", "夜班")),
    ("Urgently hiring Forklift Driver (5 people)", "", ("forkliftdriver", "")),
])
def test_title_cores(title: str, place: str, core: tuple[str, str]) -> None:
    assert title_core(title, place) == core


@pytest.mark.parametrize(("name", "core"), [
    ("榕江县宏达钢构有限公司", ("宏达钢构", "")),
    ("贵州鸭溪(集团)服装股份有限公司", ("鸭溪集团服装", "")),
    ("广州顺丰速运有限公司白云分公司", ("顺丰速运", "白云")),
    ("榕江县人力资源和社会保障局", ("", "")),  # a bureau is no employer
])
def test_employer_cores(name: str, core: tuple[str, str]) -> None:
    assert employer_core(name) == core


def test_dev_set_scores_and_is_symmetric(gazetteer: Any, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = read_pairs(DEV)
    assert len(pairs) >= 60 and {p["kind"] for p in pairs} == {
        "cross-kind", "same-source", "in-batch", "repost-edit", "hard-negative"}
    result = score(pairs, gazetteer, TODAY)
    swapped = score([{**p, "a": p["b"], "b": p["a"]} for p in pairs], gazetteer, TODAY)
    assert (swapped.tp, swapped.fp) == (result.tp, result.fp)
    with capsys.disabled():
        print(f"\nsame_job on {len(pairs)} dev pairs: precision {result.precision:.3f}, "
              f"recall {result.recall:.3f}; wrong: {result.wrong or 'none'}")
    assert result.precision >= 0.98 and result.recall >= 0.95


SEEN_BLIND = Path(__file__).resolve().parents[2] / "bench" / "data" / "dedupe-blind"


@pytest.mark.parametrize(("name", "recall", "false_merges"), [
    ("set1.jsonl", 0.93, 0), ("set2.jsonl", 0.86, 0), ("set3.jsonl", 0.89, 0),
    ("set4.jsonl", 0.71, 1),  # 1: a spring and an autumn round of one tea garden, four months apart
])
def test_the_seen_blind_sets_do_not_fall_back(gazetteer: Any, name: str, recall: float,
                                              false_merges: int) -> None:
    """Sets written blind by helpers, scored when they arrived and since looked at
    (bench/data/dedupe-blind/README.md): no more false merges, and recall no lower, than now."""
    result = score(read_pairs(SEEN_BLIND / name), gazetteer, TODAY)
    assert result.fp <= false_merges, result.wrong
    assert result.recall >= recall


def test_the_scoring_command_prints_precision_recall_and_wrong_pairs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = [{"a": {"title": "电工", "employer": "甲公司", "place_text": "榕江县"},
              "b": {"title": "电焊工", "employer": "甲公司", "place_text": "榕江县"},
              "same": True, "kind": "x"},
             {"a": {"title": ""}, "b": {"title": "普工"}, "same": False, "kind": "y"}]
    file = tmp_path / "pairs.jsonl"
    file.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in pairs), encoding="utf-8")
    assert bench_dedupe.main([str(file), "--today", "2026-11-28"]) == 0
    out = capsys.readouterr().out
    assert "precision 1.000  recall 0.000" in out and "line 1 [x] missed: 电工 | 电焊工" in out


def test_the_scoring_command_judges_as_the_store_does(gazetteer: Any) -> None:
    row = {"title": "普工", "employer": "甲服装厂", "place_text": "榕江县古州镇", "pay_text": "3500元/月",
           "description": "流水线辅助，包住。", "source_kind": "sheet"}
    # One URL is one posting in the store, whatever the fields say.
    same_url = {"a": {**row, "url": "https://a.example/j/1?utm_source=x"},
                "b": {**row, "title": "叉车工", "url": "https://a.example/j/1"}, "same": False}
    assert bench_dedupe.judge_pair(same_url, 1, gazetteer, TODAY).same
    # Two rows of one sheet are held to the one-source bar: a reworded text is not enough.
    reworded = {"a": row, "b": {**row, "description": "负责流水线辅助工作，提供住宿，长白班。"}}
    assert bench_dedupe.one_source(reworded["a"], reworded["b"])
    assert "(one source)" in bench_dedupe.judge_pair(reworded, 2, gazetteer, TODAY).why
