"""Availability handling of the reference packages: skip outside CI, fail in CI."""

from __future__ import annotations

import shutil

import pytest

from . import reference


def test_missing_node_is_reported_as_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference, "_installed", None)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(reference.ReferenceUnavailable) as caught:
        reference.ensure_installed()
    assert caught.value.code == "REFERENCE_UNAVAILABLE"


def test_unavailable_reference_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="unavailable in CI"):
        reference.skip_or_fail("no node")


def test_unavailable_reference_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no node"):
        reference.skip_or_fail("no node")


def test_lockfile_hash_changes_with_the_lockfile_contents() -> None:
    digest = reference.lockfile_hash()
    assert len(digest) == 64
    assert digest == reference.lockfile_hash()
