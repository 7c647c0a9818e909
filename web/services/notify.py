"""Notifications: one interface, channel adapters (SMS or WeChat template gateways, the log here).

A sender takes a phone number, a template name and its parameters. ``LogSender`` writes the
message to the log and keeps the last ones in memory (the console shows one-time codes during
development; tests read them). ``HttpTemplateSender`` posts the same message as JSON to the
operator's SMS or WeChat template gateway (JIUJIN_NOTIFY_URL); Jiujin does not talk to carriers.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

log = logging.getLogger(__name__)

# Template texts: gateways hold their own approved copies; these are what the log sender shows.
TEMPLATES = {
    "verify_code": "【就近】验证码{code}，10分钟内有效。请勿告诉他人。",
    "account_exists": "【就近】这个手机号已有就近账号，不用再注册。忘了密码请在登录页点“忘记密码”重设。",
    "daily_digest": "【就近】有{count}个新岗位适合你，最近的：{title}（{place}）。打开就近看看。",
    "job_push": "【就近】就业局向你推荐：{title}（{place}，{wage}）。"
                "想去或不想去，请点{link}告诉我们{hotline}。",
    "checkins_due": "【就近】{county}有{count}条就业回访已到期，请到工作台“待回访”处理。",
}


class Sender(Protocol):
    """Anything that delivers a templated message to a phone."""

    channel: str

    def send(self, phone: str, template: str, params: dict[str, Any]) -> None:
        """Deliver or raise ``NotifyError``."""
        ...


class NotifyError(RuntimeError):
    """The channel did not accept the message."""


@dataclass
class Message:
    """A message as it was sent."""

    phone: str
    template: str
    params: dict[str, Any]
    text: str


@dataclass
class LogSender:
    """Writes messages to the log and keeps the last 200 (development and tests)."""

    channel: str = "log"
    outbox: deque[Message] = field(default_factory=lambda: deque(maxlen=200))

    def send(self, phone: str, template: str, params: dict[str, Any]) -> None:
        """Log the rendered message."""
        text = render(template, params)
        self.outbox.append(Message(phone, template, dict(params), text))
        log.warning("notification to %s: %s", mask(phone), text)

    def last_to(self, phone: str, template: str | None = None) -> Message | None:
        """The newest message to ``phone`` (of ``template``, if given)."""
        for message in reversed(self.outbox):
            if message.phone == phone and (template is None or message.template == template):
                return message
        return None


@dataclass
class HttpTemplateSender:
    """Posts ``{"channel", "phone", "template", "params"}`` to an SMS or WeChat template gateway."""

    url: str
    channel: str = "sms"
    timeout: float = 5.0

    def send(self, phone: str, template: str, params: dict[str, Any]) -> None:
        """POST the message; any non-2xx answer or connection error is a ``NotifyError``."""
        body = {"channel": self.channel, "phone": phone, "template": template, "params": params}
        try:
            response = requests.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise NotifyError(f"{self.channel} gateway unreachable: {exc}") from exc
        if not response.ok:
            raise NotifyError(f"{self.channel} gateway answered {response.status_code}")


def render(template: str, params: dict[str, Any]) -> str:
    """The template's text with its parameters filled in."""
    return TEMPLATES[template].format_map({k: str(v) for k, v in params.items()})


def mask(phone: str) -> str:
    """138****8000: logs never hold whole phone numbers."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def make_sender(config: Any) -> Sender:
    """The sender the configuration names: JIUJIN_NOTIFY_CHANNEL log | sms | wechat."""
    channel = config.get("JIUJIN_NOTIFY_CHANNEL", "log")
    if channel == "log":
        return LogSender()
    if channel in ("sms", "wechat"):
        url = config.get("JIUJIN_NOTIFY_URL")
        if not url:
            raise RuntimeError(f"JIUJIN_NOTIFY_URL must be set for JIUJIN_NOTIFY_CHANNEL={channel}")
        return HttpTemplateSender(url, channel)
    raise RuntimeError(f"unknown JIUJIN_NOTIFY_CHANNEL {channel!r} (log, sms or wechat)")
