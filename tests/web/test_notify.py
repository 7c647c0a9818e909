"""The notification interface: the log sender keeps what it sent; the template-gateway adapter
posts to a real local HTTP server and reports refusals and unreachable gateways."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from web.services.notify import HttpTemplateSender, LogSender, NotifyError, make_sender, mask, render


class Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append(json.loads(body))
        self.send_response(Gateway.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Any:
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Gateway.received, Gateway.status = [], 200
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()


def test_log_sender_keeps_the_rendered_message_and_masks_the_phone() -> None:
    sender = LogSender()
    sender.send("13800138000", "verify_code", {"code": "123456"})
    message = sender.last_to("13800138000", "verify_code")
    assert message is not None and "123456" in message.text and "10分钟" in message.text
    assert sender.last_to("13900000000") is None
    assert mask("13800138000") == "138****8000"


def test_gateway_adapter_posts_the_template(gateway: str) -> None:
    HttpTemplateSender(gateway, "wechat").send("13800138000", "job_push",
                                               {"title": "电焊工", "place": "广州", "wage": "月薪6000元"})
    assert Gateway.received == [{"channel": "wechat", "phone": "13800138000", "template": "job_push",
                                 "params": {"title": "电焊工", "place": "广州", "wage": "月薪6000元"}}]


def test_gateway_refusal_and_absence_are_errors(gateway: str) -> None:
    Gateway.status = 503
    with pytest.raises(NotifyError, match="503"):
        HttpTemplateSender(gateway).send("13800138000", "verify_code", {"code": "1"})
    with pytest.raises(NotifyError, match="unreachable"):
        HttpTemplateSender("http://127.0.0.1:9/none", timeout=1).send("13800138000", "verify_code",
                                                                      {"code": "1"})


def test_the_configuration_picks_the_channel() -> None:
    assert isinstance(make_sender({}), LogSender)
    assert make_sender({"JIUJIN_NOTIFY_CHANNEL": "sms", "JIUJIN_NOTIFY_URL": "http://x/"}).channel == "sms"
    with pytest.raises(RuntimeError, match="JIUJIN_NOTIFY_URL"):
        make_sender({"JIUJIN_NOTIFY_CHANNEL": "wechat"})
    with pytest.raises(RuntimeError, match="unknown"):
        make_sender({"JIUJIN_NOTIFY_CHANNEL": "pigeon"})
    assert render("daily_digest", {"count": 3, "title": "焊工", "place": "榕江"}).startswith("【就近】有3个")
