"""The packaged catalogue data: complete, consistent and as the national list says."""

from __future__ import annotations

import pytest

from kiosk.catalog import CatalogItem, Journey, SiteType, load_catalog

CATALOG = load_catalog()
ITEMS = CATALOG.items

# The 2022 national cross-province list (国办发〔2022〕34号 annex), word for word, in order.
CROSS_PROVINCE_2022 = [
    "临时居民身份证办理",
    "子女投靠父母户口迁移",
    "城乡居民养老保险参保登记",
    "城乡居民养老保险待遇申请",
    "住房公积金汇缴",
    "住房公积金补缴",
    "提前部分偿还住房公积金贷款",
    "租房提取住房公积金",
    "提前退休提取住房公积金",
    "航运公司符合证明查询、核验",
    "船舶安全管理证书查询、核验",
    "水利水电工程施工企业主要负责人、项目负责人和专职安全生产管理人员安全生产考核变更",
    "异地电子缴税",
    "开具税收完税证明",
    "单位社会保险费申报",
    "灵活就业人员社会保险费申报",
    "城乡居民社会保险费申报",
    "社会保险费特殊缴费申报",
    "工程项目工伤保险费申报",
    "开具社会保险费缴费证明",
    "退还误收多缴保险费申请",
    "高血压、糖尿病、恶性肿瘤门诊放化疗、尿毒症透析、器官移植术后抗排异治疗等5种门诊慢特病"
    "相关治疗费用跨省直接结算",
]

# Codes other modules depend on: (code, journey, certificate_type, identity_required).
TERMINAL_ITEMS = [
    ("SI-PARTICIPATION-CERT", Journey.CERTIFICATE, "social_insurance_participation", True),
    ("SI-PAYMENT-RECORD", Journey.CERTIFICATE, "social_insurance_payment_record", True),
    ("HF-DEPOSIT-CERT", Journey.CERTIFICATE, "housing_fund_deposit", True),
    ("TAX-RECORD-CERT", Journey.CERTIFICATE, "tax_payment_record", True),
    ("KS22-14", Journey.CERTIFICATE, "tax_payment", True),
    ("KS22-20", Journey.CERTIFICATE, "social_insurance_payment", True),
    ("STATUS-QUERY", Journey.STATUS, None, False),
    ("REALESTATE-QUERY", Journey.RECORDS, None, True),
    ("SI-RECORDS", Journey.RECORDS, None, True),
    ("HF-RECORDS", Journey.RECORDS, None, True),
    ("CERT-VERIFY", Journey.VERIFY, None, False),
    ("MI-REMOTE-FILING", Journey.INTAKE, None, True),
    ("SI-CONTRIBUTION-PAY", Journey.PAYMENT, None, True),
]

# Present only when the journey asks for them (checked by the model's validator).
CONDITIONAL = {"certificate_type", "cross_province_2022"}
HOTLINES = {"12345", "12333", "12329", "12366", "12393", "12314"}


def test_holds_at_least_27_items() -> None:
    assert len(ITEMS) >= 27
    assert len({item.code for item in ITEMS}) == len(ITEMS)


@pytest.mark.parametrize(("number", "name"), list(enumerate(CROSS_PROVINCE_2022, start=1)))
def test_every_2022_cross_province_item_is_present(number: int, name: str) -> None:
    item = CATALOG.get(f"KS22-{number:02d}")
    assert item.name == name
    assert item.cross_province_2022 == number


def test_cross_province_numbers_only_on_ks22_items() -> None:
    numbered = sorted(i.cross_province_2022 for i in ITEMS if i.cross_province_2022 is not None)
    assert numbered == list(range(1, 23))
    for item in ITEMS:
        assert (item.cross_province_2022 is not None) == item.code.startswith("KS22-")


@pytest.mark.parametrize(("code", "journey", "certificate_type", "identity"), TERMINAL_ITEMS)
def test_terminal_items_have_their_journey(
    code: str, journey: Journey, certificate_type: str | None, identity: bool
) -> None:
    item = CATALOG.get(code)
    assert item.journey is journey
    assert item.certificate_type == certificate_type
    assert item.identity_required is identity


def _filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, tuple):
        return len(value) > 0 and all(_filled(v) for v in value)
    if hasattr(value, "model_dump"):
        return all(_filled(v) for v in vars(value).values())
    return value is not None


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.code)
def test_every_standard_element_is_filled(item: CatalogItem) -> None:
    empty = [
        field
        for field in CatalogItem.model_fields
        if field not in CONDITIONAL and not _filled(getattr(item, field))
    ]
    assert empty == []
    assert item.name_en.isascii() and item.summary_en.isascii()
    assert all(law.startswith("《") for law in item.legal_basis)
    assert item.consultation_phone in HOTLINES
    assert item.complaint_phone in HOTLINES
    if item.fees.amount_yuan == 0:
        assert "不收" in item.fees.description


CERTIFICATES = [item for item in ITEMS if item.journey is Journey.CERTIFICATE]


def test_six_certificate_items() -> None:
    assert len(CERTIFICATES) == 6


@pytest.mark.parametrize("item", CERTIFICATES, ids=lambda item: item.code)
def test_certificates_print_on_the_spot_free(item: CatalogItem) -> None:
    assert item.fees.amount_yuan == 0
    assert item.legal_time_limit_days == item.promised_time_limit_days == 0
    assert "on_site_print" in item.delivery_methods


def test_site_types_offer_different_sets() -> None:
    offered = {site: {i.code for i in CATALOG.for_site(site, "440308")} for site in SiteType}
    community, bank, post = (offered[s] for s in SiteType)
    assert len({frozenset(codes) for codes in offered.values()}) == 3
    # Community centres offer most; banks the payment and tax items; post offices delivery.
    assert len(community) > len(bank) and len(community) > len(post)
    assert {"KS22-13", "KS22-15", "KS22-19"} <= bank - community
    assert "KS22-01" in community - bank - post
    assert {"KS22-02", "KS22-12"} <= post - bank
    assert {"SI-PARTICIPATION-CERT", "STATUS-QUERY"} <= community & bank & post
