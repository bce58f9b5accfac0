"""Vendor the web console's front-end assets from pinned npm packages into web/static/vendor/.

The console runs on networks with no internet, so every script and style sheet it loads is a file in
the repository. This script reproduces those files: for each pin below it runs `npm pack NAME@VERSION`
in a temporary directory, reads the listed files out of the tarball with Python's tarfile (nothing is
extracted to disk), removes `sourceMappingURL` comments (the `.map` files are not vendored, and a
dangling reference makes browsers' developer tools request a file that is not there), writes them to
web/static/vendor/<package>/ beside the package's licence files, and writes VENDORED.md: package,
version, file, SHA-256, licence (the package.json `license` field) and the tarball's integrity.

    python scripts/vendor_web_assets.py            # download and (re)write the vendored files
    python scripts/vendor_web_assets.py --check    # download again, verify the committed files

`--tarballs DIR` reads NAME-VERSION.tgz from DIR instead of running npm (for an offline mirror).
To update a package, change its pin below, run the script, review the diff, commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "web" / "static" / "vendor"
MANIFEST = "VENDORED.md"
NPM_TIMEOUT_S = 300
MAX_MEMBERS = 20_000  # bound on the tarball members scanned for one package


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    files: tuple[str, ...]  # paths inside the package; each is written under its base name
    licence_files: tuple[str, ...]  # copied as they are (LICENSE, NOTICE, bundled third-party licences)

    @property
    def tarball_name(self) -> str:
        return f"{self.name}-{self.version}.tgz"


PINS: tuple[Pin, ...] = (
    Pin("echarts", "6.1.0", ("dist/echarts.min.js",), ("LICENSE", "NOTICE", "licenses/LICENSE-d3")),
    Pin("htmx.org", "2.0.11", ("dist/htmx.min.js",), ("LICENSE",)),
    Pin("graphiql", "3.9.0", ("graphiql.min.js", "graphiql.min.css"), ("LICENSE",)),
    Pin("react", "18.3.1", ("umd/react.production.min.js",), ("LICENSE",)),
    Pin("react-dom", "18.3.1", ("umd/react-dom.production.min.js",), ("LICENSE",)),
    Pin("jsqr", "1.4.0", ("dist/jsQR.js",), ("LICENSE",)),
)

_JS_MAP = re.compile(rb"^[ \t]*//[#@][ \t]*sourceMappingURL=[^\r\n]*(\r?\n)?", re.MULTILINE)
_CSS_MAP = re.compile(rb"/\*[#@][ \t]*sourceMappingURL=[^*]*\*/[ \t]*(\r?\n)?")


class VendorError(Exception):
    """A step failed; the message says which and why."""


def log(msg: str) -> None:
    print(f"[vendor] {msg}", file=sys.stderr, flush=True)


def strip_source_map(data: bytes) -> tuple[bytes, int]:
    """Remove `//# sourceMappingURL=` lines and `/*# sourceMappingURL= */` comments; return the count."""
    data, n_js = _JS_MAP.subn(b"", data)
    data, n_css = _CSS_MAP.subn(b"", data)
    return data, n_js + n_css


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(pin: Pin, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed: this script downloads the pinned packages with "
                          "`npm pack` (install Node.js and npm, e.g. Debian's `npm` package), "
                          "or pass --tarballs DIR with the .tgz files")
    log(f"npm pack {pin.name}@{pin.version}")
    try:
        done = subprocess.run([npm, "pack", f"{pin.name}@{pin.version}", "--json", "--silent"],
                              cwd=workdir, capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise VendorError(f"npm pack {pin.name}@{pin.version} took over {NPM_TIMEOUT_S}s") from exc
    if done.returncode != 0:
        raise VendorError(f"npm pack {pin.name}@{pin.version} failed: {done.stderr.strip()[-500:]}")
    try:
        filename = json.loads(done.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError) as exc:
        raise VendorError(f"npm pack {pin.name}@{pin.version}: unreadable output {done.stdout[:200]!r}") from exc
    path = workdir / Path(filename).name
    if not path.is_file():
        raise VendorError(f"npm pack {pin.name}@{pin.version} did not write {path.name}")
    return path


def read_package(pin: Pin, tarball: Path) -> dict[str, bytes]:
    """The pinned files, licence files and package.json of one tarball, keyed by package path."""
    wanted = {"package.json", *pin.files, *pin.licence_files}
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for count, member in enumerate(tar):
            if count >= MAX_MEMBERS:
                raise VendorError(f"{tarball.name}: more than {MAX_MEMBERS} members")
            # npm tarballs put everything under one top folder, normally `package/`
            _, _, inner = member.name.partition("/")
            if inner in wanted and member.isfile():
                handle = tar.extractfile(member)
                if handle is not None:
                    found[inner] = handle.read()
    missing = sorted(wanted - found.keys())
    if missing:
        raise VendorError(f"{pin.name}@{pin.version}: not in the tarball: {', '.join(missing)}")
    meta = json.loads(found["package.json"])
    if meta.get("name") != pin.name or meta.get("version") != pin.version:
        raise VendorError(f"{tarball.name} holds {meta.get('name')}@{meta.get('version')}, "
                          f"not {pin.name}@{pin.version}")
    if not isinstance(meta.get("license"), str) or not meta["license"]:
        raise VendorError(f"{pin.name}@{pin.version}: package.json has no `license` string")
    return found


@dataclass(frozen=True)
class Output:
    pin: Pin
    licence: str
    tarball_sha256: str
    files: dict[str, bytes]  # relative to the vendor directory, e.g. "echarts/echarts.min.js"
    stripped: tuple[str, ...]  # those whose sourceMappingURL comment was removed
    licence_paths: tuple[str, ...]


def build(pin: Pin, tarball: Path) -> Output:
    found = read_package(pin, tarball)
    files: dict[str, bytes] = {}
    stripped: list[str] = []
    for path in pin.files:
        rel = f"{pin.name}/{Path(path).name}"
        data, removed = strip_source_map(found[path])
        files[rel] = data
        if removed:
            stripped.append(rel)
    licence_paths: list[str] = []
    for path in pin.licence_files:
        rel = f"{pin.name}/{path}"
        files[rel] = found[path]
        licence_paths.append(rel)
    return Output(pin, json.loads(found["package.json"])["license"], sha256(tarball.read_bytes()),
                  files, tuple(stripped), tuple(licence_paths))


def manifest(outputs: list[Output]) -> str:
    lines = [
        "# Vendored front-end assets",
        "",
        "Written by `scripts/vendor_web_assets.py` from the pinned npm packages; do not edit by hand.",
        "Verify with `python scripts/vendor_web_assets.py --check`.",
        "",
        "## Files",
        "",
        "| Package | Version | File | SHA-256 | Licence | Licence files |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for out in outputs:
        licences = ", ".join(out.licence_paths)
        for rel, data in out.files.items():
            if rel in out.licence_paths:
                continue
            lines.append(f"| {out.pin.name} | {out.pin.version} | {rel} | {sha256(data)} | "
                         f"{out.licence} | {licences} |")
    lines += ["", "## Licence files", "", "| Package | File | SHA-256 |", "| --- | --- | --- |"]
    for out in outputs:
        for rel in out.licence_paths:
            lines.append(f"| {out.pin.name} | {rel} | {sha256(out.files[rel])} |")
    lines += ["", "## Tarballs", "", "| Package | Version | Tarball SHA-256 |", "| --- | --- | --- |"]
    for out in outputs:
        lines.append(f"| {out.pin.name} | {out.pin.version} | {out.tarball_sha256} |")
    lines += ["", "## Changes made to the upstream files", ""]
    changed = [rel for out in outputs for rel in out.stripped]
    if changed:
        lines.append("The `sourceMappingURL` comment was removed (the `.map` files are not vendored) from:")
        lines.append("")
        lines += [f"- {rel}" for rel in changed]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def collect(tarballs: Path | None, workdir: Path) -> list[Output]:
    outputs: list[Output] = []
    for number, pin in enumerate(PINS, start=1):
        log(f"[{number}/{len(PINS)}] {pin.name}@{pin.version}")
        tarball = tarballs / pin.tarball_name if tarballs else npm_pack(pin, workdir)
        if not tarball.is_file():
            raise VendorError(f"{tarball} does not exist")
        outputs.append(build(pin, tarball))
    return outputs


def write(outputs: list[Output], dest: Path) -> None:
    for out in outputs:
        package_dir = dest / out.pin.name
        if package_dir.exists():
            shutil.rmtree(package_dir)  # drop files of an older pin
        for rel, data in out.files.items():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            log(f"wrote {rel} ({len(data):,} bytes)")
    (dest / MANIFEST).write_text(manifest(outputs), encoding="utf-8")
    log(f"wrote {MANIFEST}")


def check(outputs: list[Output], dest: Path) -> list[str]:
    """What differs between the fresh download and the committed files (empty: all equal)."""
    problems: list[str] = []
    for out in outputs:
        for rel, data in out.files.items():
            target = dest / rel
            if not target.is_file():
                problems.append(f"{rel}: missing")
            elif (got := sha256(target.read_bytes())) != sha256(data):
                problems.append(f"{rel}: SHA-256 {got} but the pinned package gives {sha256(data)}")
    manifest_path = dest / MANIFEST
    if not manifest_path.is_file():
        problems.append(f"{MANIFEST}: missing")
    elif manifest_path.read_text(encoding="utf-8") != manifest(outputs):
        problems.append(f"{MANIFEST}: differs from what the pins give (run the script without --check)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="verify the committed files; write nothing")
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="vendor directory")
    parser.add_argument("--tarballs", type=Path, help="read NAME-VERSION.tgz from here instead of npm")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="vendor-web-") as tmp:
            outputs = collect(args.tarballs, Path(tmp))
        if args.check:
            problems = check(outputs, args.dest)
            if problems:
                print("vendored assets do NOT match the pinned packages:", file=sys.stderr)
                for line in problems:
                    print(f"  {line}", file=sys.stderr)
                return 1
            log(f"all {sum(len(o.files) for o in outputs)} vendored files match the pinned packages")
            return 0
        write(outputs, args.dest)
    except VendorError as exc:
        print(f"vendor_web_assets: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
