"""``kiosk catalog``: list, show and search the service catalogue (服务事项目录)."""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.catalog import Catalog, CatalogItem

_NAME_WIDTH = 40
# The values of kiosk.config.settings.SiteType, spelled out: importing pydantic here would
# slow `kiosk --help` (a test keeps the two in step).
SITE_TYPE_CHOICES = ("community", "bank", "post_office")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("catalog", help="service catalogue (服务事项目录)")
    sub = parser.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")

    list_parser = sub.add_parser("list", help="list service items")
    list_parser.add_argument("--json", action="store_true", help="full items as a JSON array")
    list_parser.add_argument(
        "--site-type", choices=SITE_TYPE_CHOICES, help="only items offered there"
    )
    list_parser.add_argument(
        "--region", type=_region_code, metavar="CODE", help="only items offered in this region"
    )
    list_parser.set_defaults(handler=_list)

    show_parser = sub.add_parser("show", help="every element of one item")
    show_parser.add_argument("code", help="item code, e.g. KS22-14")
    show_parser.add_argument("--json", action="store_true", help="the item as JSON")
    show_parser.set_defaults(handler=_show)

    search_parser = sub.add_parser("search", help="find items by Chinese, pinyin or code")
    search_parser.add_argument("text", help="e.g. 社保, sbjf, shebao, KS22")
    search_parser.add_argument("--json", action="store_true", help="full items as a JSON array")
    search_parser.set_defaults(handler=_search)


def _region_code(text: str) -> str:
    if not re.fullmatch(r"\d{6}", text):
        raise argparse.ArgumentTypeError(f"region code must be 6 digits, got {text!r}")
    return text


def _load() -> Catalog | None:
    from kiosk.catalog import CatalogError, load_catalog

    try:
        return load_catalog()
    except CatalogError as exc:
        _error(f"catalogue data is invalid: {exc}")
        return None


def _error(message: str) -> None:
    print(f"kiosk catalog: {message}", file=sys.stderr)


def _list(args: argparse.Namespace) -> int:
    from kiosk.catalog import SiteType

    catalog = _load()
    if catalog is None:
        return 2
    site_type = None if args.site_type is None else SiteType(args.site_type)
    _emit(catalog.filter(site_type, args.region), as_json=args.json)
    return 0


def _search(args: argparse.Namespace) -> int:
    catalog = _load()
    if catalog is None:
        return 2
    _emit(catalog.search(args.text), as_json=args.json)
    return 0


def _show(args: argparse.Namespace) -> int:
    from kiosk.catalog import UnknownItem

    catalog = _load()
    if catalog is None:
        return 2
    try:
        # Codes are upper case; technicians type them in any case.
        item = catalog.get(args.code.strip().upper())
    except UnknownItem as exc:
        _error(f"{exc} (未找到该事项编码; see `kiosk catalog list`)")
        return 1
    if args.json:
        print(json.dumps(item.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print("\n".join(describe(item)))
    return 0


def _emit(items: Sequence[CatalogItem], *, as_json: bool) -> None:
    if as_json:
        dumped = [item.model_dump(mode="json") for item in items]
        print(json.dumps(dumped, ensure_ascii=False, indent=2))
    else:
        print("\n".join(table(items)))


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """Truncate with an ellipsis and pad to exactly ``width`` columns."""
    if _width(text) > width:
        while _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


def table(items: Sequence[CatalogItem]) -> list[str]:
    """Readable rows: code, name, handling modes, site types."""
    if not items:
        return ["(no items 无匹配事项)"]
    code_width = max(_width("CODE 编码"), *(len(item.code) for item in items))
    rows = [
        f"{_fit('CODE 编码', code_width)}  {_fit('NAME 名称', _NAME_WIDTH)}  MODES 办理方式  SITES"
    ]
    for item in items:
        modes = ",".join(mode.label.split()[0] for mode in item.handling_modes)
        sites = ",".join(item.site_types)
        rows.append(f"{item.code:<{code_width}}  {_fit(item.name, _NAME_WIDTH)}  {modes}  {sites}")
    rows.append(f"{len(items)} items 项")
    return rows


def _days(days: int) -> str:
    return "即办 on the spot" if days == 0 else f"{days} 个工作日 working days"


def describe(item: CatalogItem) -> list[str]:
    """Every element of ``item``, Chinese with English labels."""
    from kiosk.catalog.model import SITE_TYPE_LABELS

    lines = [
        f"{item.name}  ({item.code})",
        f"  {item.name_en}",
        f"事项说明 Summary: {item.summary}",
        f"  {item.summary_en}",
        f"事项类型 Type: {item.item_type.label}",
        f"主管部门 Department: {item.department}",
        f"实施主体 Implementing body: {item.implementing_body}",
        "设定依据 Legal basis:",
        *(f"  - {law}" for law in item.legal_basis),
        "受理条件 Conditions:",
        *(f"  - {condition}" for condition in item.conditions),
        "申请材料 Materials:",
    ]
    for material in item.materials:
        flags = ["必须 required" if material.required else "非必须 optional", material.form.label]
        if material.e_licence_reusable:
            flags.append("可用电子证照 e-licence accepted")
        if material.may_defer:
            flags.append("可容缺 may follow later")
        lines.append(f"  - {material.name} ({material.name_en}): {'; '.join(flags)}")
    lines += [
        "办理方式 Handling: " + "; ".join(mode.label for mode in item.handling_modes),
        "办理流程 Procedure:",
        *(f"  {n}. {step}" for n, step in enumerate(item.procedure, start=1)),
        f"法定时限 Legal time limit: {_days(item.legal_time_limit_days)}",
        f"承诺时限 Promised time limit: {_days(item.promised_time_limit_days)}",
        f"收费 Fees: {item.fees.amount_yuan:g} 元 yuan — {item.fees.description}"
        f" ({item.fees.description_en})",
        f"办理结果 Result: {item.result.name} ({item.result.type})",
        "送达方式 Delivery: " + "; ".join(method.label for method in item.delivery_methods),
        f"到现场次数 Visits required: {item.visits_required}",
        f"咨询电话 Consultation: {item.consultation_phone}",
        f"投诉电话 Complaints: {item.complaint_phone}",
        "服务网点 Sites: " + "; ".join(SITE_TYPE_LABELS[site] for site in item.site_types),
        "适用地区 Regions: "
        + ", ".join("全国 nationwide" if r == "000000" else r for r in item.regions),
        f"终端流程 Journey: {item.journey}"
        + (f" ({item.certificate_type})" if item.certificate_type else ""),
        "跨省通办2022 Cross-province 2022: "
        + (f"第{item.cross_province_2022}项" if item.cross_province_2022 else "否 no"),
        f"需要身份核验 Identity required: {'是 yes' if item.identity_required else '否 no'}",
        f"热度 Popularity: {item.popularity}",
        "关键词 Keywords: " + "、".join(item.keywords),
    ]
    return lines
