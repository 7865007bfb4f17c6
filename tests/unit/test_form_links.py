"""Signed form links: a link opens what it was signed for, until it expires; anything altered is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.services import form_links
from backend.services.form_links import LinkRefused

SECRET = "a-test-secret-of-some-length"
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def token(**changes: object) -> str:
    fields: dict[str, object] = {"openid": "o-wang", "subject": "task_check:12", "expires_at": NOW + timedelta(days=1)}
    return form_links.sign(SECRET, **(fields | changes))  # type: ignore[arg-type]


def test_a_link_opens_its_subject_for_its_openid_until_it_expires() -> None:
    found = form_links.verify(SECRET, token(), now=NOW, prefix="task_check")
    assert (found.openid, found.subject, found.subject_id("task_check")) == ("o-wang", "task_check:12", 12)
    assert found.expires_at == NOW + timedelta(days=1)
    assert "o-wang" not in repr(found)  # an openid never reaches a log line through a repr
    with pytest.raises(LinkRefused) as late:
        form_links.verify(SECRET, token(), now=NOW + timedelta(days=1))
    assert late.value.reason == "expired" and late.value.status == 410


@pytest.mark.parametrize(
    "altered",
    [
        lambda tok: tok[:-1] + ("A" if tok[-1] != "A" else "B"),  # one character of the signature
        lambda tok: ("e" if tok[0] != "e" else "f") + tok[1:],  # one character of the payload
        lambda tok: tok.split(".")[0],  # the signature cut off
        lambda tok: tok + "x",
        lambda tok: "",
        lambda tok: "." * 3,
        lambda tok: "x" * 5000,
        lambda tok: tok.replace(".", "%2E"),
        lambda tok: "W10." + tok.split(".")[1],  # another payload under the same signature
    ],
)
def test_an_altered_or_forged_link_is_refused_as_tampered(altered: object) -> None:
    with pytest.raises(LinkRefused) as refused:
        form_links.verify(SECRET, altered(token()), now=NOW)  # type: ignore[operator]
    assert refused.value.reason == "tampered" and refused.value.status == 403


def test_another_secret_another_kind_of_form_or_an_old_forged_link_is_tampered_not_expired() -> None:
    with pytest.raises(LinkRefused, match="tampered"):
        form_links.verify("another-secret-entirely", token(), now=NOW)
    with pytest.raises(LinkRefused, match="tampered"):
        form_links.verify(SECRET, token(subject="evaluation:3"), now=NOW, prefix="task_check")
    forged = token(expires_at=NOW - timedelta(days=1))[:-2] + "zz"
    with pytest.raises(LinkRefused, match="tampered"):  # the signature is checked before the time
        form_links.verify(SECRET, forged, now=NOW)
    with pytest.raises(LinkRefused, match="tampered"):
        form_links.verify(SECRET, token(subject="task_check:x1"), now=NOW).subject_id("task_check")


def test_the_url_carries_the_token_in_its_query_and_the_lifetime_is_capped() -> None:
    link = form_links.link(
        SECRET, "https://dd.example.cn/", "/f/check", openid="o-wang", subject="task_check:3", now=NOW
    )
    assert link.startswith("https://dd.example.cn/f/check?k=")
    found = form_links.verify(SECRET, link.split("?k=")[1], now=NOW)
    assert found.expires_at == NOW + form_links.DEFAULT_LIFETIME
    assert form_links.expiry(NOW, NOW + timedelta(days=400)) == NOW + form_links.MAX_LIFETIME
    assert form_links.expiry(NOW, NOW + timedelta(days=3)) == NOW + timedelta(days=3)
    with pytest.raises(ValueError):
        form_links.sign(SECRET, openid="", subject="task_check:1", expires_at=NOW)
