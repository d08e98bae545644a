"""The auth events are declared once (`AuthEvent`): the metric's help and README list them all,
with the label values `/metrics` has always shown."""

from collections.abc import Sequence
from pathlib import Path

from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.domain.auth_events import AuthEvent

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SHOWN = ["registered", "logged_in", "refreshed", "profile_updated", "refused"]


def listed(events: Sequence[str]) -> str:
    return ", ".join(f"`{event}`" for event in events)


def test_the_events_keep_the_label_values_scrapes_have_shown() -> None:
    assert list(AuthEvent) == SHOWN


def test_the_metric_s_help_names_every_event() -> None:
    metrics = PrometheusMetrics()
    metrics.auth_event(AuthEvent.REFUSED, "InvalidToken")

    text = metrics.scrape().decode()

    assert (
        "# HELP bai_auth_events_total What requests did to accounts: registered, logged_in,"
        " refreshed, profile_updated, or refused (with the refusal's reason)\n"
    ) in text
    assert 'bai_auth_events_total{event="refused",reason="InvalidToken"} 1.0' in text


def test_the_readme_lists_every_event_for_the_metric_and_the_access_line() -> None:
    row = next(line for line in README.splitlines() if line.startswith("| `bai_auth_events_total`"))
    *done, refused = list(AuthEvent)

    assert f"| {listed(list(AuthEvent))} (with its reason" in row
    assert f"`event`: {listed(done)}, or `{refused}` with its" in README.replace("\n", " ")
