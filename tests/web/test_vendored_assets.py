"""The vendored front-end assets: listed, hashed, licensed, and loading nothing from other hosts.

Also the vendoring script itself, run on tarballs built here (real gzip tar files, no npm).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import re
import subprocess
import sys
import tarfile
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "static" / "vendor"
SCRIPT = ROOT / "scripts" / "vendor_web_assets.py"

# Hosts whose names appear in the bundles' text, audited by hand: XML namespace URIs
# (www.w3.org), and links inside licence headers and error or warning messages. None is fetched.
AUDITED_HOSTS = {
    "www.w3.org", "github.com", "www.apache.org", "reactjs.org",
    "en.wikipedia.org", "commonmark.org", "codemirror.net",
}
FORBIDDEN = ("fonts.googleapis", "fonts.gstatic", "cdn.jsdelivr", "unpkg.com", "cdnjs.cloudflare")
# Ways a script or style sheet loads something by URL
LOADING_PATTERNS = (
    re.compile(rb"""url\(\s*['"]?(?!data:)([a-z]+:)?//""", re.IGNORECASE),       # CSS url(http://..)
    re.compile(rb"""@import\s+(url\()?\s*['"]?(https?:)?//""", re.IGNORECASE),     # CSS @import
    re.compile(rb"""importScripts\(\s*['"`]https?://"""),                       # worker scripts
    re.compile(rb"""new\s+Worker\(\s*['"`]https?://"""),
    re.compile(rb"""\.src\s*=\s*['"`]https?://"""),                              # injected tags
    re.compile(rb"""fetch\(\s*['"`]https?://"""),
)


@cache
def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_web_assets", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


def table_rows(text: str, heading: str) -> list[list[str]]:
    """The data rows of the Markdown table under `## heading`."""
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert len(rows) >= 3, f"no table rows under {heading}"
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def manifest() -> str:
    return (VENDOR / "VENDORED.md").read_text(encoding="utf-8")


def asset_rows() -> list[list[str]]:
    return table_rows(manifest(), "Files")


def vendored_code() -> list[Path]:
    return sorted(p for p in VENDOR.rglob("*") if p.suffix in {".js", ".css"})


def test_every_listed_file_exists_with_its_hash() -> None:
    rows = asset_rows() + [[pkg, "", rel, digest] for pkg, rel, digest in table_rows(manifest(), "Licence files")]
    for row in rows:
        path = VENDOR / row[2]
        assert path.is_file(), f"{row[2]} is listed in VENDORED.md but missing"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row[3], f"{row[2]}: SHA-256 differs"


def test_every_vendored_file_is_listed() -> None:
    listed = {row[2] for row in asset_rows()} | {row[1] for row in table_rows(manifest(), "Licence files")}
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*")
               if p.is_file() and p.parent != VENDOR}
    assert on_disk == listed


def test_each_package_has_a_licence_name_and_file() -> None:
    packages = {row[0] for row in asset_rows()}
    assert {"echarts", "htmx.org", "graphiql", "react", "react-dom"} <= packages
    for package, version, _file, _digest, licence, licence_files in asset_rows():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
        assert licence, f"{package}: no licence name"
        assert licence != "UNKNOWN", f"{package}: no licence name"
        licences = [item.strip() for item in licence_files.split(",")]
        assert f"{package}/LICENSE" in licences
        text = (VENDOR / package / "LICENSE").read_text(encoding="utf-8")
        assert len(text) > 200
        assert re.search(r"licen[cs]e|permission", text, re.IGNORECASE)


def test_pinned_lines() -> None:
    """htmx stays on the 2.0 line, React on 18 (GraphiQL 3's UMD build needs React's UMD builds)."""
    versions = {row[0]: row[1] for row in asset_rows()}
    assert versions["htmx.org"].startswith("2.0.")
    assert versions["react"].startswith("18.")
    assert versions["react-dom"] == versions["react"]
    assert versions["graphiql"].startswith("3.")
    assert int(versions["echarts"].split(".")[0]) >= 5


def test_no_source_map_reference_dangles() -> None:
    found = 0
    for path in vendored_code():
        found += 1
        for ref in re.findall(rb"sourceMappingURL=([^\s*'\"]+)", path.read_bytes()):
            target = ref.decode()
            assert "//" not in target, f"{path.name} points its source map to another host: {target}"
            assert (path.parent / target).is_file(), f"{path.name} references a missing {target}"
    assert found >= 6


@pytest.mark.parametrize("word", FORBIDDEN)
def test_no_cdn_host_is_named(word: str) -> None:
    for path in vendored_code():
        assert word.encode() not in path.read_bytes(), f"{path.relative_to(VENDOR)} names {word}"


def test_no_vendored_file_loads_from_another_host() -> None:
    for path in vendored_code():
        data = path.read_bytes()
        for pattern in LOADING_PATTERNS:
            hit = pattern.search(data)
            assert hit is None, f"{path.relative_to(VENDOR)} loads by URL: {data[hit.start():hit.end() + 60]!r}"


