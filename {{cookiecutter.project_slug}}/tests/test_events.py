"""Lifecycle events: the CloudEvents envelope, the three sinks on loopback, what each step emits."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.events.config import EventSettings
from {{ cookiecutter.package_name }}.events.delivery import (
    EVENTGRID_KEY_ENV,
    WEBHOOK_TOKEN_ENV,
)
from {{ cookiecutter.package_name }}.events.sink import (
    EVENT_TYPES,
    EventSink,
    cloud_event,
    emit,
)
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from .conftest import invoke, invoke_json
from .test_rollout import (
    ARGV,
    CONFIG,
    EP,
    PROMOTE,
    FakeAz,
    Recorder,
    answers,
    rollout,
)

ENVELOPE = {"specversion", "type", "source", "id", "time", "datacontenttype", "data"}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
WORSE = ("--param", "n_estimators=1", "--param", "max_depth=1")


class Receiver(ThreadingHTTPServer):
    """A loopback HTTP server that records every POST and answers with `status`."""

    def __init__(self, status: int = 200) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status = status
        self.received: list[tuple[str, Message, bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/events"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, self.headers, body))  # names case-insensitive
        self.send_response(self.server.status)
        if self.server.status in (301, 302):
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def receiver(request: pytest.FixtureRequest) -> Iterator[Receiver]:
    server = Receiver(getattr(request, "param", 200))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_az(project: Settings, monkeypatch: pytest.MonkeyPatch) -> FakeAz:
    """The `rollout` command in a fresh project, with a FakeAz in place of the real az runner."""
    az = FakeAz(predictions=answers(project.contract))  # what the project's model answers
    monkeypatch.setattr(driver, "az_runner", az)
    return az


def use_sink(project: Settings, sink: str, url: str) -> None:
    """Point the project's mlops.toml [events] at another sink and URL."""
    config = project.root / "mlops.toml"
    text = config.read_text(encoding="utf-8").replace('sink = "jsonl"', f'sink = "{sink}"')
    config.write_text(text.replace('url = ""', f'url = "{url}"'), encoding="utf-8")


def local_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def kinds(settings: Settings) -> list[str]:
    path = settings.monitoring.events.path
    events = local_events(path) if path.exists() else []
    return [event["type"].rsplit(".", 1)[1] for event in events]


def test_an_event_is_a_cloudevents_1_0_envelope() -> None:
    event = cloud_event("model_registered", {"version": 3})
    assert set(event) == ENVELOPE
    assert event["specversion"] == "1.0"
    assert event["type"] == "{{ cookiecutter.project_slug }}.model_registered"
    assert event["source"] == "/{{ cookiecutter.project_slug }}/lifecycle"
    assert re.fullmatch(r"[0-9a-f]{32}", event["id"])
    assert TIME.fullmatch(event["time"])
    assert (event["datacontenttype"], event["data"]) == ("application/json", {"version": 3})
    assert cloud_event("run_finished", {})["id"] != cloud_event("run_finished", {})["id"]


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event type 'model_deleted'"):
        cloud_event("model_deleted", {})
    assert "drift_detected" in EVENT_TYPES


def test_the_jsonl_sink_appends_one_line_per_event(tmp_path: Path) -> None:
    settings = EventSettings("jsonl", tmp_path / "deep" / "events.jsonl", "")
    first = emit(settings, "run_finished", {"run_id": "a"})
    second = emit(settings, "drift_detected", {"features": ["bmi"]})
    assert local_events(settings.path) == [first, second]


def test_the_webhook_gets_the_exact_cloudevent_with_the_bearer_token(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WEBHOOK_TOKEN_ENV, "hook-secret")
    settings = EventSettings("webhook", tmp_path / "events.jsonl", receiver.url)
    event = emit(settings, "model_promoted", {"challenger_version": 2})
    [(path, headers, body)] = receiver.received
    assert path == "/api/events"
    assert headers["Content-Type"] == "application/cloudevents+json"
    assert headers["Authorization"] == "Bearer hook-secret"
    assert json.loads(body) == event
    assert local_events(settings.path) == [event]  # the local record has it too


