"""What every tests/<app>/test_history.py checks of an audited model's readable history."""

from __future__ import annotations

from django.urls import reverse


def who(user) -> str:
    """How the history names ``user`` (a string stands for itself: ``"systeem"`` for a task's change)."""
    if isinstance(user, str):
        return user
    return user.get_full_name() or user.get_username()


def assert_change_shows(client, key: str, pk: int, *, by, field: str, old: str, new: str) -> None:
    """The newest entry that changed ``field`` from ``old`` to ``new`` names ``by`` and a time, on the page
    and in the API."""
    response = client.get(reverse(f"history-{key}", args=[pk]))
    assert response.status_code == 200
    entries = [
        e
        for e in response.context["entries"]
        if any((c.field, c.old, c.new) == (field, old, new) for c in e.changes)
    ]
    assert entries, f"no change of {field!r} from {old!r} to {new!r} in the history of {key} {pk}"
    entry = entries[0]
    assert entry.who == who(by)
    assert entry.when is not None
    page = response.content.decode()
    assert old in page
    assert new in page
    answer = client.get(reverse(f"api:history-{key}", args=[pk]))
    assert answer.status_code == 200
    change = {"field": field, "old": old, "new": new}
    api_entries = [e for e in answer.json() if change in e["changes"]]
    assert api_entries, f"no change of {field!r} in the API history of {key} {pk}"
    assert api_entries[0]["who"] == who(by)
    assert api_entries[0]["when"]


def assert_not_found(client, key: str, pk: int) -> None:
    """The page and the endpoint both answer 404 (another tenant's object, or a role without access)."""
    assert client.get(reverse(f"history-{key}", args=[pk])).status_code == 404
    assert client.get(reverse(f"api:history-{key}", args=[pk])).status_code == 404
