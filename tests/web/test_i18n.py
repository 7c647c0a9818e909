"""Chinese first, English second: catalogues complete and compiled, switch remembered."""

import re

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from web.config import ROOT

CATALOGUE = ROOT / "web" / "translations" / "en" / "LC_MESSAGES"


def _key(value):
    """Plural entries come as lists or tuples (singular, plural): compare them as tuples."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_every_message_has_an_english_translation_and_the_mo_is_current(tmp_path):
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "lazy_gettext",
                                "-k", "_l", "-k", "N_", "-k", "lazy_pgettext:1c,2", "-o", str(pot),
                                str(ROOT / "web")])
    with open(pot, "rb") as fh:
        wanted = {_key(m.id) for m in read_po(fh) if m.id}
    with open(CATALOGUE / "messages.po", "rb") as fh:
        po = {_key(m.id): _key(m.string) for m in read_po(fh) if m.id}
    with open(CATALOGUE / "messages.mo", "rb") as fh:
        mo = {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}
    assert wanted - set(po) == set(), "run `make translations` and translate the new messages"
    assert all(po[m] if isinstance(po[m], str) else all(po[m]) for m in wanted), "untranslated messages"
    assert mo == po, "messages.mo is stale: run `make translations`"


def test_chinese_by_default_english_on_request_and_remembered(client):
    assert "说说你会做什么" in client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "What can you do?" in english and 'lang="en"' in english and "中文" in english
    again = client.get("/").get_data(as_text=True)
    assert "What can you do?" in again
    back = client.get("/?lang=zh").get_data(as_text=True)
    assert "说说你会做什么" in back


def test_errors_follow_the_language(client):
    page = client.get("/search", query_string={"q": "welding", "place": "火星基地", "lang": "en"})
    assert page.status_code == 400
    assert "Place “火星基地” not found" in page.get_data(as_text=True)
    page = client.get("/search", query_string={"q": "welding", "place": "榕江", "km": "-5", "lang": "en"})
    assert "The distance must be between 1 and 500 km." in page.get_data(as_text=True)


def test_api_follows_the_language_parameter(client):
    body = client.get("/api/v1/matches", query_string={"q": "电焊", "place": "榕江", "lang": "en"}).get_json()
    matches = body["matches"]
    assert matches and all("离家" not in m["reason"] and "月薪" not in m["wage"] for m in matches)


def test_reasons_follow_the_language(client):
    page = client.get("/search", query_string={"q": "会电焊", "place": "榕江", "km": "20", "relocate": "on",
                                               "lang": "en"}).get_data(as_text=True)
    reasons = re.findall(r'<p class="reason">([^<]+)</p>', page)
    distances = re.findall(r'<span class="distance">([^<]+)</span>', page)
    assert reasons and all(re.search(r"[a-z]{3,}", r) for r in reasons)
    assert distances and any("km from home" in d for d in distances)
    assert not any("离家" in r for r in reasons + distances)


# Counts whose English noun follows the number: a plural entry (ngettext), so "1 record", "2 records".
# These counts are fixed limits or never 1, so one plural form is enough.
FIXED_COUNTS = ("下表只列出前 %(n)s 行。", "文件超过 %(n)s 行，没有导入任何内容。请分成几个文件。",
                "%(who)s会在%(n)s个工作日内打电话给你。", "%(place)s：%(n)s个岗位", "全部地方：%(n)s个岗位",
                "有%(n)s条推送超出劳动力本人愿意的范围（不愿外出）。确认仍要推送吗？")


def test_counted_english_nouns_come_from_plural_entries():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        catalogue = read_po(fh)
    counted = re.compile(r"%\(n\)s (?:[a-z-]+ )?(?:[a-z-]+s|people)\b")
    single = [m.id for m in catalogue if isinstance(m.id, str) and m.id and m.id not in FIXED_COUNTS
              and not m.id.startswith("先下载模板") and counted.search(m.string or "")]
    assert single == [], "use ngettext for these counts"
    plural = [m for m in catalogue if isinstance(m.id, tuple | list)]
    assert plural and all("%(n" in m.string[0] for m in plural)
