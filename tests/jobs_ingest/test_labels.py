"""The label-based extractor on small fragments in the layouts county bureau detail pages use."""

from __future__ import annotations

import lxml.html
import pytest

from jobs_ingest.labels import LABELS, extract_labelled, label_field, strip_own_label

# (fragment, every field the extractor must give, exactly)
CASES = [
    pytest.param("<table><tr><th>岗位名称</th><td>电焊工</td></tr><tr><th>薪资待遇</th><td>4500元/月</td></tr></table>",
                 {"title": "电焊工", "pay_text": "4500元/月"}, id="th-td rows"),
    pytest.param("<table><tr><td>岗位名称</td><td>电焊工</td></tr><tr><td>工作地点</td><td>榕江县古州镇</td></tr>"
                 "</table>", {"title": "电焊工", "place_text": "榕江县古州镇"}, id="td-td rows"),
    pytest.param("<table><tr><td>岗位名称：</td><td>普工</td><td>招聘人数：</td><td>20人</td></tr></table>",
                 {"title": "普工", "headcount_text": "20人"}, id="two pairs a row, colons in label cells"),
    pytest.param("""<table>
                      <tr>
                        <th>职位名称</th>
                        <td> 仓库管理员 </td>
                        <th>用人单位</th>
                        <td>榕江县宏达钢构有限公司</td>
                      </tr>
                    </table>""",
                 {"title": "仓库管理员", "employer": "榕江县宏达钢构有限公司"}, id="indented source"),
    pytest.param("<table><tr><td>岗位名称：电工</td></tr><tr><td>月薪：6000元</td></tr></table>",
                 {"title": "电工", "pay_text": "月薪6000元"}, id="label and value in one cell"),
    pytest.param("<table><tr><th>岗位名称</th><td></td></tr><tr><th>单位</th><td>某厂</td></tr></table>",
                 {"employer": "某厂"}, id="empty value cell gives nothing"),
    pytest.param("<p>岗位名称：普工</p><p>招聘单位：榕江县古州镇工业园管理委员会</p>",
                 {"title": "普工", "employer": "榕江县古州镇工业园管理委员会"},
                 id="p lines full-width colon"),
    pytest.param("<div>岗位名称: 普工</div><div>工资: 3500元</div>",
                 {"title": "普工", "pay_text": "3500元"}, id="div lines half-width colon"),
    pytest.param("<ul><li>工种：保洁员</li><li>地址：凯里市</li></ul>",
                 {"title": "保洁员", "place_text": "凯里市"}, id="li lines"),
    pytest.param("<p>地　　点：榕江县忠诚镇</p><p>岗　　位：包装工</p>",
                 {"place_text": "榕江县忠诚镇", "title": "包装工"},
                 id="labels padded with full-width spaces"),
    pytest.param("<p>岗位名称 ： 叉车司机</p><p>薪资待遇 :5000元</p>",
                 {"title": "叉车司机", "pay_text": "5000元"}, id="spaces around colons"),
    pytest.param("<p>岗位名称：电工 薪资：6000元 工作地点：凯里市 联系电话：13800001111</p>",
                 {"title": "电工", "pay_text": "6000元", "place_text": "凯里市"},
                 id="several pairs on one line"),
    pytest.param("<p>岗位名称：电工<br>薪资待遇：6000元<br/>工作地点：凯里市</p>",
                 {"title": "电工", "pay_text": "6000元", "place_text": "凯里市"}, id="br separated"),
    pytest.param("<dl><dt>职位</dt><dd>厨师</dd><dt>单位：</dt><dd>某饭店</dd><dt>月薪</dt><dd>5000元</dd></dl>",
                 {"title": "厨师", "employer": "某饭店", "pay_text": "月薪5000元"}, id="dl dt dd"),
    pytest.param("<p><strong>工种</strong>采茶工</p><p><b>工资：</b>150元/天</p>",
                 {"title": "采茶工", "pay_text": "150元/天"}, id="strong label without colon"),
    pytest.param("<p><span class='label'>招聘岗位</span><span>分拣工</span></p>",
                 {"title": "分拣工"}, id="span label"),
    pytest.param("<p>【岗位名称】搬运工</p><p>【工作地点】岷县</p>",
                 {"title": "搬运工", "place_text": "岷县"}, id="bracketed labels"),
    pytest.param("<p>1、岗位名称：搬运工</p><p>2、人数：8人</p>",
                 {"title": "搬运工", "headcount_text": "8人"}, id="numbered lines"),
    pytest.param("<p>岗位名称：</p><p>电焊工</p>", {"title": "电焊工"}, id="value on the next line"),
    pytest.param("<p>岗位名称：</p><p>学历：高中</p>", {}, id="next line is another label: no value"),
    pytest.param("<p>发布时间：2026-11-20 09:30　来源：榕江县就业局　浏览次数：128</p>",
                 {"posted_text": "2026-11-20 09:30"}, id="unknown labels end a value"),
    pytest.param("<p>截止日期：2027年3月31日</p><p>有效期至：2027-04-30</p>",
                 {"valid_through_text": "2027年3月31日"}, id="first value of a field wins"),
    pytest.param("<p>报名截止：2027-01-31</p>", {"valid_through_text": "2027-01-31"}, id="报名截止"),
    pytest.param("<p>主办单位：榕江县人社局</p><p>学历要求：高中</p><p>性别：不限</p>", {},
                 id="unknown labels are ignored, never guessed"),
    pytest.param("<p>联系电话：13800001111</p><p>联系人：张先生</p><p>手机：13900002222</p>", {},
                 id="contact labels are never read"),
    pytest.param("<p>工作地点：榕江县 联系人：张先生 电话：13800001111</p>", {"place_text": "榕江县"},
                 id="a contact label ends the value before it"),
    pytest.param("<p>岗位：普工</p><p>岗位要求：</p><p>1. 身体健康；</p><p>2. 能吃苦。</p>"
                 "<p>联系电话：139</p>",
                 {"title": "普工", "description": "1. 身体健康;\n2. 能吃苦。"},
                 id="description over several lines stops at a known label"),
    pytest.param("<p>岗位：普工</p><p>岗位要求：身体健康</p><p>欢迎报名。</p>",
                 {"title": "普工", "description": "身体健康"},
                 id="a description with its value does not swallow the next paragraph"),
    pytest.param("<p>岗位：普工</p><p>岗位职责：装卸</p><p>任职要求：能吃苦</p>",
                 {"title": "普工", "description": "岗位职责:装卸\n任职要求:能吃苦"},
                 id="several descriptions are kept with their labels"),
    pytest.param("<p>岗位要求：年龄18-45岁，学历：初中以上</p>",
                 {"description": "年龄18-45岁,学历:初中以上"}, id="a description keeps inner labels"),
    pytest.param("<div class='nav'>地址：榕江县环城北路</div><p>岗位：普工</p>"
                 "<div class='footer'>地址：榕江县古州镇 电话：0855-6622110</div>"
                 "<footer>单位：人社局</footer>",
                 {"title": "普工"}, id="navigation and footers are skipped"),
    pytest.param("<p>岗位：普工</p><script>var 地址 = '工作地点：x';</script><style>p{}</style>",
                 {"title": "普工"}, id="scripts and styles are skipped"),
    pytest.param("<p>用人单位：宏达 地址：榕江县古州镇</p>",
                 {"employer": "宏达", "place_text": "榕江县古州镇"}, id="地址 as place"),
    pytest.param("<p>公司地址：贵阳市</p><p>联系地址：凯里市</p>", {},
                 id="company and contact addresses are no place"),
    pytest.param("<p>薪资：面议</p><p>福利待遇：五险一金</p><p>用工形式：全职</p>",
                 {"pay_text": "面议", "benefits_text": "五险一金", "type_text": "全职"},
                 id="benefits and type"),
    pytest.param("<p>招聘人数：5名</p>", {"headcount_text": "5名"}, id="headcount"),
    pytest.param("<p>工作地点：榕江县古州镇；薪资：4000元；人数：3人</p>",
                 {"place_text": "榕江县古州镇", "pay_text": "4000元", "headcount_text": "3人"},
                 id="semicolon separated pairs"),
    pytest.param("<p>这是一份关于招聘岗位的通知，欢迎报名。</p>", {},
                 id="a label word inside a sentence is no label"),
    pytest.param("<table><tr><td>用人单位</td><td>宏达钢构</td><td>主办单位</td><td>人社局</td></tr></table>",
                 {"employer": "宏达钢构"}, id="unknown label cell in a pair row"),
    pytest.param("<p>岗位名稱：電焊工</p>", {}, id="Traditional labels are not in the list"),
    pytest.param("<table><tr><td><strong>岗位名称</strong></td><td>电焊工</td></tr>"
                 "<tr><td><span>工资</span>：</td><td>4000元</td></tr></table>",
                 {"title": "电焊工", "pay_text": "4000元"}, id="a bold label inside a label cell"),
    pytest.param("<p>薪资待遇：面议，单位：元</p>", {"pay_text": "面议,单位:元"},
                 id="a label word after a comma is part of the value"),
    pytest.param("<p>岗位名称：电焊工（2名）</p><p>工作时间：8:00-17:00</p>", {"title": "电焊工(2名)"},
                 id="times are no labels"),
    pytest.param("<div class='menu'>岗位：菜单</div><div id='sidebar'>职位：侧栏</div><p>岗位：普工</p>",
                 {"title": "普工"}, id="menus and sidebars are skipped"),
    pytest.param("<p>岗位名称：<!-- 旧 -->普工</p>", {"title": "普工"}, id="comments are skipped, text kept"),
    pytest.param("<table><tr><td><p class=MsoNormal><span>岗位名称</span></p></td>"
                 "<td><p class=MsoNormal><span>电焊工</span></p></td></tr>"
                 "<tr><td><p>岗位要求</p></td><td><p>1. 持证</p><p>2. 两年经验</p></td></tr>"
                 "<tr><td><p>工作地点</p></td><td><p>榕江县</p><p>古州镇</p></td></tr></table>",
                 {"title": "电焊工", "description": "1. 持证\n2. 两年经验", "place_text": "榕江县 古州镇"},
                 id="Word-pasted cells with paragraphs"),
    pytest.param("<table><tr><td>岗位名称：电工<br>薪资：6000元</td></tr></table>",
                 {"title": "电工", "pay_text": "6000元"}, id="br inside a cell"),
    pytest.param("<table><tr><td><a>首页</a></td><td><table><tr><td>岗位名称</td><td>电工</td></tr>"
                 "<tr><td>工资</td><td>6000元</td></tr></table></td></tr></table>",
                 {"title": "电工", "pay_text": "6000元"}, id="a job table inside a layout table"),
    pytest.param("<p>岗位：普工</p><p>薪资（元/天）：200</p><p>招聘人数（人）：5</p>",
                 {"title": "普工", "pay_text": "200元/天", "headcount_text": "5"}, id="a unit in the label"),
    pytest.param("<table><tr><td>薪资(元/月)</td><td>4000-5000元</td></tr><tr><td>时薪（元）</td><td>20</td></tr>"
                 "</table>", {"pay_text": "4000-5000元"}, id="a unit in a label cell, the value has its own"),
    pytest.param("<p>日薪：150元</p><p>岗位：普工</p>", {"title": "普工", "pay_text": "日薪150元"},
                 id="日薪 names the unit"),
    pytest.param("<p>时薪：20</p>", {"pay_text": "时薪20"}, id="时薪 names the unit"),
    pytest.param("<p>单位：元/月</p><p>岗位：普工</p><p>单位：万元</p>", {"title": "普工"},
                 id="a unit caption is no employer"),
    pytest.param("<table><tr><td>岗位名称</td><td>—</td></tr><tr><td>单位</td><td>2</td></tr></table>", {},
                 id="a dash or a number is no title or employer"),
    pytest.param("<p>岗位名称：&nbsp;普工&nbsp;</p><p>工资：3000&nbsp;元</p>",
                 {"title": "普工", "pay_text": "3000 元"}, id="nbsp"),
    # A value that opens with a bracketed lead is the value, not a label before an empty one.
    pytest.param("<table><tr><td>岗位名称</td><td>【急招高薪】普工 月入8000</td></tr>"
                 "<tr><td>工作地点</td><td>【园区】鸭溪镇</td></tr></table>",
                 {"title": "【急招高薪】普工 月入8000", "place_text": "【园区】鸭溪镇"},
                 id="bracketed lead in a value cell"),
    pytest.param("<p>岗位名称：【急招】普工 【要求】18-45岁</p>", {"title": "【急招】普工"},
                 id="bracketed lead, then a bracketed label ends the value"),
]