def test_the_webhook_token_is_optional(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(WEBHOOK_TOKEN_ENV, raising=False)
    emit(EventSettings("webhook", tmp_path / "events.jsonl", receiver.url), "run_finished", {})
    assert "Authorization" not in receiver.received[0][1]


def test_event_grid_gets_a_one_event_batch_with_the_topic_key(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(EVENTGRID_KEY_ENV, "topic-key")
    settings = EventSettings("eventgrid", tmp_path / "events.jsonl", receiver.url)
    event = emit(settings, "model_deployed", {"endpoint": "ep"})
    [(path, headers, body)] = receiver.received
    assert path == "/api/events?api-version=2018-01-01"
    assert headers["Content-Type"] == "application/cloudevents-batch+json; charset=utf-8"
    assert headers["aeg-sas-key"] == "topic-key"
    assert json.loads(body) == [event]


def test_event_grid_without_the_topic_key_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(EVENTGRID_KEY_ENV, raising=False)
    settings = EventSettings("eventgrid", tmp_path / "events.jsonl", "https://t.example/api/events")
    expected = f"needs the topic's access key: export {EVENTGRID_KEY_ENV}"
    with pytest.raises(LifecycleError, match=expected):
        EventSink(settings)
    assert not settings.path.exists()


@pytest.mark.parametrize("receiver", [500, 302], indirect=True)
def test_a_refusing_sink_warns_and_the_event_stays_in_the_local_file(
    receiver: Receiver, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = EventSettings("webhook", tmp_path / "events.jsonl", receiver.url)
    event = emit(settings, "model_registered", {"version": 1})
    warning = capsys.readouterr().err
    assert f"warning: model_registered event {event['id']} not delivered" in warning
    assert f"HTTP Error {receiver.status}" in warning
    assert local_events(settings.path) == [event]
    assert len(receiver.received) == 1  # a redirect is not followed


def test_an_unreachable_sink_warns_and_the_event_stays_in_the_local_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = Receiver()
    closed.server_close()  # nothing listens on this port any more
    settings = EventSettings("webhook", tmp_path / "events.jsonl", closed.url)
    event = emit(settings, "run_finished", {})
    assert "Connection refused" in capsys.readouterr().err
    assert local_events(settings.path) == [event]


@pytest.mark.parametrize(
    ("sink", "url"),
    [
        ("webhook", ""),
        ("eventgrid", "ftp://topic.example/api/events"),
        ("webhook", "http://hooks.example.com/x"),
    ],
)
def test_a_remote_sink_needs_an_https_url_in_mlops_toml(
    project: Settings, sink: str, url: str
) -> None:
    use_sink(project, sink, url)
    expected = f"events.url must be the https:// address of the {sink}"
    with pytest.raises(LifecycleError, match=expected):
        load_settings(project.root)


def test_the_lifecycle_emits_run_finished_registered_and_promoted(project: Settings) -> None:
    summary = invoke_json("all")
    run_finished, registered, promoted = local_events(project.monitoring.events.path)
    assert kinds(project) == ["run_finished", "model_registered", "model_promoted"]
    assert run_finished["data"]["run_id"] == summary["train"]["run_id"]
    assert run_finished["data"]["validation_metrics"] == summary["train"]["validation_metrics"]
    assert run_finished["data"]["data_hash"] == summary["prep"]["data_hash"]
    assert registered["data"]["version"] == 1
    assert registered["data"]["run_id"] == summary["train"]["run_id"]
    assert registered["data"]["model"] == project.registered_model
    assert promoted["data"] == {
        "model": project.registered_model,
        "decision": "promoted",
        "challenger_version": 1,
        "champion_version": None,
        "reason": "first version becomes champion",
        "challenger_metrics": summary["promote"]["challenger_metrics"],
        "champion_metrics": {},
    }


def test_no_event_when_nothing_is_registered_or_promoted(project: Settings) -> None:
    invoke_json("all")
    invoke_json("register")  # the same run again: no new version
    invoke_json("train", *WORSE)
    invoke_json("register")
    invoke_json("promote", "--dry-run")
    assert not invoke_json("promote")["promote"]
    assert kinds(project) == [
        "run_finished", "model_registered", "model_promoted", "run_finished", "model_registered",
    ]  # fmt: skip


def test_a_misconfigured_sink_stops_a_step_before_it_does_anything(
    project: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_sink(project, "eventgrid", "https://t.example/api/events")
    monkeypatch.delenv(EVENTGRID_KEY_ENV, raising=False)
    assert invoke("prep").exit_code == 0
    result = invoke("train")
    assert result.exit_code == 1
    assert EVENTGRID_KEY_ENV in result.stderr
    assert "trained run" not in result.stdout


def test_a_completed_rollout_emits_model_deployed() -> None:
    events = Recorder()
    assert rollout(FakeAz(), CONFIG, events)[0] == 0
    assert events.events == [
        (
            "model_deployed",
            {
                "endpoint": EP,
                "deployment": "green",
                "model": "{{ cookiecutter.project_slug }}-serving",
                "model_version": "7",
                "traffic": {"green": 100, "blue": 0},
                "resource_group": "rg",
                "workspace": "ws",
            },
        )
    ]


def test_a_rolled_back_or_refused_rollout_emits_nothing() -> None:
    events = Recorder()
    assert rollout(FakeAz(fail=lambda args, az: args == PROMOTE), CONFIG, events)[0] == 1
    assert rollout(FakeAz(traffic={"blue": 0}), CONFIG, events)[0] == 2
    assert events.events == []


def test_the_rollout_command_records_model_deployed_in_the_project(
    project: Settings, fake_az: FakeAz
) -> None:
    assert invoke("rollout", *ARGV).exit_code == 0
    assert kinds(project) == ["model_deployed"]


def test_the_rollout_command_refuses_a_misconfigured_sink_before_any_az_command(
    project: Settings, fake_az: FakeAz, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_sink(project, "eventgrid", "https://t.example/api/events")
    monkeypatch.delenv(EVENTGRID_KEY_ENV, raising=False)
    result = invoke("rollout", *ARGV)
    assert result.exit_code == 2
    assert "rollout: refused, nothing changed" in result.stderr
    assert fake_az.calls == []
