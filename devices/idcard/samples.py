"""Sample cards of all four types; the reference platform knows these people.

Real WLT photos cannot be produced without the vendor library, so each photo
is 1024 bytes of deterministic filler.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from devices.idcard.model import CardType, IdCardData, Sex
from devices.idcard.protocol import PHOTO_SIZE


def filler_photo(seed: str) -> bytes:
    blocks = (hashlib.sha256(f"{seed}/{i}".encode()).digest() for i in range(PHOTO_SIZE // 32))
    return b"".join(blocks)


SAMPLES: dict[str, IdCardData] = {
    "zhang_xiuying": IdCardData(
        card_type=CardType.RESIDENT,
        name="张秀英",
        name_en=None,
        sex=Sex.FEMALE,
        birth_date=dt.date(1949, 12, 31),
        id_number="11010519491231002X",
        valid_from=dt.date(2012, 3, 15),
        valid_to=None,
        address="北京市朝阳区朝阳门外大街18号院3号楼2单元501号",
        issuing_authority="北京市公安局朝阳分局",
        nation="汉",
        nationality=None,
        photo_wlt=filler_photo("zhang_xiuying"),
    ),
    "chen_hao": IdCardData(
        card_type=CardType.RESIDENT,
        name="陈浩",
        name_en=None,
        sex=Sex.MALE,
        birth_date=dt.date(1999, 1, 10),
        id_number="440308199901101512",
        valid_from=dt.date(2019, 5, 20),
        valid_to=dt.date(2029, 5, 20),
        address="广东省深圳市盐田区沙头角街道海山路8号",
        issuing_authority="深圳市公安局盐田分局",
        nation="汉",
        nationality=None,
        photo_wlt=filler_photo("chen_hao"),
    ),
    "li_jiaxin": IdCardData(
        card_type=CardType.GAT_RESIDENCE_PERMIT,
        name="李嘉欣",
        name_en=None,
        sex=Sex.FEMALE,
        birth_date=dt.date(1994, 8, 23),
        id_number="810000199408230021",
        valid_from=dt.date(2023, 6, 1),
        valid_to=dt.date(2028, 6, 1),
        address="广东省深圳市福田区福华三路100号",
        issuing_authority="深圳市公安局",
        nation=None,
        nationality=None,
        photo_wlt=filler_photo("li_jiaxin"),
    ),
    "wang_jianguo": IdCardData(
        card_type=CardType.FOREIGN_PERMANENT_2023,
        name="王建国",
        name_en="WANG JIANGUO",
        sex=Sex.MALE,
        birth_date=dt.date(1985, 1, 1),
        id_number="932682198501010017",
        valid_from=dt.date(2024, 1, 15),
        valid_to=dt.date(2034, 1, 15),
        address=None,
        issuing_authority=None,
        nation=None,
        # Digits 4-6 of the number (682) are the GB/T 2659 numeric code of Saudi Arabia.
        nationality="SAU",
        photo_wlt=filler_photo("wang_jianguo"),
    ),
    "john_smith": IdCardData(
        card_type=CardType.FOREIGN_PERMANENT_2017,
        name=None,
        name_en="SMITH JOHN",
        sex=Sex.MALE,
        birth_date=dt.date(1985, 1, 1),
        id_number="USA110085010112",
        valid_from=dt.date(2018, 4, 2),
        valid_to=dt.date(2028, 4, 2),
        address=None,
        issuing_authority="1500",  # the card carries a 4-digit authority code
        nation=None,
        nationality="USA",
        photo_wlt=filler_photo("john_smith"),
    ),
}