@pytest.mark.parametrize(("fragment", "expected"), CASES)
def test_fragment(fragment: str, expected: dict[str, str]) -> None:
    page = extract_labelled(f"<html><body>{fragment}</body></html>")
    assert page.fields == expected
    assert page.rows == []


def test_a_header_row_over_value_rows_gives_one_job_per_row() -> None:
    page = extract_labelled("""<html><body><p>招聘单位：丰泽食品</p>
        <table><tr><td>岗位</td><td>人数</td><td>薪资</td><td>要求</td><td>联系电话</td></tr>
        <tr><td>包装工</td><td>10</td><td>3800元/月</td><td>女性优先</td><td>139</td></tr>
        <tr><td></td><td></td><td></td><td></td><td></td></tr>
        <tr><td>—</td><td>1</td><td>1元</td><td></td><td></td></tr>
        <tr><td>叉车司机</td><td></td><td>5000元/月</td><td>持证</td><td>138</td></tr></table>
        <p>工作地点：榕江县忠诚镇</p></body></html>""")
    assert page.fields == {"employer": "丰泽食品", "place_text": "榕江县忠诚镇"}
    assert page.rows == [{"title": "包装工", "headcount_text": "10", "pay_text": "3800元/月"},
                         {"title": "叉车司机", "pay_text": "5000元/月"}]


