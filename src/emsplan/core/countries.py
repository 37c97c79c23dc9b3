"""ISO 3166-1 alpha-2 country codes: the one list every part of emsplan checks against."""

from __future__ import annotations

import pandas as pd

_ISO_COUNTRIES_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    YE YT
    ZA ZM ZW
"""
#: The officially assigned ISO 3166-1 alpha-2 country codes (249 codes; user-assigned
#: codes such as XK and reserved ones such as EU or UK are not countries here).
ISO_COUNTRIES: frozenset[str] = frozenset(_ISO_COUNTRIES_TEXT.split())
_ISO_SORTED = sorted(ISO_COUNTRIES)


def is_country(code: object) -> bool:
    """True if ``code`` is an officially assigned ISO 3166-1 alpha-2 code (capitals)."""
    return isinstance(code, str) and code in ISO_COUNTRIES


def are_countries(codes: pd.Series) -> pd.Series:
    """True where a cell is an officially assigned ISO 3166-1 alpha-2 code (capitals);
    False where it is not, or is blank."""
    return codes.isin(_ISO_SORTED)
