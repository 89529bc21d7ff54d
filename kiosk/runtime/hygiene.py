"""Personal-data hygiene: after a visit, is anything of that resident left behind?

``check_visit(core, name=..., id_number=...)`` looks for the visit's resident name and
full ID number in three places and returns where it found them (empty when clean):

- **files**: every file under the data dir (contents and file names), except the
  embedded platform's own directory (the government's system, not the kiosk's). The
  A4 spool is scanned: it is emptied when the visit ends. Sealed outbox rows are
  scanned too: they are encrypted, so they never match. The virtual receipt printer's
  output (``virtual-printer/*.png|.bin``) *is* scanned: receipts must carry masked
  data only.
- **logs**: the log output captured during the visit (:class:`LogCapture`).
- **memory**: strings and bytes reachable from the core (its visit, journey, services,
  pools, listeners), walked through dicts, lists, instance attributes and closures;
  plus every live instance of a ``kiosk.*`` class in ``gc.get_objects()`` (an old
  ``Visit`` or ``Identity`` kept alive by a forgotten reference). The device
  simulators are skipped: they stand for the resident's own card and phone; so are the
  reference platform's own objects (``PLATFORM_MODULES``).

Each value is searched in UTF-8, UTF-16 (both byte orders) and GB18030. The masked ID
number (``110105********002X``) and the masked name (``张*英``) are allowed: they do not
contain the full values. Findings name the place and the kind of data, never the value.
Kivy-free; runs on any thread, but walks the heap: call it between visits, not during.
"""

from __future__ import annotations

import gc
import io
import logging
import types
from collections import deque
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from kiosk.runtime.core import KioskCore

ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "gb18030")
SKIPPED_DIRS = ("platform",)  # relative to the data dir; see the module doc
# The reference platform's own objects (its seed of demo residents, store, service) are
# the government's system, not the kiosk's, even when a test runs it in this process.
PLATFORM_MODULES = (
    "kiosk.platform.seed",
    "kiosk.platform.store",
    "kiosk.platform.service",
    "kiosk.platform.server",
)
MAX_OBJECTS = 400_000  # a bound on the heap walk
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Needle:
    kind: str  # "name" or "id_number"
    text: str
    encoded: tuple[tuple[str, bytes], ...]  # (encoding, bytes)


@dataclass(frozen=True)
class Finding:
    where: str  # "file", "log" or "memory"
    location: str  # a path relative to the data dir, "captured log", an object path
    kind: str  # "name" or "id_number"
    encoding: str  # "text" for str objects and log text, else the byte encoding

    def to_json(self) -> dict[str, str]:
        return {
            "where": self.where,
            "location": self.location,
            "kind": self.kind,
            "encoding": self.encoding,
        }


def needles(name: str | None, id_number: str | None) -> list[Needle]:
    out = []
    for kind, value in (("name", name), ("id_number", id_number)):
        if value:
            encoded = tuple((enc, value.encode(enc)) for enc in ENCODINGS)
            out.append(Needle(kind, value, encoded))
    return out


def _search_bytes(data: bytes, found: list[Needle], where: str, location: str) -> Iterator[Finding]:
    for needle in found:
        seen: set[bytes] = set()
        for encoding, raw in needle.encoded:
            if raw in seen:  # an ASCII ID number is the same in UTF-8 and GB18030
                continue
            seen.add(raw)
            if raw in data:
                yield Finding(where, location, needle.kind, encoding)
                break


def _search_text(text: str, found: list[Needle], where: str, location: str) -> Iterator[Finding]:
    for needle in found:
        if needle.text in text or needle.text.lower() in text.lower():
            yield Finding(where, location, needle.kind, "text")


# -- files ---------------------------------------------------------------------------


def scan_files(
    data_dir: Path, found: list[Needle], skip: Iterable[str] = SKIPPED_DIRS
) -> list[Finding]:
    data_dir = Path(data_dir)
    skipped = [data_dir / s for s in skip]
    findings: list[Finding] = []
    if not data_dir.exists():
        return findings
    for path in sorted(data_dir.rglob("*")):
        if any(path == s or s in path.parents for s in skipped):
            continue
        relative = str(path.relative_to(data_dir))
        findings.extend(_search_text(relative, found, "file", f"{relative} (file name)"))
        if not path.is_file():
            continue
        try:
            with path.open("rb") as f:
                data = f.read(MAX_FILE_BYTES)
        except OSError:
            continue
        findings.extend(_search_bytes(data, found, "file", relative))
    return findings


# -- logs ----------------------------------------------------------------------------


