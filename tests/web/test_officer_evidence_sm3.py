"""The phone's SM3 (web/static/mobile/sm3.js) against the project's own SM3 (domain.sm), run in Node.

Random inputs of every length around the block edges (0, 55, 56, 63, 64, 65, ...) and a few MB, one-shot and
fed in random slices; hypothesis draws lengths and chunkings (incremental == one-shot == Python). The
same comparison in Chromium is in test_officer_evidence_browser.py.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.sm import sm3_hex

SM3_JS = Path(__file__).resolve().parents[2] / "web" / "static" / "mobile" / "sm3.js"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed on this machine")

#: reads [{path, chunks: [sizes]}] on stdin; answers [{whole, pieces}] (one-shot hex, incremental hex)
HARNESS = """
const fs = require("fs");
const sm3 = require(process.argv[1]);
const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
const out = jobs.map(job => {
  const data = new Uint8Array(fs.readFileSync(job.path));
  const h = sm3.create();
  let at = 0;
  for (const n of job.chunks) { h.update(data.subarray(at, at + n)); at += n; }
  h.update(data.subarray(at));
  return { whole: sm3.hex(data), pieces: h.hex() };
});
process.stdout.write(JSON.stringify(out));
"""


def _node(jobs: list[tuple[bytes, list[int]]], tmp: Path) -> list[dict[str, str]]:
    specs = []
    for n, (data, chunks) in enumerate(jobs):
        path = tmp / f"in-{n}.bin"
        path.write_bytes(data)
        specs.append({"path": str(path), "chunks": chunks})
    assert NODE is not None
    done = subprocess.run([NODE, "-e", HARNESS, str(SM3_JS)], input=json.dumps(specs), capture_output=True,
                          text=True, timeout=300, check=True)
    answers: list[dict[str, str]] = json.loads(done.stdout)
    return answers


def test_known_answers_of_the_standard(tmp_path: Path) -> None:
    # GB/T 32905-2016 appendix A: "abc" and "abcd" × 16
    got = _node([(b"abc", []), (b"abcd" * 16, [])], tmp_path)
    assert got[0]["whole"] == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert got[1]["whole"] == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_random_inputs_at_every_block_edge_and_a_few_megabytes(tmp_path: Path) -> None:
    rng = random.Random(16)
    lengths = [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096]
    lengths += [rng.randrange(0, 5000) for _ in range(60)] + [3 * 1024 * 1024 + 17, 5 * 1024 * 1024]
    jobs = []
    for length in lengths:
        data = rng.randbytes(length)
        chunks: list[int] = []
        left = length
        while left > 0 and len(chunks) < 50:
            n = min(left, rng.choice([1, 3, 55, 64, 65, 1000, 1 << 20]))
            chunks.append(n)
            left -= n
        jobs.append((data, chunks))
    got = _node(jobs, tmp_path)
    for (data, _), answer in zip(jobs, got, strict=True):
        expected = sm3_hex(data)
        assert answer["whole"] == expected, len(data)
        assert answer["pieces"] == expected, len(data)


@settings(max_examples=25, deadline=None)
@given(data=st.binary(min_size=0, max_size=700), cuts=st.lists(st.integers(min_value=0, max_value=700), max_size=8))
def test_incremental_equals_one_shot_for_any_chunking(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                                      cuts: list[int]) -> None:
    points = sorted({min(c, len(data)) for c in cuts})
    chunks = [b - a for a, b in zip([0, *points], points, strict=False)]
    got = _node([(data, chunks)], tmp_path_factory.mktemp("sm3"))[0]
    assert got["pieces"] == got["whole"] == sm3_hex(data)
