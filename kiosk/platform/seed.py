"""Demo residents of the reference platform, their records, applications and real estate.

The first three are the people the ID-card emulator presents; their numbers
pass the GB 11643 check. 王建国 (foreigner permanent residence card
932682198501010017) is deliberately NOT seeded: presenting his card shows the
``resident_not_found`` path end to end.

Reference photos come from the shared LFW subset (``faces/<Name>/1.jpg``);
``faces/<Name>/2.jpg`` … are other photos of the same person for face tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from kiosk.platform.schemas import (
    AccountSummary,
    Application,
    ApplicationState,
    Delivery,
    DeliveryMethod,
    Encumbrance,
    EncumbranceKind,
    RealEstateProperty,
    RecordKind,
    RecordRow,
    TimelineEntry,
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def gb11643_check_digit(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need the first 17 digits")
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True, kw_only=True)
class Issuers:
    social_insurance: str
    housing_fund: str
    tax: str

    def for_kind(self, kind: RecordKind) -> str:
        return {
            RecordKind.SOCIAL_INSURANCE: self.social_insurance,
            RecordKind.HOUSING_FUND: self.housing_fund,
            RecordKind.TAX: self.tax,
        }[kind]


ISSUERS = {
    "北京市": Issuers(
        social_insurance="北京市社会保险事业管理中心",
        housing_fund="北京住房公积金管理中心",
        tax="国家税务总局北京市税务局",
    ),
    "深圳市": Issuers(
        social_insurance="深圳市社会保险基金管理局",
        housing_fund="深圳市住房公积金管理中心",
        tax="国家税务总局深圳市税务局",
    ),
    "杭州市": Issuers(
        social_insurance="杭州市社会保险管理服务中心",
        housing_fund="杭州住房公积金管理中心",
        tax="国家税务总局杭州市税务局",
    ),
    "广州市": Issuers(
        social_insurance="广州市社会保险基金管理中心",
        housing_fund="广州住房公积金管理中心",
        tax="国家税务总局广州市税务局",
    ),
}


@dataclass(frozen=True, kw_only=True)
class Span:
    """Contributions at one base for a run of months (YYYY-MM) or years (YYYY)."""

    unit: str
    first: str
    last: str
    base: Decimal
    item: str
    personal_rate: Decimal
    employer_rate: Decimal | None

    def periods(self) -> Iterator[str]:
        if len(self.first) == 4:
            yield from (str(y) for y in range(int(self.first), int(self.last) + 1))
            return
        year, month = int(self.first[:4]), int(self.first[5:])
        while f"{year:04d}-{month:02d}" <= self.last:
            yield f"{year:04d}-{month:02d}"
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def rows(self) -> list[RecordRow]:
        def cents(value: Decimal) -> Decimal:
            return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

        return [
            RecordRow(
                period=p,
                unit=self.unit,
                item=self.item,
                base_yuan=cents(self.base),
                personal_yuan=cents(self.base * self.personal_rate),
                employer_yuan=None
                if self.employer_rate is None
                else cents(self.base * self.employer_rate),
            )
            for p in self.periods()
        ]


@dataclass(frozen=True, kw_only=True)
class SeedRecord:
    kind: RecordKind
    status: str
    status_label: str
    since: str
    spans: tuple[Span, ...]
    insured_types: tuple[str, ...] = ()
    with_balance: bool = False
    closed: bool = False

    def rows(self) -> list[RecordRow]:
        return [row for span in self.spans for row in span.rows()]

    def account(self, locality: str) -> AccountSummary:
        rows = self.rows()
        balance = None
        if self.with_balance:
            paid = sum((r.personal_yuan + (r.employer_yuan or 0) for r in rows), Decimal("0.00"))
            balance = Decimal("0.00") if self.closed else paid
        monthly = all(len(r.period) == 7 for r in rows)
        return AccountSummary(
            status=self.status,
            status_label=self.status_label,
            unit=self.spans[-1].unit,
            locality=locality,
            since=self.since,
            total_months=len(rows) if monthly else 12 * len(rows),
            balance_yuan=balance,
            insured_types=list(self.insured_types),
        )


@dataclass(frozen=True, kw_only=True)
class SeedStep:
    state: ApplicationState
    days_ago: float
    locality: str
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class SeedApplication:
    reference: str
    item_code: str
    item_name: str
    handling_mode: str
    delivery: Delivery
    steps: tuple[SeedStep, ...]

    def build(self, resident_id: str, now: datetime) -> Application:
        timeline = [
            TimelineEntry(
                state=s.state,
                state_label=s.state.label,
                at=now - timedelta(days=s.days_ago),
                locality=s.locality,
                note=s.note,
            )
            for s in self.steps
        ]
        return Application(
            reference=self.reference,
            resident_id=resident_id,
            item_code=self.item_code,
            item_name=self.item_name,
            status=timeline[-1].state,
            status_label=timeline[-1].state_label,
            handling_mode=self.handling_mode,
            submitted_at=timeline[0].at,
            updated_at=timeline[-1].at,
            delivery=self.delivery,
            timeline=timeline,
        )


@dataclass(frozen=True, kw_only=True)
class SeedResident:
    resident_id: str
    id_number: str
    name: str
    gender: str
    birth_date: date
    city: str
    district: str
    eid_code: str
    face: str | None
    records: tuple[SeedRecord, ...] = ()
    applications: tuple[SeedApplication, ...] = field(default=())

    @property
    def locality(self) -> str:
        return self.city + self.district

    @property
    def issuers(self) -> Issuers:
        return ISSUERS[self.city]

    def __post_init__(self) -> None:
        if gb11643_check_digit(self.id_number[:17]) != self.id_number[17]:
            raise ValueError(f"bad check digit in seed resident {self.resident_id}")


_D = Decimal
_PENSION = "城镇职工基本养老保险"
_MEDICAL = "城镇职工基本医疗保险"
_UNEMPLOYMENT = "失业保险"
_INJURY = "工伤保险"
_FUND = "住房公积金"
_WAGES = "工资薪金所得"
_MILL = "北京市第二毛纺织厂"
_PORT = "深圳市盐田港物流有限公司"
_QIANHAI = "深圳市前海跨境金融服务有限公司"
_WEST_LAKE = "杭州西湖数字科技有限公司"
_YUEXIU = "广州市越秀区第一百货商店"

RESIDENTS: tuple[SeedResident, ...] = (
    SeedResident(
        resident_id="rs_8d41f0c27a5b",
        id_number="11010519491231002X",
        name="张秀英",
        gender="female",
        birth_date=date(1949, 12, 31),
        city="北京市",
        district="朝阳区",
        eid_code="EID:ZXY7Q3K9M2X5",
        face="Julianne_Moore",
        records=(
            SeedRecord(
                kind=RecordKind.SOCIAL_INSURANCE,
                status="retired",
                status_label="已退休（按月领取基本养老金）",
                since="1985-01",
                insured_types=(_PENSION, _MEDICAL),
                spans=(
                    Span(
                        unit=_MILL,
                        first="1985",
                        last="1994",
                        base=_D("310"),
                        item=_PENSION,
                        personal_rate=_D("0.03"),
                        employer_rate=_D("0.19"),
                    ),
                    Span(
                        unit=_MILL,
                        first="1995",
                        last="2004",
                        base=_D("1280"),
                        item=_PENSION,
                        personal_rate=_D("0.08"),
                        employer_rate=_D("0.20"),
                    ),
                ),
            ),
            SeedRecord(
                kind=RecordKind.HOUSING_FUND,
                status="closed",
                status_label="已销户（退休提取）",
                since="1995-01",
                with_balance=True,
                closed=True,
                spans=(
                    Span(
                        unit=_MILL,
                        first="1995",
                        last="2004",
                        base=_D("1280"),
                        item=_FUND,
                        personal_rate=_D("0.08"),
                        employer_rate=_D("0.08"),
                    ),
                ),
            ),
        ),
        applications=(
            SeedApplication(
                reference="TB20260915000031",
                item_code="110105-LNYDZ",
                item_name="老年人优待证办理",
                handling_mode="local",
                delivery=Delivery(method=DeliveryMethod.COLLECT),
                steps=(
                    SeedStep(state=ApplicationState.RECEIVED, days_ago=75, locality="北京市朝阳区"),
                    SeedStep(
                        state=ApplicationState.IN_REVIEW, days_ago=74, locality="北京市朝阳区"
                    ),
                    SeedStep(
                        state=ApplicationState.COMPLETED,
                        days_ago=70,
                        locality="北京市朝阳区",
                        note="优待证已制作完成，请到朝阳区政务服务中心领取",
                    ),
                ),
            ),
            SeedApplication(
                reference="TB20261118000417",
                item_code="KSTB-HKQY",
                item_name="户口迁移（投靠子女）",
                handling_mode="多地联办",
                delivery=Delivery(method=DeliveryMethod.POST, address="广东省深圳市南山区粤海街道"),
                steps=(
                    SeedStep(
                        state=ApplicationState.RECEIVED,
                        days_ago=11,
                        locality="北京市朝阳区",
                        note="自助终端受理，材料已核验",
                    ),
                    SeedStep(
                        state=ApplicationState.TRANSFERRED,
                        days_ago=10,
                        locality="广东省深圳市南山区",
                        note="已转迁入地公安机关审核准迁",
                    ),
                    SeedStep(
                        state=ApplicationState.IN_REVIEW,
                        days_ago=8,
                        locality="广东省深圳市南山区",
                        note="迁入地审核中，办结后由迁出地办理迁出",
                    ),
                ),
            ),
        ),
    ),
    SeedResident(
        resident_id="rs_3b9e52d81c60",
        id_number="440308199901101512",
        name="陈浩",
        gender="male",
        birth_date=date(1999, 1, 10),
        city="深圳市",
        district="盐田区",
        eid_code="EID:CH5W8N1R4T7Y",
        face="Hu_Jintao",
        records=(
            SeedRecord(
                kind=RecordKind.SOCIAL_INSURANCE,
                status="active",
                status_label="正常参保",
                since="2021-07",
                insured_types=(_PENSION, _MEDICAL, _UNEMPLOYMENT, _INJURY),
                spans=(
                    Span(
                        unit=_PORT,
                        first="2021-07",
                        last="2022-12",
                        base=_D("6000"),
                        item=_PENSION,
                        personal_rate=_D("0.08"),
                        employer_rate=_D("0.16"),
                    ),
                    Span(
                        unit=_PORT,
                        first="2023-01",
                        last="2024-12",
                        base=_D("7500"),
                        item=_PENSION,
                        personal_rate=_D("0.08"),
                        employer_rate=_D("0.16"),
                    ),
                    Span(
                        unit=_PORT,
                        first="2025-01",
                        last="2026-10",
                        base=_D("8200"),
                        item=_PENSION,
                        personal_rate=_D("0.08"),
                        employer_rate=_D("0.16"),
                    ),
                ),
            ),
            SeedRecord(
                kind=RecordKind.HOUSING_FUND,
                status="active",
                status_label="正常缴存",
                since="2021-07",
                with_balance=True,
                spans=(
                    Span(
                        unit=_PORT,
                        first="2021-07",
                        last="2024-12",
                        base=_D("6800"),
                        item=_FUND,
                        personal_rate=_D("0.05"),
                        employer_rate=_D("0.05"),
                    ),
                    Span(
                        unit=_PORT,
                        first="2025-01",
                        last="2026-10",
                        base=_D("8200"),
                        item=_FUND,
                        personal_rate=_D("0.05"),
                        employer_rate=_D("0.05"),
                    ),
                ),
            ),
            SeedRecord(
                kind=RecordKind.TAX,
                status="active",
                status_label="正常申报",
                since="2021-07",
                spans=(
                    Span(
                        unit=_PORT,
                        first="2025-01",
                        last="2026-10",
                        base=_D("9800"),
                        item=_WAGES,
                        personal_rate=_D("0.0224"),
                        employer_rate=None,
                    ),
                ),
            ),
        ),
        applications=(
            SeedApplication(
                reference="TB20261120000588",
                item_code="440300-GJJTQ-ZF",
                item_name="住房公积金提取（租房）",
                handling_mode="local",
                delivery=Delivery(method=DeliveryMethod.ELECTRONIC),
                steps=(
                    SeedStep(state=ApplicationState.RECEIVED, days_ago=9, locality="深圳市盐田区"),
                    SeedStep(
                        state=ApplicationState.IN_REVIEW,
                        days_ago=8,
                        locality="深圳市盐田区",
                        note="公积金中心审核中，预计3个工作日内办结",
                    ),
                ),
            ),
            SeedApplication(
                reference="TB20261112000243",
                item_code="440300-JYCYZ",
                item_name="就业创业证申领",
                handling_mode="local",
                delivery=Delivery(method=DeliveryMethod.POST, address="广东省深圳市盐田区海山街道"),
                steps=(
                    SeedStep(state=ApplicationState.RECEIVED, days_ago=17, locality="深圳市盐田区"),
                    SeedStep(
                        state=ApplicationState.AWAITING_MATERIALS,
                        days_ago=15,
                        locality="深圳市盐田区",
                        note="请补充近期免冠照片：可在自助终端拍照后选择“补正材料”提交",
                    ),
                ),
            ),
        ),
    ),
    SeedResident(
        resident_id="rs_f27a6c0e94d3",
        id_number="810000199408230021",
        name="李嘉欣",
        gender="female",
        birth_date=date(1994, 8, 23),
        city="深圳市",
        district="福田区",
        eid_code="EID:LJX2H6V9B3D8",
        face="Jennifer_Garner",
        records=(
            SeedRecord(
                kind=RecordKind.SOCIAL_INSURANCE,
                status="active",
                status_label="正常参保",
                since="2023-03",
                insured_types=(_PENSION, _MEDICAL, _UNEMPLOYMENT, _INJURY),
                spans=(
                    Span(
                        unit=_QIANHAI,
                        first="2025-01",
                        last="2026-10",
                        base=_D("15000"),
                        item=_PENSION,
                        personal_rate=_D("0.08"),
                        employer_rate=_D("0.16"),
                    ),
                ),
            ),
            SeedRecord(
                kind=RecordKind.TAX,
                status="active",
                status_label="正常申报",
                since="2023-03",
                spans=(
                    Span(
                        unit=_QIANHAI,
                        first="2025-01",
                        last="2026-10",
                        base=_D("18000"),
                        item=_WAGES,
                        personal_rate=_D("0.0672"),
                        employer_rate=None,
                    ),
                ),
            ),
        ),
    ),
    SeedResident(
        resident_id="rs_0c6d19b7e248",
        id_number="330106197805160012",
        name="刘伟",
        gender="male",
        birth_date=date(1978, 5, 16),
        city="杭州市",
        district="西湖区",
        eid_code="EID:LW4F7J2P8S1G",
        face="Gerhard_Schroeder",
        records=(
            SeedRecord(
                kind=RecordKind.SOCIAL_INSURANCE,
                status="active",
                status_label="正常参保",
                since="2003-09",
                insured_types=(_PENSION, _MEDICAL, _UNEMPLOYMENT),
                spans=(
                    Span(
                        unit=_WEST_LAKE,
                        first="2026-01",
                        last="2026-10",
                        base=_D("12000"),
                        item=_PENSION,
                        personal_rate=_D("0.08"),
                        employer_rate=_D("0.14"),
                    ),
                ),
            ),
            SeedRecord(
                kind=RecordKind.HOUSING_FUND,
                status="sealed",
                status_label="封存（单位变更中）",
                since="2003-09",
                with_balance=True,
                spans=(
                    Span(
                        unit=_WEST_LAKE,
                        first="2026-01",
                        last="2026-08",
                        base=_D("12000"),
                        item=_FUND,
                        personal_rate=_D("0.12"),
                        employer_rate=_D("0.12"),
                    ),
                ),
            ),
        ),
        applications=(
            SeedApplication(
                reference="TB20261025000112",
                item_code="330100-GTHDJ",
                item_name="个体工商户设立登记",
                handling_mode="local",
                delivery=Delivery(method=DeliveryMethod.COLLECT),
                steps=(
                    SeedStep(state=ApplicationState.RECEIVED, days_ago=35, locality="杭州市西湖区"),
                    SeedStep(
                        state=ApplicationState.REJECTED,
                        days_ago=33,
                        locality="杭州市西湖区",
                        note="经营场所位于住宅用途房屋，不符合登记条件；可咨询12345",
                    ),
                ),
            ),
        ),
    ),
    SeedResident(
        resident_id="rs_92e4a7f1d05b",
        id_number="440104196203080240",
        name="赵敏",
        gender="female",
        birth_date=date(1962, 3, 8),
        city="广州市",
        district="越秀区",
        eid_code="EID:ZM9K3C6X1V5N",
        face=None,
        records=(
            SeedRecord(
                kind=RecordKind.SOCIAL_INSURANCE,
                status="retired",
                status_label="已退休（按月领取基本养老金）",
                since="1992-07",
                insured_types=(_PENSION, _MEDICAL),
                spans=(
                    Span(
                        unit=_YUEXIU,
                        first="2003",
                        last="2012",
                        base=_D("2600"),
                        item=_PENSION,
                        personal_rate=_D("0.08"),
                        employer_rate=_D("0.20"),
                    ),
                ),
            ),
        ),
        applications=(
            SeedApplication(
                reference="TB20261122000730",
                item_code="KSTB-YDJYBA",
                item_name="异地长期居住人员就医备案",
                handling_mode="异地代收代办",
                delivery=Delivery(method=DeliveryMethod.ELECTRONIC),
                steps=(
                    SeedStep(
                        state=ApplicationState.RECEIVED,
                        days_ago=7,
                        locality="海南省三亚市吉阳区",
                        note="异地代收，已转参保地办理",
                    ),
                    SeedStep(
                        state=ApplicationState.TRANSFERRED,
                        days_ago=6,
                        locality="广东省广州市越秀区",
                        note="已转参保地医保经办机构",
                    ),
                ),
            ),
        ),
    ),
)


def _mortgage(holder: str, since: date, until: date) -> Encumbrance:
    return Encumbrance(
        kind=EncumbranceKind.MORTGAGE,
        kind_label="抵押",
        holder=holder,
        registered_on=since,
        until=until,
    )


# 不动产登记: what is registered in a resident's name, by resident id. 张秀英 has a flat
# under mortgage and a garage under a court's seizure; the others own nothing here.
REAL_ESTATE: dict[str, tuple[RealEstateProperty, ...]] = {
    "rs_8d41f0c27a5b": (
        RealEstateProperty(
            certificate_no="京（2016）朝阳区不动产权第0031527号",
            location="北京市朝阳区和平街十一区12号楼3单元502",
            area_m2=_D("78.45"),
            use="住宅",
            registered_on=date(2016, 4, 18),
            encumbrances=[
                _mortgage("中国工商银行北京朝阳支行", date(2016, 4, 18), date(2036, 4, 17))
            ],
        ),
        RealEstateProperty(
            certificate_no="京（2019）朝阳区不动产权第0107764号",
            location="北京市朝阳区和平街十一区地下车库B1-037",
            area_m2=_D("13.20"),
            use="车库",
            registered_on=date(2019, 9, 2),
            encumbrances=[
                Encumbrance(
                    kind=EncumbranceKind.SEIZURE,
                    kind_label="查封",
                    holder="北京市朝阳区人民法院",
                    registered_on=date(2026, 3, 10),
                    until=date(2029, 3, 9),
                )
            ],
        ),
    ),
}
