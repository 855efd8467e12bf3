"""Message kinds (消息模板): each is a set of templates and, for SMS gateways, its variables.

A kind `k` renders from `messages/k.subject.txt`, `messages/k.txt` (plain text), `messages/k.html`
(the HTML alternative) and `messages/k.sms.txt` (the SMS text). Vendor SMS gateways send only
templates approved in advance: SMS_TEMPLATES maps each kind to the vendor's template id, and
`sms_params` names the template's variables, in order (Tencent takes a list, Alibaba an object).
Apps register their kinds from `AppConfig.ready()`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class MessageKind:
    name: str
    #: The vendor template's variables, in order, taken from the message's context.
    sms_params: tuple[str, ...] = ()


_KINDS: dict[str, MessageKind] = {}


def register_message_kind(kind: MessageKind) -> None:
    _KINDS[kind.name] = kind


def message_kind(name: str) -> MessageKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"unknown message kind {name!r}; register it with register_message_kind") from None


def message_kinds() -> list[MessageKind]:
    return sorted(_KINDS.values(), key=lambda k: k.name)


# A free-text message (subject and body given by the caller).
register_message_kind(MessageKind("generic", sms_params=("body",)))


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def plain_context(context: dict[str, Any]) -> dict[str, Any]:
    """The context as it is stored (JSON): dates and decimals become strings."""
    return json.loads(json.dumps(context, cls=DjangoJSONEncoder, ensure_ascii=False))  # type: ignore[no-any-return]


def render_message(name: str, context: dict[str, Any]) -> Rendered:
    """Render a kind in the platform's language (Chinese), whoever's request queued it."""
    message_kind(name)
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"messages/{name}.subject.txt", context).split())
        text = render_to_string(f"messages/{name}.txt", context).strip() + "\n"
        html = render_to_string(f"messages/{name}.html", context)
        try:
            sms = " ".join(render_to_string(f"messages/{name}.sms.txt", context).split())
        except TemplateDoesNotExist:
            sms = " ".join(text.split())
    return Rendered(subject=subject[:200], text=text, html=html, sms=sms)


def sms_params(name: str, context: dict[str, Any]) -> dict[str, str]:
    """The vendor template's variables of one message, in the kind's order."""
    return {param: str(context.get(param, "")) for param in message_kind(name).sms_params}
