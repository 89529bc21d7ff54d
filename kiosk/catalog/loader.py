"""Load the catalogue from YAML files (``config/catalog/*.yaml``).

Each file is a mapping with an ``items`` list. Any problem raises
:class:`CatalogError` naming the file, the item (code, or position when the
code itself is unusable) and the key path, e.g.
``cross_province_2022.yaml: item KS22-03: fees.amount_yuan: Input should be ...``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kiosk import paths, safe_yaml
from kiosk.catalog.catalog import Catalog
from kiosk.catalog.errors import CatalogError
from kiosk.catalog.model import CatalogItem


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "(item)"


def _validation_error(file: str, label: str, exc: ValidationError) -> CatalogError:
    errors = exc.errors()
    problems = [f"{_key_path(err['loc'])}: {err['msg']}" for err in errors]
    first_key = _key_path(errors[0]["loc"]) if errors else None
    return CatalogError(
        f"{file}: item {label}: {'; '.join(problems)}", file=file, item=label, key=first_key
    )


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path.name}: cannot read: {exc}", file=path.name) from exc
    try:
        return safe_yaml.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(f"{path.name}:{where}: invalid YAML: {problem}", file=path.name) from exc


def load_file(path: Path) -> list[CatalogItem]:
    """The items of one catalogue file."""
    data = _read_yaml(path)
    file = path.name
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise CatalogError(f"{file}: items: expected a mapping with an 'items' list", file=file)
    items: list[CatalogItem] = []
    for index, raw in enumerate(data["items"]):
        label = f"#{index + 1}"
        if not isinstance(raw, dict):
            raise CatalogError(f"{file}: item {label}: expected a mapping", file=file, item=label)
        if isinstance(raw.get("code"), str) and raw["code"].strip():
            label = raw["code"]
        try:
            items.append(CatalogItem.model_validate(raw))
        except ValidationError as exc:
            raise _validation_error(file, label, exc) from exc
    return items


def load_catalog(directory: Path = paths.CATALOG_DIR) -> Catalog:
    """All items of every ``*.yaml`` file in ``directory`` (files in name order)."""
    if not directory.is_dir():
        raise CatalogError(f"{directory}: catalogue folder not found", file=str(directory))
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError(f"{directory}: no catalogue files (*.yaml)", file=str(directory))
    defined_in: dict[str, str] = {}
    items: list[CatalogItem] = []
    for path in files:
        for item in load_file(path):
            if item.code in defined_in:
                raise CatalogError(
                    f"{path.name}: item {item.code}: code: duplicate, "
                    f"already defined in {defined_in[item.code]}",
                    file=path.name,
                    item=item.code,
                    key="code",
                )
            defined_in[item.code] = path.name
            items.append(item)
    return Catalog(items)