def test_repeated_title_labels_give_one_job_each() -> None:
    page = extract_labelled("""<html><body>
        <p>招聘单位：榕江县丰泽食品有限公司</p><p>工作地点：榕江县忠诚镇</p>
        <p>一、岗位名称：包装工</p><p>招聘人数：10人</p><p>薪资待遇：3800元/月</p><p>岗位要求：女性优先</p>
        <p>二、岗位名称：叉车司机</p><p>薪资待遇：5000-5500元/月</p><p>工作地点：榕江县古州镇</p>
        <p>联系电话：13800001111</p></body></html>""")
    assert page.fields == {"employer": "榕江县丰泽食品有限公司", "place_text": "榕江县忠诚镇"}
    assert page.rows == [
        {"title": "包装工", "headcount_text": "10人", "pay_text": "3800元/月", "description": "女性优先"},
        {"title": "叉车司机", "pay_text": "5000-5500元/月", "place_text": "榕江县古州镇"}]


def test_the_same_title_again_is_the_same_job() -> None:
    page = extract_labelled("<p>招聘岗位：电焊工</p><table><tr><td>岗位名称</td><td>电焊工</td></tr>"
                            "<tr><td>工资</td><td>5000元</td></tr></table>")
    assert page.fields == {"title": "电焊工", "pay_text": "5000元"} and page.rows == []


