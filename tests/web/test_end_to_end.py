"""Demo source -> ingestion -> database -> matcher -> rendered page, through the real commands."""

import json
import re

from flask_migrate import upgrade

from web import create_app
from web.extensions import db


def test_fresh_database_cli_to_ranked_results_page(tmp_path, model_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
                      "JIUJIN_MODEL_PATH": model_path, "JIUJIN_INDEX_REFRESH_SECONDS": 0})
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
    loaded = runner.invoke(args=["demo", "load", "--if-empty"])
    assert loaded.exit_code == 0, loaded.output
    # The runner mixes stderr (model-loading progress) into the output: take the JSON line.
    counts = json.loads(re.search(r"\{\"source\".*\}", loaded.output).group(0))
    assert counts["source"] == "demo-bureau-export" and counts["new"] >= 300
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "not loaded" in again.output

    page = app.test_client().get("/search", query_string={
        "q": "会电焊，在工地干过三年", "place": "榕江县", "km": "30"}).get_data(as_text=True)
    titles = re.findall(r'class="title" href="/jobs/\d+">([^<]+)</a>', page)
    reasons = re.findall(r'<p class="reason">([^<]+)</p>', page)
    assert titles and "焊" in titles[0]
    pays = re.findall(r'<p class="pay"><strong>([^<]+)</strong>', page)  # pay once, beside the reason
    assert "月薪" in pays[0] or "面议" in pays[0]
    assert "电焊" in reasons[0]
    # A far-away city never shows up for a worker who stays within 30 km.
    assert "广州" not in page and "上海" not in page

    moving = app.test_client().get("/search", query_string={
        "q": "会电焊", "place": "榕江县", "km": "20", "relocate": "on"}).get_data(as_text=True)
    assert "包住" in moving and re.search(r"离家\d{3,}公里", moving)
    with app.app_context():
        db.engine.dispose()