class LogCapture:
    """Capture what the process logs (structlog events and stdlib logging) while open.

    structlog: a processor is put in front of the configured chain and records each
    event as text; stdlib logging: a handler on the root logger. ``text`` is all of it.
    """

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._handler = logging.StreamHandler(self._buffer)
        self._handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self._processors: list[Any] | None = None

    def _record(
        self, logger: Any, method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        self._buffer.write(f"{method} {event_dict!r}\n")
        return event_dict

    def __enter__(self) -> LogCapture:
        import structlog

        self._processors = list(structlog.get_config()["processors"])
        structlog.configure(processors=[self._record, *self._processors])
        logging.getLogger().addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        import structlog

        logging.getLogger().removeHandler(self._handler)
        if self._processors is not None:
            structlog.configure(processors=self._processors)

    @property
    def text(self) -> str:
        return self._buffer.getvalue()


def scan_log(text: str, found: list[Needle]) -> list[Finding]:
    return list(_search_text(text, found, "log", "captured log"))


# -- memory --------------------------------------------------------------------------

_OPAQUE = (type, types.ModuleType, types.CodeType, types.FrameType, np.ndarray, logging.Logger)


def _children(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, dict):
        for key, value in list(obj.items()):
            yield f"{path}[{str(key)[:40]!r}]", value
            yield f"{path}<key>", key
        return
    if isinstance(obj, list | tuple | set | frozenset | deque):
        for i, value in enumerate(list(obj)):
            yield f"{path}[{i}]", value
        return
    if isinstance(obj, types.FunctionType):
        for i, cell in enumerate(obj.__closure__ or ()):
            try:
                yield f"{path}<closure {i}>", cell.cell_contents
            except ValueError:
                continue
        for i, value in enumerate(obj.__defaults__ or ()):
            yield f"{path}<default {i}>", value
        return
    if isinstance(obj, types.MethodType):
        yield f"{path}.__self__", obj.__self__
        return
    attrs = getattr(obj, "__dict__", None)
    if isinstance(attrs, dict):
        for key, value in list(attrs.items()):
            yield f"{path}.{key}", value
    for slot in _slots(type(obj)):
        if hasattr(obj, slot):
            yield f"{path}.{slot}", getattr(obj, slot, None)
    if attrs is None and not _slots(type(obj)):
        for value in gc.get_referents(obj):
            yield f"{path}<ref {type(value).__name__}>", value


def _slots(cls: type) -> tuple[str, ...]:
    names: list[str] = []
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    return tuple(n for n in names if n not in ("__dict__", "__weakref__"))


def scan_objects(
    roots: dict[str, Any], found: list[Needle], skip: Iterable[Any] = ()
) -> list[Finding]:
    """Strings and bytes reachable from ``roots`` (each root walked breadth first before
    the next, so a finding's path starts at the first root that reaches it)."""
    seen = {id(s) for s in skip}
    findings: list[Finding] = []
    visited = 0
    for label, root in roots.items():
        visited = _walk(label, root, found, seen, findings, visited)
    return findings


def _walk(
    label: str,
    root: Any,
    found: list[Needle],
    seen: set[int],
    findings: list[Finding],
    visited: int,
) -> int:
    queue: deque[tuple[str, Any]] = deque([(label, root)])
    while queue and visited < MAX_OBJECTS:
        path, obj = queue.popleft()
        if obj is None or isinstance(obj, bool | int | float) or id(obj) in seen:
            continue
        seen.add(id(obj))
        visited += 1
        if isinstance(obj, str):
            findings.extend(_search_text(obj, found, "memory", path))
        elif isinstance(obj, bytes | bytearray | memoryview):
            findings.extend(_search_bytes(bytes(obj), found, "memory", path))
        elif isinstance(obj, io.StringIO):
            findings.extend(_search_text(obj.getvalue(), found, "memory", path))
        elif isinstance(obj, io.BytesIO):
            findings.extend(_search_bytes(obj.getvalue(), found, "memory", path))
        elif not isinstance(obj, _OPAQUE):
            try:
                queue.extend(_children(obj, path))
            except Exception:  # an odd object (a C extension type): not ours
                continue
    return visited


def _live_kiosk_objects(skip_modules: tuple[str, ...]) -> dict[str, Any]:
    roots: dict[str, Any] = {}
    for obj in gc.get_objects():
        module = type(obj).__dict__.get("__module__") or getattr(type(obj), "__module__", "")
        if (
            isinstance(module, str)
            and module.startswith("kiosk.")
            and not module.startswith(skip_modules)
        ):
            roots[f"<live {type(obj).__qualname__} @{id(obj):x}>"] = obj
    return roots


# -- one visit -------------------------------------------------------------------------


def check_visit(
    core: KioskCore,
    *,
    name: str | None,
    id_number: str | None,
    log_text: str = "",
    extra_skip: Iterable[Any] = (),
) -> list[Finding]:
    """Every place where this visit's resident is still findable (empty: clean)."""
    found = needles(name, id_number)
    if not found:
        return []
    gc.collect()
    findings = scan_files(core.settings.terminal.data_dir, found)
    findings += scan_log(log_text, found)
    skip: list[Any] = list(extra_skip)
    services = core.services
    if services is not None:
        # The simulators stand for the resident's own card and phone, not the kiosk.
        skip += [services.simulators, services.resident_sim, services.platform_process]
    roots: dict[str, Any] = {"core": core}
    roots.update(_live_kiosk_objects(("kiosk.runtime.hygiene", *PLATFORM_MODULES)))
    findings += scan_objects(roots, found, skip)
    return _unique(findings)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    out = []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out
