"""Small things a newcomer or an operator notices: JSON 404s under /api/, one-line refusals in the
logs, one time zone in the logs, the broker's files kept under the data folder."""

from __future__ import annotations

import logging
import time

import pytest
from django.test import Client

from core.logging import UTCFormatter
from tests.config.test_settings_and_compose import settings_under
from tests.conftest import HOSTS, PUBLIC_HOST, api, user


@pytest.mark.django_db
@pytest.mark.parametrize("host", [PUBLIC_HOST, HOSTS["340100"]])
def test_an_unknown_api_path_answers_json_404_on_every_host(tree, host):
    for path in ("/api/v1/no-such-thing/", "/api/v2/tasks/", "/api/"):
        response = Client(HTTP_HOST=host).get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_an_unknown_page_is_still_an_html_page(tree):
    response = Client(HTTP_HOST=HOSTS["340100"]).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_refused_page_logs_one_line_without_a_traceback(tree, caplog):
    client = Client(HTTP_HOST=HOSTS["340100"])
    client.force_login(user("340200-drafter"))  # a member of 芜湖, not of 合肥
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/reception/")
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request" and getattr(r, "status_code", None) == 403]
    assert refusals, [r.getMessage() for r in caplog.records]
    for record in refusals:
        assert record.exc_info is None
        assert "\n" not in logging.Formatter().format(record)


@pytest.mark.django_db
def test_a_refused_api_call_logs_no_traceback(tree, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = api("340100", "340200-drafter").get("/api/v1/tasks/")
    assert response.status_code == 403
    assert all(r.exc_info is None for r in caplog.records if r.name == "django.request")


def test_log_timestamps_are_utc_with_their_zone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    record.created = 1_780_000_000.25  # 2026-05-28T20:26:40.250Z
    record.msecs = 250
    stamp = UTCFormatter("%(asctime)s").format(record)
    assert stamp == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".250Z"


def test_the_filesystem_broker_keeps_every_folder_under_the_data_folder(tmp_path):
    options = settings_under(
        {"CELERY_BROKER_URL": "filesystem://", "DATA_DIR": str(tmp_path)}, "s.CELERY_BROKER_TRANSPORT_OPTIONS"
    )
    folders = [options[k] for k in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")]
    assert all(folder.startswith(str(tmp_path)) for folder in folders), folders


@pytest.mark.django_db
def test_the_public_api_docs_say_where_jurisdictions_document_their_operations(tree):
    schema = Client(HTTP_HOST=PUBLIC_HOST).get("/api/schema/?format=json").json()
    assert "<slug>.<BASE_DOMAIN>/api/docs/" in schema["info"]["description"]