def test_urls_in_the_bundles_are_the_audited_ones() -> None:
    """A new host in an updated bundle fails here until someone reads where it is used."""
    for path in vendored_code():
        hosts = {h.decode() for h in re.findall(rb"https?://([a-zA-Z0-9.-]+)", path.read_bytes())}
        assert hosts <= AUDITED_HOSTS, f"{path.relative_to(VENDOR)}: unaudited hosts {hosts - AUDITED_HOSTS}"


def test_graphiql_fonts_are_inlined() -> None:
    css = (VENDOR / "graphiql" / "graphiql.min.css").read_bytes()
    assert b"@font-face" in css
    assert re.search(rb"url\(data:font/woff2;base64,", css)


# ---- the script, on tarballs made here -------------------------------------------------------------

def make_tarball(directory: Path, name: str, version: str, files: dict[str, bytes],
                 licence: str | None = "MIT") -> Path:
    meta: dict[str, str] = {"name": name, "version": version}
    if licence is not None:
        meta["license"] = licence
    path = directory / f"{name}-{version}.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for rel, data in {"package.json": json.dumps(meta).encode(), **files}.items():
            info = tarfile.TarInfo(f"package/{rel}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def fake_tarballs(module: ModuleType, directory: Path) -> None:
    """One tarball per pin, with made-up content at the pinned paths."""
    for pin in module.PINS:
        files = {rel: f"/* {pin.name} {rel} */\nvar x=1;\n//# sourceMappingURL=x.js.map\n".encode()
                 for rel in pin.files}
        files.update({rel: f"{pin.name} licence text".encode() for rel in pin.licence_files})
        make_tarball(directory, pin.name, pin.version, files)


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_script_writes_then_check_passes_then_catches_tampering(tmp_path: Path) -> None:
    module = load_script()
    tarballs, dest = tmp_path / "tgz", tmp_path / "vendor"
    tarballs.mkdir()
    fake_tarballs(module, tarballs)
    assert run_script("--tarballs", str(tarballs), "--dest", str(dest)).returncode == 0

    js = dest / "htmx.org" / "htmx.min.js"
    assert js.read_bytes() == b"/* htmx.org dist/htmx.min.js */\nvar x=1;\n"  # map comment removed
    text = (dest / "VENDORED.md").read_text(encoding="utf-8")
    assert hashlib.sha256(js.read_bytes()).hexdigest() in text
    assert "- htmx.org/htmx.min.js" in text

    checked = run_script("--check", "--tarballs", str(tarballs), "--dest", str(dest))
    assert checked.returncode == 0, checked.stderr

    js.write_bytes(js.read_bytes() + b"alert(1);\n")
    tampered = run_script("--check", "--tarballs", str(tarballs), "--dest", str(dest))
    assert tampered.returncode == 1
    assert "htmx.org/htmx.min.js: SHA-256" in tampered.stderr

    js.unlink()
    missing = run_script("--check", "--tarballs", str(tarballs), "--dest", str(dest))
    assert missing.returncode == 1
    assert "htmx.org/htmx.min.js: missing" in missing.stderr


def test_script_rejects_a_tarball_without_the_pinned_file_or_licence(tmp_path: Path) -> None:
    module = load_script()
    pin = module.PINS[0]
    incomplete = make_tarball(tmp_path, pin.name, pin.version, {"LICENSE": b"x"})
    with pytest.raises(module.VendorError, match="not in the tarball"):
        module.build(pin, incomplete)
    files = dict.fromkeys((*pin.files, *pin.licence_files), b"x")
    unlicensed = make_tarball(tmp_path, pin.name, pin.version, files, licence=None)
    with pytest.raises(module.VendorError, match="no `license`"):
        module.build(pin, unlicensed)
    wrong = make_tarball(tmp_path, pin.name, "0.0.1", files)
    with pytest.raises(module.VendorError, match="not " + re.escape(f"{pin.name}@{pin.version}")):
        module.build(pin, wrong)


def test_script_refuses_to_run_without_npm(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--dest", str(tmp_path)], capture_output=True,
                          text=True, timeout=60, env={"PATH": str(tmp_path)})
    assert done.returncode == 2
    assert "npm is not installed" in done.stderr
    assert not any(tmp_path.iterdir())


_code_line = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"),
                     max_size=40).filter(lambda s: "sourceMappingURL" not in s)


@given(lines=st.lists(_code_line, max_size=8), css=st.booleans())
def test_strip_source_map_removes_only_the_comment(lines: list[str], css: bool) -> None:
    module = load_script()
    body = "".join(f"{line}\n" for line in lines).encode()
    comment = b"/*# sourceMappingURL=a.css.map */\n" if css else b"//# sourceMappingURL=a.js.map\n"
    stripped, count = module.strip_source_map(body + comment)
    assert count == 1
    assert stripped == body
    assert module.strip_source_map(body) == (body, 0)
