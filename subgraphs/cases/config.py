"""What the cases subgraph needs at start: the store, the data directory, the hash secret, limits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from subgraphs.cases.domain.standards import calendar_dir, deadlines_file
from subgraphs.cases.outbox.config import OutboxConfig
from subgraphs.common.config import is_dev_profile

#: base64 uploads through GraphQL are for small files; larger ones use POST /files
MAX_INLINE_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
#: the files of a case the `caseArchive` field zips and sends base64 at most; larger: `hub archive export`
MAX_ARCHIVE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class CasesConfig:
    database_url: str
    data_dir: Path
    id_hash_secret: bytes
    migrate_on_start: bool = True
    facts_ttl_s: float = 30.0
    max_inline_bytes: int = MAX_INLINE_BYTES
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_archive_bytes: int = MAX_ARCHIVE_BYTES
    calendar_dir: Path = field(default_factory=calendar_dir)
    deadlines_file: Path = field(default_factory=deadlines_file)
    #: DEV ONLY: accept the `x-hub-dev-user` header on unsigned calls (the dev profile; never production)
    allow_dev_header: bool = False
    #: the outbox relay the app runs (off unless a receiver is configured)
    outbox: OutboxConfig = field(default_factory=lambda: OutboxConfig(interval_s=0))
    #: how often the case events are read for `caseChanged` (0: no live feed), and how far a subscriber
    #: may fall behind before it is dropped
    live_interval_s: float = 0.5
    live_queue: int = 256

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "case-files"

    @property
    def seal_key_file(self) -> Path:
        """DEV ONLY: the seal's private key file (production uses a cryptographic module)."""
        return self.data_dir / "keys" / "case-seal.json"

    def with_(self, **changes: Any) -> CasesConfig:
        return replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: Any) -> CasesConfig:
        """From `hub.settings.Settings` (typed loosely: subgraphs do not import hub)."""
        data_dir = Path(settings.data_dir)
        return cls(
            database_url=settings.database_url or f"sqlite:///{data_dir / 'hub.db'}",
            data_dir=data_dir,
            id_hash_secret=settings.id_hash_secret.encode(),
            allow_dev_header=is_dev_profile(settings),
            outbox=OutboxConfig.from_settings(settings),
        )


