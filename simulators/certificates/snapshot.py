"""The snapshot file format and its atomic delivery.

File `ZFZ_SNAPSHOT_YYYYMMDD.csv`, encoded GB18030, CRLF line ends, comma-separated with csv quoting:

    line 1        header: the legacy Chinese column names in `HEADER`
    lines 2..n+1  one certificate per line (no field ever contains a line break)
    line n+2      trailer `#TOTAL,<n>`, n = number of certificate lines

Dates are `YYYYMMDD`; 状态变更日期 (the day a suspension, revocation, cancellation or loss took effect) is
empty for an active or expired certificate; multi-valued fields (执法区域, 执法类别) are joined with `;`; status is a Chinese label.
Delivery: the CSV is written to a hidden temporary file, flushed and renamed into place; then the marker
`ZFZ_SNAPSHOT_YYYYMMDD.ok` (ASCII `file=`, `rows=`, `sha256=` lines) is written the same way. A reader
takes a snapshot only once its marker exists.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ENCODING = "gb18030"
PREFIX = "ZFZ_SNAPSHOT_"
TRAILER = "#TOTAL"

HEADER: tuple[str, ...] = (
    "证件编号", "证件类型", "持证人编号", "姓名", "身份证号", "执法主体代码", "执法主体名称", "执法区域",
    "执法类别", "执法权来源", "发证机关", "发证日期", "有效期起", "有效期止", "证件状态", "考试通过日期",
    "状态变更日期",
)
#: Column positions the fault generator needs.
COL_ID_NUMBER = HEADER.index("身份证号")
COL_AREA = HEADER.index("执法区域")
COL_VALID_TO = HEADER.index("有效期止")

_NAME = re.compile(r"^ZFZ_SNAPSHOT_(\d{8})\.csv$")


def csv_name(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}.csv"


def marker_name(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}.ok"


def snapshot_date(file_name: str) -> date | None:
    """The date in a snapshot file name, or None if the name is not one."""
    m = _NAME.match(file_name)
    if not m:
        return None
    try:
        return date(int(m[1][:4]), int(m[1][4:6]), int(m[1][6:]))
    except ValueError:
        return None


def render(rows: list[list[str]]) -> bytes:
    """Header, rows and trailer, encoded GB18030."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    buffer.write(f"{TRAILER},{len(rows)}\r\n")
    return buffer.getvalue().encode(ENCODING)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Delivered:
    csv_path: Path
    marker_path: Path
    rows: int


def deliver(drop_dir: Path, day: date, rows: list[list[str]]) -> Delivered:
    """Write the snapshot for `day` into `drop_dir`: CSV first, its `.ok` marker after."""
    drop_dir.mkdir(parents=True, exist_ok=True)
    csv_path = drop_dir / csv_name(day)
    marker_path = drop_dir / marker_name(day)
    marker_path.unlink(missing_ok=True)  # a replaced snapshot is not complete until its new marker exists
    data = render(rows)
    _write_atomically(csv_path, data)
    marker = f"file={csv_path.name}\nrows={len(rows)}\nsha256={hashlib.sha256(data).hexdigest()}\n"
    _write_atomically(marker_path, marker.encode("ascii"))
    return Delivered(csv_path=csv_path, marker_path=marker_path, rows=len(rows))


def is_delivered(drop_dir: Path, day: date) -> bool:
    return (drop_dir / csv_name(day)).is_file() and (drop_dir / marker_name(day)).is_file()