def test_a_unit_in_a_header_cell_goes_with_the_pay() -> None:
    page = extract_labelled("<table><tr><th>岗位名称</th><th>薪资（元/天）</th><th>人数(人)</th></tr>"
                            "<tr><td>搬运工</td><td>200</td><td>8</td></tr></table>")
    assert page.rows == [{"title": "搬运工", "pay_text": "200元/天", "headcount_text": "8"}]


def test_a_header_row_with_an_odd_cell_is_no_column_table() -> None:
    page = extract_labelled("<table><tr><td>岗位</td><td>薪资</td><td>2026年1月</td></tr>"
                            "<tr><td>普工</td><td>3000元</td><td>x</td></tr></table>")
    assert page.rows == [] and "title" not in page.fields


def test_a_header_row_needs_a_title_column() -> None:
    page = extract_labelled("<table><tr><td>人数</td><td>薪资</td></tr>"
                            "<tr><td>3</td><td>3000元</td></tr></table>")
    assert page == extract_labelled("<p></p>")


@pytest.mark.parametrize(("label", "field"), [
    ("岗位", "title"), ("职位", "title"), ("工种", "title"), ("招聘岗位", "title"),
    ("单位", "employer"), ("公司", "employer"), ("企业", "employer"), ("用人单位", "employer"),
    ("招聘单位", "employer"), ("地点", "place_text"), ("工作地点", "place_text"), ("工作地址", "place_text"),
    ("地址", "place_text"), ("薪资", "pay_text"), ("工资", "pay_text"), ("薪酬", "pay_text"),
    ("待遇", "pay_text"), ("月薪", "pay_text"), ("工资待遇", "pay_text"), ("发布日期", "posted_text"),
    ("发布时间", "posted_text"), ("截止日期", "valid_through_text"), ("有效期至", "valid_through_text"),
    ("报名截止", "valid_through_text"), ("岗位职责", "description"), ("岗位要求", "description"),
    ("任职要求", "description"), ("工作内容", "description"), ("人数", "headcount_text"),
    ("招聘人数", "headcount_text"), ("地　　址：", "place_text"), ("【岗位】", "title"),
    ("联系电话", "-"), ("主办单位", None), ("学历", None), ("", None),
])
def test_label_synonyms(label: str, field: str | None) -> None:
    assert label_field(label) == field


def test_every_label_reads_in_a_line_and_in_a_table() -> None:
    for field, names in LABELS.items():
        for name in names:
            line = extract_labelled(f"<p>{name}：甲乙丙</p>").fields
            cell = extract_labelled(f"<table><tr><td>{name}</td><td>甲乙丙</td></tr></table>").fields
            assert line == cell == {field: "甲乙丙"}, name


def test_strip_own_label() -> None:
    assert strip_own_label("岗位名称：电焊工", "title") == "电焊工"
    assert strip_own_label("岗位名称：电焊工", "employer") == "岗位名称：电焊工"
    assert strip_own_label("电焊工", "title") == "电焊工"


def test_deep_nesting_neither_crashes_nor_recurses() -> None:
    html = "<html><body>" + "<span>" * 200 + "<p>岗位：普工</p>" + "</span>" * 200
    assert extract_labelled(html).fields == {"title": "普工"}
    deeper = "<html><body>" + "<div>" * 5000 + "<p>岗位：普工</p>"
    extract_labelled(deeper)  # lxml may cut such a tree short; reading it must not fail


def test_only_the_given_element_is_read() -> None:
    root = lxml.html.fromstring("<div><div id='job'><p>岗位：普工</p></div>工资：9999元</div>")
    (job,) = root.xpath("//div[@id='job']")
    assert extract_labelled(job).fields == {"title": "普工"}
