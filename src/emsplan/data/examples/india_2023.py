"""The bundled example network ``india-2023``: a phone, TV and audio brand building in India.

A consumer-electronics brand sells three smartphones, a 43-inch smart TV, true-wireless
earbuds and a Bluetooth speaker in four Indian regions, an online channel and two export
markets (UAE and UK), over eight quarters from April 2023 (2023-Q2) to March 2025 (2025-Q1),
i.e. the Indian fiscal years 2023-24 and 2024-25. Five EMS partner plants may assemble the
products:

- ``EMS-A-NOIDA`` (partner EMS-A, Noida, Uttar Pradesh): all three phones, their main-board
  PCBAs (SMT line) and the premium phone's camera module;
- ``EMS-B-SPR`` (partner EMS-B, Sriperumbudur, Tamil Nadu): the mid-range and premium phones
  and the mid-range PCBA; its phone line is expanded from 2024-Q3;
- ``EMS-C-NOIDA`` (partner EMS-C, Greater Noida, Uttar Pradesh): earbuds, speaker and their
  Bluetooth module;
- ``EMS-D-TPT`` (partner EMS-D, Tirupati, Andhra Pradesh): the TV and its main board;
- ``EMS-E-HYD`` (partner EMS-E, Hyderabad, Telangana): a second candidate partner for the
  audio products, at a lower conversion cost and a smaller contract fee, farther from the
  Noida suppliers.

The plan makes the network-design decisions the brand's news describes (``OPTIONS``): which
partner makes the audio products (a production contract per partner on the item group
``audio``), whether to open a distribution centre in the east (``DC-EAST``, Kolkata, from
2023-Q4, with an opening cost), and whether to sign new retail partners in the east and the
west (candidate channels ``MKT-EAST-NEW`` and ``MKT-WEST-NEW``: their demand exists only
once signed). The setting ``objective`` is ``profit``: a unit not delivered loses its
price, so the plan decides which demand is worth serving and which channels pay their
fixed cost.

Bills of materials are multi-level (phone <- PCBA <- chipset, memory, bare board,
passives; premium phone <- camera module <- image sensor, lens). Most components can be
bought from a local supplier (dearer before duty, with a local-content share below 1 when
the supplier itself imports parts, e.g. a battery pack assembled from imported cells) or
imported from China, Vietnam, Korea or Taiwan. Imported chips, displays and batteries are
ordered a quarter ahead (lead time 1): a plan commits to them before the quarter's demand
is known, while local offers and a parts distributor (``SG-DIST``, the same parts from
stock at about 15% more) follow demand; a robust plan (``emsplan plan --robust``) decides
those commitments against the demand's uncertainty.

Demand comes from the brand's sales history: twelve quarters (table ``sales_history``)
whose forecast (``emsplan forecast``, bundled in ``india_2023_forecast.csv``) is the demand
of every market with a history, with its 80% intervals in table ``demand_forecast``; the
candidate channels, which have no history, have the planner's estimate.

Which figures are facts
-----------------------
Public facts (see ``docs/domain.md`` and its sources): the basic customs duty rates on phone
parts under the Phased Manufacturing Programme and their later changes - covers and other
mechanical parts 15% -> 10% from the Jan 2024 notification (period 2024-Q1, which contains
30 Jan 2024), mobile phones, mobile PCBA and chargers 20% -> 15% from the July 2024 budget
(period 2024-Q3), camera-module lens 0% (since Budget 2023, before the horizon), battery
pack, die-cut parts, microphone/receiver and USB cable 15%, camera module, connectors,
display assembly, cover glass and vibrator motor 10% - and the PLI price threshold of
Rs 15,000 per phone, which the premium phone's net price passes and the others do not.

Everything else is **illustrative**: prices, capacities, costs, lead times, local-content
shares, demand, targets, the duty rates on TV and audio parts and on UAE imports (marked
"illustrative" below), and the names of suppliers and partners. The data are written out as
small tables; the computations are the sales history (a base quantity per market and
product times a seasonal index times a growth rate, :data:`SEASON`, :data:`GROWTH`, times a
seeded noise) and the same formula for the candidate channels' demand.

The example is designed to show some tensions a planner meets (checked by
``tests/test_examples.py`` on the least-cost plan):

- the festive quarter (Oct-Dec) needs more than the phone, TV and audio lines can make, so
  stock is built in the quarters before;
- local mechanics win at 15% duty and lose to imports when it falls to 10% in 2024-Q1;
  after the July 2024 cut, local chargers and premium-phone PCBAs would lose too;
- the local-content pledge, 50% more than FY2023-24's 10% by 2025-Q1, binds there (without
  it the share falls to 6-7% after the duty cuts), and the FY2023-24 floor of 10% holds
  through that year;
- one audio partner wins the audio products for the whole horizon, the east distribution
  centre opens as soon as it may, and only the new retail partners whose margin pays
  their fixed cost are signed (see the README's plan summary for the figures).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emsplan.data.network import Network

NAME = "india-2023"

DESCRIPTION = (
    "A phone, TV and audio brand building through EMS partners in India (Uttar Pradesh, "
    "Tamil Nadu, Andhra Pradesh, and a candidate audio partner in Telangana), selling in four "
    "Indian regions, online, the UAE and the UK, with a candidate distribution centre in the "
    "east and candidate new retail partners, "
    "over 8 quarters from 2023-Q2 to 2025-Q1. Public facts: the basic customs duty rates on "
    "phone parts under the Phased Manufacturing Programme and their changes (mechanics "
    "15% -> 10% from 2024-Q1; phones, PCBA and chargers 20% -> 15% from 2024-Q3; "
    "camera-module lens 0%) and the PLI price threshold of Rs 15,000. Everything else - "
    "prices, capacities, demand, costs, lead times, local-content shares, targets, and duty "
    "rates on TV and audio parts and on exports - is illustrative."
)

Row = tuple[Any, ...]


def _frame(columns: str, rows: list[Row]) -> pd.DataFrame:
    """A DataFrame from rows given as tuples, columns as a space-separated string."""
    return pd.DataFrame(rows, columns=columns.split())


SETTINGS: list[Row] = [("currency", "INR"), ("domestic_country", "IN"), ("objective", "profit")]

# Calendar quarters; 2023-Q2 .. 2024-Q1 is the Indian fiscal year 2023-24.
PERIODS: list[Row] = [
    ("2023-Q2", 91),
    ("2023-Q3", 92),
    ("2023-Q4", 92),  # festive quarter (Diwali)
    ("2024-Q1", 91),  # 2024 is a leap year; mechanics duty cut of 30 Jan 2024
    ("2024-Q2", 91),
    ("2024-Q3", 92),  # Budget July 2024: phones, PCBA, chargers 20% -> 15%
    ("2024-Q4", 92),  # festive quarter
    ("2025-Q1", 90),
]


# Items: holding cost about 2.5% of the item's value per quarter (illustrative).
# fmt: off
ITEMS: list[Row] = [
    # item          kind           hs_code    group         holding  description
    ("PH-BUD",     "product",     "8517.13", "smartphone",  200.0, "Budget 4G phone, 4/64 GB"),
    ("PH-MID",     "product",     "8517.13", "smartphone",  300.0, "Mid-range 5G phone, 8/128 GB"),
    ("PH-PRO",     "product",     "8517.13", "smartphone",  450.0, "Premium 5G phone, AMOLED"),
    ("TV-43",      "product",     "8528.72", "tv",          450.0, "43in 4K smart TV"),
    ("EB-TWS",     "product",     "8518.30", "audio",        30.0, "True-wireless earbuds"),
    ("SP-BT",      "product",     "8518.22", "audio",        50.0, "Bluetooth speaker"),
    # sub-assemblies, made at partner plants
    ("PCBA-4G",    "subassembly", "8517.79", "phone-part",   65.0, "Main-board PCBA of PH-BUD"),
    ("PCBA-5G",    "subassembly", "8517.79", "phone-part",  115.0, "Main-board PCBA of PH-MID"),
    ("CAM-PRO",    "subassembly", "8525.89", "phone-part",   45.0, "200 MP camera of PH-PRO"),
    ("TV-MAINBD",  "subassembly", "8529.90", "tv-part",      40.0, "TV main board"),
    ("BT-MOD",     "subassembly", "8518.90", "audio-part",    4.0, "Bluetooth audio module"),
    # phone components
    ("SOC-4G",     "component",   "8542.31", "phone-part",   31.0, "4G application processor"),
    ("SOC-5G",     "component",   "8542.31", "phone-part",   62.0, "5G application processor"),
    ("MEM-4-64",   "component",   "8542.32", "phone-part",   21.0, "Memory 4 GB + 64 GB"),
    ("MEM-8-128",  "component",   "8542.32", "phone-part",   42.0, "Memory 8 GB + 128 GB"),
    ("PCB-4G",     "component",   "8534.00", "phone-part",    4.0, "Bare HDI board of PCBA-4G"),
    ("PCB-5G",     "component",   "8534.00", "phone-part",    6.0, "Bare HDI board of PCBA-5G"),
    ("PASSIVES",   "component",   "8532.24", "electronic",    5.0, "Passives kit for one board"),
    ("PCBA-PRO",   "component",   "8517.79", "phone-part",  160.0, "Main-board PCBA of PH-PRO"),
    ("CAM-13",     "component",   "8525.89", "phone-part",    9.0, "13 MP camera module"),
    ("CAM-50",     "component",   "8525.89", "phone-part",   16.0, "50 MP camera module"),
    ("LENS-PRO",   "component",   "9002.11", "phone-part",   10.0, "Camera-module lens of CAM-PRO"),
    ("SENSOR-PRO", "component",   "8541.49", "phone-part",   34.0, "200 MP sensor of CAM-PRO"),
    ("DISP-LCD",   "component",   "8524.91", "phone-part",   27.0, "6.6in LCD display assembly"),
    ("DISP-OLED",  "component",   "8524.92", "phone-part",   78.0, "6.7in AMOLED display assembly"),
    ("GLASS",      "component",   "7007.19", "phone-part",    4.0, "Cover glass / touch panel"),
    ("MECH-STD",   "component",   "8517.79", "phone-part",    7.0, "Plastic covers and frame"),
    ("MECH-PRO",   "component",   "8517.79", "phone-part",   21.0, "Metal frame and glass back"),
    ("DIECUT",     "component",   "3919.90", "phone-part",    1.0, "Die-cut parts kit"),
    ("MIC",        "component",   "8518.10", "acoustic",      0.6, "MEMS microphone"),
    ("RCV",        "component",   "8518.29", "acoustic",      0.8, "Receiver (earpiece)"),
    ("VIB",        "component",   "8501.10", "phone-part",    0.6, "Vibrator motor"),
    ("CONN",       "component",   "8536.90", "phone-part",    1.5, "Connector set"),
    ("USB-C",      "component",   "8544.42", "accessory",     1.5, "USB-C cable"),
    ("CHG-18W",    "component",   "8504.40", "accessory",     6.0, "18 W charger/adapter"),
    ("BAT-PH",     "component",   "8507.60", "phone-part",   12.0, "5000 mAh battery pack"),
    ("PKG-PH",     "component",   "4819.10", "packaging",     1.4, "Phone retail box"),
    # TV components
    ("TV-CELL",    "component",   "8524.11", "tv-part",     210.0, "43in 4K open-cell panel"),
    ("TV-BLU",     "component",   "8529.90", "tv-part",      32.0, "Backlight unit"),
    ("TV-PSU",     "component",   "8529.90", "tv-part",      17.0, "Power-supply board"),
    ("TV-SOC",     "component",   "8542.31", "tv-part",      28.0, "Smart-TV SoC with memory"),
    ("TV-PCB",     "component",   "8534.00", "tv-part",       4.0, "Bare board of TV-MAINBD"),
    ("TV-CHASSIS", "component",   "3926.90", "tv-part",      23.0, "Back cover, bezel and stand"),
    ("TV-REMOTE",  "component",   "8543.70", "tv-part",       6.0, "Bluetooth voice remote"),
    ("PKG-TV",     "component",   "4819.10", "packaging",     7.0, "TV carton with foam"),
    # audio components
    ("BT-SOC",     "component",   "8542.31", "audio-part",    3.0, "Bluetooth audio SoC"),
    ("BT-PCB",     "component",   "8534.00", "audio-part",    0.4, "Bare board of BT-MOD"),
    ("EB-BAT",     "component",   "8507.60", "audio-part",    3.4, "Earbud cells (2 buds + case)"),
    ("DRV-10",     "component",   "8518.29", "audio-part",    0.5, "10 mm dynamic driver"),
    ("DRV-SPK",    "component",   "8518.29", "audio-part",    3.2, "52 mm full-range driver"),
    ("EB-CASE",    "component",   "3926.90", "audio-part",    2.2, "Earbud shells and case"),
    ("SP-ENCL",    "component",   "3926.90", "audio-part",    5.0, "Speaker enclosure and grille"),
    ("SP-BAT",     "component",   "8507.60", "audio-part",    5.0, "Speaker battery pack"),
    ("PKG-AU",     "component",   "4819.10", "packaging",     0.8, "Audio retail box"),
]
# fmt: on

# Bills of materials: units of child per unit of parent, at every plant.
# fmt: off
BOM: dict[str, dict[str, float]] = {
    # the three phones share most parts; the premium one has its own board, display,
    # mechanics and main camera
    "PH-BUD": {"PCBA-4G": 1, "DISP-LCD": 1, "GLASS": 1, "MECH-STD": 1, "DIECUT": 1,
               "BAT-PH": 1, "CHG-18W": 1, "USB-C": 1, "CAM-13": 1, "MIC": 2, "RCV": 1,
               "VIB": 1, "CONN": 1, "PKG-PH": 1},
    "PH-MID": {"PCBA-5G": 1, "DISP-LCD": 1, "GLASS": 1, "MECH-STD": 1, "DIECUT": 1,
               "BAT-PH": 1, "CHG-18W": 1, "USB-C": 1, "CAM-50": 1, "CAM-13": 1, "MIC": 2,
               "RCV": 1, "VIB": 1, "CONN": 1, "PKG-PH": 1},
    "PH-PRO": {"PCBA-PRO": 1, "DISP-OLED": 1, "GLASS": 1, "MECH-PRO": 1, "DIECUT": 1,
               "BAT-PH": 1, "CHG-18W": 1, "USB-C": 1, "CAM-PRO": 1, "CAM-13": 1, "MIC": 3,
               "RCV": 1, "VIB": 1, "CONN": 1, "PKG-PH": 1},
    "PCBA-4G": {"SOC-4G": 1, "MEM-4-64": 1, "PCB-4G": 1, "PASSIVES": 1},
    "PCBA-5G": {"SOC-5G": 1, "MEM-8-128": 1, "PCB-5G": 1, "PASSIVES": 1},
    "CAM-PRO": {"SENSOR-PRO": 1, "LENS-PRO": 1},
    "TV-43": {"TV-CELL": 1, "TV-BLU": 1, "TV-MAINBD": 1, "TV-PSU": 1, "TV-CHASSIS": 1,
              "TV-REMOTE": 1, "PKG-TV": 1},
    "TV-MAINBD": {"TV-SOC": 1, "TV-PCB": 1, "PASSIVES": 1},
    # one Bluetooth module per earbud; a module takes a fifth of a passives kit
    "EB-TWS": {"BT-MOD": 2, "DRV-10": 2, "MIC": 4, "EB-BAT": 1, "EB-CASE": 1, "USB-C": 1,
               "PKG-AU": 1},
    "SP-BT": {"BT-MOD": 1, "DRV-SPK": 2, "MIC": 1, "SP-BAT": 1, "SP-ENCL": 1, "USB-C": 1,
              "PKG-AU": 1},
    "BT-MOD": {"BT-SOC": 1, "BT-PCB": 1, "PASSIVES": 0.2},
}
# fmt: on

# Plant-specific BOMs replace all general rows of the parent at that plant: EMS-B builds
# the mid-range phone with its own gasket design, two die-cut kits per phone.
PLANT_BOM: dict[tuple[str, str], dict[str, float]] = {
    ("EMS-B-SPR", "PH-MID"): {**BOM["PH-MID"], "DIECUT": 2},
}

# Sites; lat/lon approximate. Markets are regions or channels, so most have no exact place.
# fmt: off
SITES: list[Row] = [
    # site          kind         country region            partner              lat     lon
    # local suppliers
    ("IN-NOI-ACC",  "supplier",  "IN", "Uttar Pradesh",  "Noida accessories",   28.54,  77.39),
    ("IN-NOI-MECH", "supplier",  "IN", "Uttar Pradesh",  "Noida moulding",      28.47,  77.50),
    ("IN-NOI-SMT",  "supplier",  "IN", "Uttar Pradesh",  "Noida SMT services",  28.50,  77.41),
    ("IN-CHE-DISP", "supplier",  "IN", "Tamil Nadu",     "Chennai displays",    12.83,  79.95),
    ("IN-CHE-COMP", "supplier",  "IN", "Tamil Nadu",     "Chennai components",  12.98,  80.16),
    ("IN-BLR-PCB",  "supplier",  "IN", "Karnataka",      "Bengaluru PCB",       12.84,  77.66),
    ("IN-PUN-PKG",  "supplier",  "IN", "Maharashtra",    "Pune packaging",      18.52,  73.86),
    ("IN-TPT-TV",   "supplier",  "IN", "Andhra Pradesh", "Sri City TV parts",   13.55,  79.99),
    # foreign suppliers
    ("CN-SZ",       "supplier",  "CN", "Guangdong",      "Shenzhen sourcing",   22.54, 114.06),
    ("VN-HN",       "supplier",  "VN", "Bac Ninh",       "Bac Ninh EMS",        21.19, 106.08),
    ("KR-SEL",      "supplier",  "KR", "Gyeonggi",       "Korean chips",        37.26, 127.03),
    ("TW-HSC",      "supplier",  "TW", "Hsinchu",        "Taiwan chips",        24.80, 120.97),
    ("SG-DIST",     "supplier",  "SG", "Singapore",      "Parts distributor",    1.33, 103.74),
    # EMS partner plants
    ("EMS-A-NOIDA", "plant",     "IN", "Uttar Pradesh",  "EMS-A",               28.57,  77.32),
    ("EMS-B-SPR",   "plant",     "IN", "Tamil Nadu",     "EMS-B",               12.97,  79.95),
    ("EMS-C-NOIDA", "plant",     "IN", "Uttar Pradesh",  "EMS-C",               28.48,  77.54),
    ("EMS-D-TPT",   "plant",     "IN", "Andhra Pradesh", "EMS-D",               13.65,  79.51),
    ("EMS-E-HYD",   "plant",     "IN", "Telangana",      "EMS-E",               17.24,  78.43),
    # regional distribution centres run by a logistics provider
    ("DC-NORTH",    "warehouse", "IN", "Haryana",        "3PL",                 28.45,  76.82),
    ("DC-SOUTH",    "warehouse", "IN", "Karnataka",      "3PL",                 13.07,  77.80),
    ("DC-EAST",     "warehouse", "IN", "West Bengal",    "3PL",                 22.65,  88.45),
    # domestic markets: regions served by retail partners, and the online channel
    ("MKT-NORTH",   "market",    "IN", "North",          "Retail partners",     28.61,  77.21),
    ("MKT-SOUTH",   "market",    "IN", "South",          "Retail partners",     17.39,  78.49),
    ("MKT-WEST",    "market",    "IN", "West",           "Retail partners",     19.08,  72.88),
    ("MKT-EAST",    "market",    "IN", "East",           "Retail partners",     22.57,  88.36),
    ("MKT-ONLINE",  "market",    "IN", "All India",      "Online marketplaces", None,   None),
    # new retail partners the brand may sign (candidate channels, see OPTIONS)
    ("MKT-EAST-NEW", "market",   "IN", "East",           "New retail partners", 23.34,  85.31),
    ("MKT-WEST-NEW", "market",   "IN", "West",           "New retail partners", 18.52,  73.86),
    # export markets
    ("EXP-AE",      "market",    "AE", "Dubai",          "UAE distributor",     25.20,  55.27),
    ("EXP-GB",      "market",    "GB", "London",         "UK distributor",      51.51,  -0.13),
]
# fmt: on

#: Most units (all items) a distribution centre may hold at the end of a quarter.
STORAGE_CAPACITY: dict[str, float] = {
    "DC-NORTH": 250_000,
    "DC-SOUTH": 250_000,
    "DC-EAST": 100_000,
}

#: Imported chips, displays and batteries are ordered a quarter ahead (lead time 1 on the
#: makers' offers): a plan commits to them before the quarter's demand is known, which is
#: what a robust plan decides (docs/robust.md). Local offers follow demand (no lead time),
#: and so does the distributor SG-DIST, which sells the same parts from stock at about 15%
#: more (spot buys, also what the first quarter needs: nothing is on order before it).
COMMITTED_AHEAD = (
    "SOC-4G", "SOC-5G", "MEM-4-64", "MEM-8-128", "BT-SOC", "TV-SOC",
    "DISP-LCD", "DISP-OLED", "TV-CELL", "BAT-PH", "EB-BAT", "SP-BAT",
)  # fmt: skip

# Supply offers. Imports have no local content; a local supplier's share is below 1 when
# it imports parts itself (e.g. battery packs assembled from imported cells: 0.4).
# capacity: units per quarter (None = unlimited); lead_time: quarters from order to ready.
# fmt: off
SUPPLY: list[Row] = [
    # supplier      item          price  capacity lead local_content
    # phone main boards: chips only imported, boards local or imported
    ("TW-HSC",      "SOC-4G",     1250,  None,    1, 0.0),
    ("TW-HSC",      "SOC-5G",     2500,  None,    1, 0.0),
    ("KR-SEL",      "MEM-4-64",    850,  None,    1, 0.0),
    ("KR-SEL",      "MEM-8-128",  1700,  None,    1, 0.0),
    ("CN-SZ",       "PCB-4G",      150,  None,    0, 0.0),
    ("IN-BLR-PCB",  "PCB-4G",      175,  150_000, 0, 0.5),
    ("CN-SZ",       "PCB-5G",      220,  None,    0, 0.0),
    ("IN-BLR-PCB",  "PCB-5G",      255,  100_000, 0, 0.5),
    ("CN-SZ",       "PASSIVES",    220,  None,    0, 0.0),
    ("VN-HN",       "PCBA-PRO",   6000,  None,    0, 0.0),
    ("IN-NOI-SMT",  "PCBA-PRO",   6950,  15_000,  0, 0.3),
    # cameras and displays
    ("CN-SZ",       "CAM-13",      330,  None,    0, 0.0),
    ("IN-CHE-DISP", "CAM-13",      360,  200_000, 0, 0.25),
    ("CN-SZ",       "CAM-50",      640,  None,    0, 0.0),
    ("VN-HN",       "CAM-50",      620,  None,    0, 0.0),
    ("IN-CHE-DISP", "CAM-50",      700,  60_000,  0, 0.25),
    ("CN-SZ",       "LENS-PRO",    380,  None,    0, 0.0),
    ("KR-SEL",      "SENSOR-PRO", 1350,  None,    0, 0.0),
    ("CN-SZ",       "DISP-LCD",   1050,  None,    1, 0.0),
    ("IN-CHE-DISP", "DISP-LCD",   1160,  150_000, 0, 0.2),
    ("KR-SEL",      "DISP-OLED",  3100,  None,    1, 0.0),
    ("CN-SZ",       "DISP-OLED",  3250,  None,    1, 0.0),
    ("IN-CHE-DISP", "DISP-OLED",  3500,  10_000,  0, 0.15),
    ("CN-SZ",       "GLASS",       140,  None,    0, 0.0),
    ("IN-CHE-DISP", "GLASS",       165,  None,    0, 0.35),
    # mechanics and small parts
    ("CN-SZ",       "MECH-STD",    265,  None,    0, 0.0),
    ("IN-NOI-MECH", "MECH-STD",    300,  200_000, 0, 0.8),
    ("VN-HN",       "MECH-PRO",    800,  None,    0, 0.0),
    ("CN-SZ",       "MECH-PRO",    820,  None,    0, 0.0),
    ("IN-NOI-MECH", "MECH-PRO",    880,  30_000,  0, 0.7),
    ("CN-SZ",       "DIECUT",       35,  None,    0, 0.0),
    ("IN-NOI-MECH", "DIECUT",       40,  None,    0, 0.9),
    ("CN-SZ",       "MIC",          22,  None,    0, 0.0),
    ("IN-CHE-COMP", "MIC",          25,  None,    0, 0.35),
    ("CN-SZ",       "RCV",          28,  None,    0, 0.0),
    ("IN-CHE-COMP", "RCV",          32,  None,    0, 0.35),
    ("CN-SZ",       "VIB",          22,  None,    0, 0.0),
    ("IN-CHE-COMP", "VIB",          26,  None,    0, 0.3),
    ("CN-SZ",       "CONN",         55,  None,    0, 0.0),
    ("IN-CHE-COMP", "CONN",         62,  None,    0, 0.35),
    # accessories, battery, packaging
    ("CN-SZ",       "USB-C",        55,  None,    0, 0.0),
    ("IN-NOI-ACC",  "USB-C",        60,  None,    0, 0.6),
    ("CN-SZ",       "CHG-18W",     215,  None,    0, 0.0),
    ("IN-NOI-ACC",  "CHG-18W",     255,  150_000, 0, 0.6),
    ("CN-SZ",       "BAT-PH",      420,  None,    1, 0.0),
    ("IN-NOI-ACC",  "BAT-PH",      470,  150_000, 0, 0.4),
    ("CN-SZ",       "PKG-PH",       48,  None,    0, 0.0),
    ("IN-PUN-PKG",  "PKG-PH",       50,  None,    0, 0.95),
    # TV parts: open cells only imported
    ("CN-SZ",       "TV-CELL",    8200,  None,    1, 0.0),
    ("TW-HSC",      "TV-CELL",    8400,  None,    1, 0.0),
    ("CN-SZ",       "TV-BLU",     1200,  None,    0, 0.0),
    ("IN-TPT-TV",   "TV-BLU",     1350,  15_000,  0, 0.5),
    ("CN-SZ",       "TV-PSU",      650,  None,    0, 0.0),
    ("IN-TPT-TV",   "TV-PSU",      720,  None,    0, 0.5),
    ("TW-HSC",      "TV-SOC",     1100,  None,    1, 0.0),
    ("CN-SZ",       "TV-PCB",      160,  None,    0, 0.0),
    ("IN-BLR-PCB",  "TV-PCB",      185,  None,    0, 0.5),
    ("CN-SZ",       "TV-CHASSIS",  900,  None,    0, 0.0),
    ("IN-TPT-TV",   "TV-CHASSIS",  950,  None,    0, 0.8),
    ("CN-SZ",       "TV-REMOTE",   240,  None,    0, 0.0),
    ("IN-TPT-TV",   "TV-REMOTE",   275,  None,    0, 0.45),
    ("IN-PUN-PKG",  "PKG-TV",      300,  None,    0, 1.0),
    # audio parts
    ("CN-SZ",       "BT-SOC",      110,  None,    1, 0.0),
    ("TW-HSC",      "BT-SOC",      120,  None,    1, 0.0),
    ("CN-SZ",       "BT-PCB",       12,  None,    0, 0.0),
    ("IN-BLR-PCB",  "BT-PCB",       15,  None,    0, 0.5),
    ("CN-SZ",       "EB-BAT",      120,  None,    1, 0.0),
    ("IN-NOI-ACC",  "EB-BAT",      140,  80_000,  0, 0.3),
    ("CN-SZ",       "DRV-10",       18,  None,    0, 0.0),
    ("IN-CHE-COMP", "DRV-10",       21,  None,    0, 0.4),
    ("CN-SZ",       "DRV-SPK",     120,  None,    0, 0.0),
    ("IN-CHE-COMP", "DRV-SPK",     135,  None,    0, 0.45),
    ("CN-SZ",       "EB-CASE",      85,  None,    0, 0.0),
    ("IN-NOI-MECH", "EB-CASE",      90,  None,    0, 0.85),
    ("CN-SZ",       "SP-ENCL",     190,  None,    0, 0.0),
    ("IN-NOI-MECH", "SP-ENCL",     200,  None,    0, 0.85),
    ("CN-SZ",       "SP-BAT",      180,  None,    1, 0.0),
    ("IN-NOI-ACC",  "SP-BAT",      205,  None,    0, 0.4),
    ("CN-SZ",       "PKG-AU",       26,  None,    0, 0.0),
    ("IN-PUN-PKG",  "PKG-AU",       28,  None,    0, 0.95),
    # a distributor's stock in Singapore: the same imported chips, displays and batteries
    # with no lead time, at a premium of about 15% (spot buys; see COMMITTED_AHEAD)
    ("SG-DIST",     "SOC-4G",       1438,  None,    0, 0.0),
    ("SG-DIST",     "SOC-5G",       2875,  None,    0, 0.0),
    ("SG-DIST",     "MEM-4-64",      977,  None,    0, 0.0),
    ("SG-DIST",     "MEM-8-128",    1955,  None,    0, 0.0),
    ("SG-DIST",     "BT-SOC",        126,  None,    0, 0.0),
    ("SG-DIST",     "TV-SOC",       1265,  None,    0, 0.0),
    ("SG-DIST",     "DISP-LCD",     1208,  None,    0, 0.0),
    ("SG-DIST",     "DISP-OLED",    3565,  None,    0, 0.0),
    ("SG-DIST",     "TV-CELL",      9430,  None,    0, 0.0),
    ("SG-DIST",     "BAT-PH",        483,  None,    0, 0.0),
    ("SG-DIST",     "EB-BAT",        138,  None,    0, 0.0),
    ("SG-DIST",     "SP-BAT",        207,  None,    0, 0.0),
]
# fmt: on

# What each plant makes: conversion cost per unit (INR), the line it loads, line units/unit.
# fmt: off
PRODUCTION: list[Row] = [
    # plant         item         cost  resource    usage
    ("EMS-A-NOIDA", "PH-BUD",     180, "PH-LINE",  1.0),
    ("EMS-A-NOIDA", "PH-MID",     210, "PH-LINE",  1.0),
    ("EMS-A-NOIDA", "PH-PRO",     280, "PH-LINE",  1.25),
    ("EMS-A-NOIDA", "PCBA-4G",    120, "SMT",      1.0),
    ("EMS-A-NOIDA", "PCBA-5G",    150, "SMT",      1.2),
    ("EMS-A-NOIDA", "CAM-PRO",     90, "CAM-LINE", 1.0),
    ("EMS-B-SPR",   "PH-MID",     195, "PH-LINE",  1.0),
    ("EMS-B-SPR",   "PH-PRO",     260, "PH-LINE",  1.25),
    ("EMS-B-SPR",   "PCBA-5G",    140, "SMT",      1.2),
    ("EMS-C-NOIDA", "EB-TWS",      55, "AUDIO",    1.0),
    ("EMS-C-NOIDA", "SP-BT",       80, "AUDIO",    1.5),
    ("EMS-C-NOIDA", "BT-MOD",       8, "SMT",      1.0),
    ("EMS-E-HYD",   "EB-TWS",      47, "AUDIO",    1.0),
    ("EMS-E-HYD",   "SP-BT",       70, "AUDIO",    1.5),
    ("EMS-E-HYD",   "BT-MOD",       7, "SMT",      1.0),
    ("EMS-D-TPT",   "TV-43",      550, "TV-LINE",  1.0),
    ("EMS-D-TPT",   "TV-MAINBD",   70, "SMT",      1.0),
]

# Line capacity in line units per quarter; a row with a period overrides the general row.
RESOURCES: list[Row] = [
    # plant         resource    period     capacity
    ("EMS-A-NOIDA", "PH-LINE",  None,      205_000),
    ("EMS-A-NOIDA", "SMT",      None,      260_000),
    ("EMS-A-NOIDA", "CAM-LINE", None,       50_000),
    ("EMS-B-SPR",   "PH-LINE",  None,      100_000),
    ("EMS-B-SPR",   "PH-LINE",  "2024-Q3", 140_000),  # second line from 2024-Q3
    ("EMS-B-SPR",   "PH-LINE",  "2024-Q4", 140_000),
    ("EMS-B-SPR",   "PH-LINE",  "2025-Q1", 140_000),
    ("EMS-B-SPR",   "SMT",      None,      130_000),
    ("EMS-C-NOIDA", "AUDIO",    None,      135_000),
    ("EMS-C-NOIDA", "AUDIO",    "2024-Q4", 155_000),  # second shift in the festive quarter
    ("EMS-C-NOIDA", "SMT",      None,      320_000),
    ("EMS-E-HYD",   "AUDIO",    None,      150_000),
    ("EMS-E-HYD",   "SMT",      None,      320_000),
    ("EMS-D-TPT",   "TV-LINE",  None,       17_000),
    ("EMS-D-TPT",   "SMT",      None,       25_000),
]

# Lanes: freight and handling per unit (INR), lead time in quarters. A blank item carries
# any item; a row with an item overrides the blank row of the same origin, destination
# and mode for that item (open-cell panels and TVs are bulky).
LANES: list[Row] = [
    # origin        destination    item      mode    cost lead capacity
    # local suppliers to plants
    ("IN-NOI-ACC",  "EMS-A-NOIDA", None,      "road",   3, 0, None),
    ("IN-NOI-ACC",  "EMS-B-SPR",   None,      "road",   8, 0, None),
    ("IN-NOI-ACC",  "EMS-C-NOIDA", None,      "road",   3, 0, None),
    ("IN-NOI-MECH", "EMS-A-NOIDA", None,      "road",   3, 0, None),
    ("IN-NOI-MECH", "EMS-B-SPR",   None,      "road",   8, 0, None),
    ("IN-NOI-MECH", "EMS-C-NOIDA", None,      "road",   3, 0, None),
    ("IN-NOI-SMT",  "EMS-A-NOIDA", None,      "road",   5, 0, None),
    ("IN-NOI-SMT",  "EMS-B-SPR",   None,      "road",  12, 0, None),
    ("IN-CHE-DISP", "EMS-A-NOIDA", None,      "road",  10, 0, None),
    ("IN-CHE-DISP", "EMS-B-SPR",   None,      "road",   3, 0, None),
    ("IN-CHE-COMP", "EMS-A-NOIDA", None,      "road",   5, 0, None),
    ("IN-CHE-COMP", "EMS-B-SPR",   None,      "road",   2, 0, None),
    ("IN-CHE-COMP", "EMS-C-NOIDA", None,      "road",   5, 0, None),
    ("IN-BLR-PCB",  "EMS-A-NOIDA", None,      "road",   6, 0, None),
    ("IN-BLR-PCB",  "EMS-B-SPR",   None,      "road",   3, 0, None),
    ("IN-BLR-PCB",  "EMS-C-NOIDA", None,      "road",   6, 0, None),
    ("IN-BLR-PCB",  "EMS-D-TPT",   None,      "road",   4, 0, None),
    ("IN-PUN-PKG",  "EMS-A-NOIDA", None,      "road",   5, 0, None),
    ("IN-PUN-PKG",  "EMS-B-SPR",   None,      "road",   5, 0, None),
    ("IN-PUN-PKG",  "EMS-C-NOIDA", None,      "road",   5, 0, None),
    ("IN-PUN-PKG",  "EMS-D-TPT",   None,      "road",  40, 0, None),
    ("IN-TPT-TV",   "EMS-D-TPT",   None,      "road",  10, 0, None),
    ("IN-NOI-ACC",  "EMS-E-HYD",   None,      "road",   7, 0, None),
    ("IN-NOI-MECH", "EMS-E-HYD",   None,      "road",   7, 0, None),
    ("IN-CHE-COMP", "EMS-E-HYD",   None,      "road",   3, 0, None),
    ("IN-BLR-PCB",  "EMS-E-HYD",   None,      "road",   3, 0, None),
    ("IN-PUN-PKG",  "EMS-E-HYD",   None,      "road",   4, 0, None),
    # imports to plants
    ("CN-SZ",       "EMS-A-NOIDA", None,      "sea",    6, 0, None),
    ("CN-SZ",       "EMS-B-SPR",   None,      "sea",    5, 0, None),
    ("CN-SZ",       "EMS-C-NOIDA", None,      "sea",    6, 0, None),
    ("CN-SZ",       "EMS-D-TPT",   None,      "sea",   30, 0, None),
    ("CN-SZ",       "EMS-D-TPT",   "TV-CELL", "sea",  150, 0, None),
    ("VN-HN",       "EMS-A-NOIDA", None,      "air",   25, 0, None),
    ("VN-HN",       "EMS-B-SPR",   None,      "sea",   12, 0, None),
    ("KR-SEL",      "EMS-A-NOIDA", None,      "air",   15, 0, None),
    ("KR-SEL",      "EMS-B-SPR",   None,      "air",   15, 0, None),
    ("TW-HSC",      "EMS-A-NOIDA", None,      "air",   12, 0, None),
    ("TW-HSC",      "EMS-B-SPR",   None,      "air",   12, 0, None),
    ("TW-HSC",      "EMS-C-NOIDA", None,      "air",   12, 0, None),
    ("CN-SZ",       "EMS-E-HYD",   None,      "sea",    6, 0, None),
    ("TW-HSC",      "EMS-E-HYD",   None,      "air",   12, 0, None),
    ("TW-HSC",      "EMS-D-TPT",   None,      "sea",   12, 0, None),
    ("TW-HSC",      "EMS-D-TPT",   "TV-CELL", "sea",  170, 0, None),
    # the distributor's spot buys, by air
    ("SG-DIST",     "EMS-A-NOIDA", None,      "air",   15, 0, None),
    ("SG-DIST",     "EMS-B-SPR",   None,      "air",   12, 0, None),
    ("SG-DIST",     "EMS-C-NOIDA", None,      "air",   15, 0, None),
    ("SG-DIST",     "EMS-D-TPT",   None,      "air",   12, 0, None),
    ("SG-DIST",     "EMS-D-TPT",   "TV-CELL", "air",  400, 0, None),
    ("SG-DIST",     "EMS-E-HYD",   None,      "air",   12, 0, None),
    # sub-assemblies between plants
    ("EMS-A-NOIDA", "EMS-B-SPR",   "CAM-PRO", "road",   8, 0, None),
    # plants to distribution centres
    ("EMS-A-NOIDA", "DC-NORTH",    None,      "road",  12, 0, None),
    ("EMS-A-NOIDA", "DC-SOUTH",    None,      "road",  35, 0, None),
    ("EMS-B-SPR",   "DC-NORTH",    None,      "road",  35, 0, None),
    ("EMS-B-SPR",   "DC-SOUTH",    None,      "road",  10, 0, None),
    ("EMS-C-NOIDA", "DC-NORTH",    None,      "road",   4, 0, None),
    ("EMS-C-NOIDA", "DC-SOUTH",    None,      "road",  12, 0, None),
    ("EMS-D-TPT",   "DC-NORTH",    None,      "road", 400, 0, None),
    ("EMS-D-TPT",   "DC-SOUTH",    None,      "road", 150, 0, None),
    ("EMS-E-HYD",   "DC-NORTH",    None,      "road",  12, 0, None),
    ("EMS-E-HYD",   "DC-SOUTH",    None,      "road",   5, 0, None),
    ("EMS-A-NOIDA", "DC-EAST",     None,      "road",  12, 0, None),
    ("EMS-B-SPR",   "DC-EAST",     None,      "road",  18, 0, None),
    ("EMS-C-NOIDA", "DC-EAST",     None,      "road",  11, 0, None),
    ("EMS-D-TPT",   "DC-EAST",     None,      "road", 220, 0, None),
    ("EMS-E-HYD",   "DC-EAST",     None,      "road",  10, 0, None),
    # distribution centres to domestic markets
    ("DC-NORTH",    "MKT-NORTH",   None,      "road",   8, 0, None),
    ("DC-NORTH",    "MKT-WEST",    None,      "road",  18, 0, None),
    ("DC-NORTH",    "MKT-EAST",    None,      "road",  22, 0, None),
    ("DC-NORTH",    "MKT-ONLINE",  None,      "road",  10, 0, None),
    ("DC-SOUTH",    "MKT-SOUTH",   None,      "road",   8, 0, None),
    ("DC-SOUTH",    "MKT-WEST",    None,      "road",  15, 0, None),
    ("DC-SOUTH",    "MKT-EAST",    None,      "road",  25, 0, None),
    ("DC-SOUTH",    "MKT-ONLINE",  None,      "road",  10, 0, None),
    ("DC-NORTH",    "MKT-NORTH",   "TV-43",   "road", 150, 0, None),
    ("DC-NORTH",    "MKT-WEST",    "TV-43",   "road", 250, 0, None),
    ("DC-NORTH",    "MKT-EAST",    "TV-43",   "road", 300, 0, None),
    ("DC-NORTH",    "MKT-ONLINE",  "TV-43",   "road", 200, 0, None),
    ("DC-SOUTH",    "MKT-SOUTH",   "TV-43",   "road", 150, 0, None),
    ("DC-SOUTH",    "MKT-WEST",    "TV-43",   "road", 220, 0, None),
    ("DC-SOUTH",    "MKT-EAST",    "TV-43",   "road", 320, 0, None),
    ("DC-SOUTH",    "MKT-ONLINE",  "TV-43",   "road", 200, 0, None),
    ("DC-EAST",     "MKT-EAST",    None,      "road",   5, 0, None),
    ("DC-EAST",     "MKT-EAST",    "TV-43",   "road",  90, 0, None),
    ("DC-EAST",     "MKT-EAST-NEW", None,     "road",   7, 0, None),
    ("DC-EAST",     "MKT-EAST-NEW", "TV-43",  "road", 110, 0, None),
    ("DC-NORTH",    "MKT-EAST-NEW", None,     "road",  24, 0, None),
    ("DC-NORTH",    "MKT-EAST-NEW", "TV-43",  "road", 320, 0, None),
    ("DC-SOUTH",    "MKT-EAST-NEW", None,     "road",  27, 0, None),
    ("DC-SOUTH",    "MKT-EAST-NEW", "TV-43",  "road", 340, 0, None),
    ("DC-NORTH",    "MKT-WEST-NEW", None,     "road",  20, 0, None),
    ("DC-NORTH",    "MKT-WEST-NEW", "TV-43",  "road", 260, 0, None),
    ("DC-SOUTH",    "MKT-WEST-NEW", None,     "road",  16, 0, None),
    ("DC-SOUTH",    "MKT-WEST-NEW", "TV-43",  "road", 230, 0, None),
    # plants direct to markets: TVs to southern retail, exports by sea or air
    ("EMS-D-TPT",   "MKT-SOUTH",   None,      "road", 200, 0, None),
    ("EMS-A-NOIDA", "EXP-AE",      None,      "air",   80, 0, None),
    ("EMS-B-SPR",   "EXP-AE",      None,      "sea",   30, 0, None),
    ("EMS-C-NOIDA", "EXP-AE",      None,      "sea",   10, 0, None),
    ("EMS-E-HYD",   "EXP-AE",      None,      "sea",   12, 0, None),
    ("EMS-A-NOIDA", "EXP-GB",      None,      "air",  160, 0, 5_000),
    ("EMS-B-SPR",   "EXP-GB",      None,      "sea",   45, 1, None),
]

# Import duties (basic customs duty, ad valorem on the offer's price or the item's value).
# Rows with an item win over hs_code rows; among hs_code rows the longest prefix wins.
# Blank destination = India; blank origin = any other country.
DUTIES: list[Row] = [
    # item        hs_code    origin dest  rate  period_from period_to
    # public: PMP rates on phone parts and their changes (docs/domain.md)
    (None,        "8517.13", None,  None, 0.20, None,      "2024-Q2"),  # mobile phones
    (None,        "8517.13", None,  None, 0.15, "2024-Q3", None),       # Budget July 2024
    (None,        "8504.40", None,  None, 0.20, None,      "2024-Q2"),  # chargers/adapters
    (None,        "8504.40", None,  None, 0.15, "2024-Q3", None),       # Budget July 2024
    ("PCBA-PRO",  None,      None,  None, 0.20, None,      "2024-Q2"),  # mobile PCBA
    ("PCBA-PRO",  None,      None,  None, 0.15, "2024-Q3", None),       # Budget July 2024
    ("MECH-STD",  None,      None,  None, 0.15, None,      "2023-Q4"),  # covers, mechanics
    ("MECH-STD",  None,      None,  None, 0.10, "2024-Q1", None),       # 30 Jan 2024
    ("MECH-PRO",  None,      None,  None, 0.15, None,      "2023-Q4"),
    ("MECH-PRO",  None,      None,  None, 0.10, "2024-Q1", None),       # 30 Jan 2024
    ("BAT-PH",    None,      None,  None, 0.15, None,      None),       # battery pack
    ("DIECUT",    None,      None,  None, 0.15, None,      None),       # die-cut parts
    ("MIC",       None,      None,  None, 0.15, None,      None),       # microphone
    ("RCV",       None,      None,  None, 0.15, None,      None),       # receiver
    ("USB-C",     None,      None,  None, 0.15, None,      None),       # USB cable
    ("CAM-13",    None,      None,  None, 0.10, None,      None),       # camera module
    ("CAM-50",    None,      None,  None, 0.10, None,      None),
    ("CONN",      None,      None,  None, 0.10, None,      None),       # connectors
    ("DISP-LCD",  None,      None,  None, 0.10, None,      None),       # display assembly
    ("DISP-OLED", None,      None,  None, 0.10, None,      None),
    ("GLASS",     None,      None,  None, 0.10, None,      None),       # cover glass
    ("VIB",       None,      None,  None, 0.10, None,      None),       # vibrator motor
    ("LENS-PRO",  None,      None,  None, 0.00, None,      None),       # lens, Budget 2023
    # illustrative: other parts
    (None,        "8541",    None,  None, 0.00, None,      None),       # sensors
    (None,        "8542",    None,  None, 0.00, None,      None),       # chips
    (None,        "8532",    None,  None, 0.00, None,      None),       # capacitors
    (None,        "8534",    None,  None, 0.10, None,      None),       # bare boards
    (None,        "8524.11", None,  None, 0.05, None,      None),       # open cells
    (None,        "8529.90", None,  None, 0.15, None,      None),       # TV parts
    (None,        "8543.70", None,  None, 0.20, None,      None),       # remotes
    (None,        "8507.60", None,  None, 0.20, None,      None),       # other batteries
    (None,        "8518.29", None,  None, 0.15, None,      None),       # drivers
    (None,        "3926.90", None,  None, 0.15, None,      None),       # plastic parts
    (None,        "4819",    None,  None, 0.10, None,      None),       # cartons
    # illustrative: UAE's general tariff on phones and audio from India; the CEPA
    # preference (TRADE_RULES) replaces it for products that meet the rule of origin
    (None,        "8518",    "IN",  "AE", 0.05, None,      None),
    (None,        "8517.13", "IN",  "AE", 0.05, None,      None),
]

# PLI for mobile phones: a share of incremental net sales over the base year, for phones
# of net price Rs 15,000 or more (public: the price threshold and the 6% falling to 4%
# schedule, here the later years' 5% and 4%). Base sales (FY2019-20, per quarter) and the
# quarterly threshold are illustrative: they are data, never constants in code.
INCENTIVES: list[Row] = [
    # scheme        item          period     rate  base_sales    threshold     min_price  cap
    ("PLI-mobile", "smartphone", None,      0.05, 400_000_000, 250_000_000, 15_000,    None),
    ("PLI-mobile", "smartphone", "2024-Q2", 0.04, 400_000_000, 250_000_000, 15_000,    None),
    ("PLI-mobile", "smartphone", "2024-Q3", 0.04, 400_000_000, 250_000_000, 15_000,    None),
    ("PLI-mobile", "smartphone", "2024-Q4", 0.04, 400_000_000, 250_000_000, 15_000,    None),
    ("PLI-mobile", "smartphone", "2025-Q1", 0.04, 400_000_000, 250_000_000, 15_000,    None),
]

# India-UAE CEPA (in force since 1 May 2022): a product qualifies for the UAE's
# preferential (zero) tariff with value addition of at least 40% of FOB (public: the 40%
# and the agreement; the change-of-heading test is not modelled).
TRADE_RULES: list[Row] = [
    # agreement         origin dest  item  hs_code  min_value_content  preferential_rate
    ("India-UAE CEPA", "IN",   "AE", None, "8517",  0.40,              0.0),
    ("India-UAE CEPA", "IN",   "AE", None, "8518",  0.40,              0.0),
]

# Discrete decisions (illustrative): a third phone line at EMS-A from 2024-Q1 at Rs 5
# million a quarter; EMS-A's contract promises at least 8,000 premium phones a quarter
# whenever it makes them (EMS-B makes them for Rs 20 less). Network design: the audio
# products (item group "audio") are made under a production contract with EMS-C (Greater
# Noida, Uttar Pradesh, next to the local audio suppliers) or EMS-E (Hyderabad, lower
# conversion cost, a smaller fixed fee), or both; a distribution centre in the east
# (DC-EAST, Kolkata) may open from 2023-Q4; new retail partners in the east and the west
# (candidate channels, their demand below) may be signed from 2024-Q1.
OPTION_COLUMNS = (
    "option kind plant resource item site fixed_cost capacity min_qty period_from "
    "existing opening_cost storage_capacity"
)
OPTIONS: list[Row] = [
    # option          kind       plant          resource   item      site
    #                 fixed_cost  capacity  min_qty  from       existing opening  storage
    ("EMS-A-line-3",  "line",    "EMS-A-NOIDA", "PH-LINE", None,     None,
                      5_000_000,  50_000,   None,    "2024-Q1", None,    None,    None),
    ("EMS-A-PRO-min", "min_qty", "EMS-A-NOIDA", None,      "PH-PRO", None,
                      0,          None,     8_000,   None,      None,    None,    None),
    ("audio-EMS-C",   "contract", "EMS-C-NOIDA", None,     "audio",  None,
                      6_000_000,  None,     None,    None,      None,    None,    None),
    ("audio-EMS-E",   "contract", "EMS-E-HYD",  None,      "audio",  None,
                      4_000_000,  None,     None,    None,      None,    None,    None),
    ("DC-EAST-open",  "site",    None,          None,      None,     "DC-EAST",
                      300_000,    120_000,  None,    "2023-Q4", 0,       1_000_000, 100_000),
    ("stores-east",   "site",    None,          None,      None,     "MKT-EAST-NEW",
                      12_000_000, None,     None,    "2024-Q1", 0,       None,    None),
    ("stores-west",   "site",    None,          None,      None,     "MKT-WEST-NEW",
                      60_000_000, None,     None,    "2024-Q1", 0,       None,    None),
]
# fmt: on

# Demand in 2023-Q2, units per quarter, by market and product.
PRODUCTS: tuple[str, ...] = ("PH-BUD", "PH-MID", "PH-PRO", "TV-43", "EB-TWS", "SP-BT")
# fmt: off
BASE_DEMAND: dict[str, tuple[int, ...]] = {
    #               PH-BUD  PH-MID  PH-PRO  TV-43  EB-TWS  SP-BT
    "MKT-NORTH":   (34_000, 18_000, 5_000, 3_000, 15_000, 4_000),
    "MKT-SOUTH":   (28_000, 20_000, 6_000, 3_500, 14_000, 4_000),
    "MKT-WEST":    (22_000, 15_000, 5_500, 2_500, 12_000, 3_500),
    "MKT-EAST":    (20_000,  8_000, 1_500, 1_500,  6_000, 1_500),
    "MKT-ONLINE":  (30_000, 25_000, 8_000, 4_000, 30_000, 8_000),
    "EXP-AE":      ( 6_000,  4_000, 1_500,     0,  5_000,     0),
    "EXP-GB":      (     0,  2_000, 3_000,     0,     0,     0),
    # candidate channels (new retail partners), demand once signed
    "MKT-EAST-NEW": ( 6_000,  2_500,   400,   400,  2_000,   500),
    "MKT-WEST-NEW": ( 7_000,  4_000, 1_200,   600,  3_000,   800),
}

# Net selling price, INR per unit (PLI threshold: Rs 15,000; only PH-PRO passes it).
PRICE: dict[str, tuple[int, ...]] = {
    #               PH-BUD  PH-MID  PH-PRO  TV-43   EB-TWS SP-BT
    "MKT-NORTH":   (9_000, 14_000, 22_000, 22_000, 1_500, 2_500),
    "MKT-SOUTH":   (9_000, 14_000, 22_000, 22_000, 1_500, 2_500),
    "MKT-WEST":    (9_000, 14_000, 22_000, 22_000, 1_500, 2_500),
    "MKT-EAST":    (9_000, 14_000, 22_000, 22_000, 1_500, 2_500),
    "MKT-ONLINE":  (8_700, 13_600, 21_500, 21_000, 1_400, 2_400),
    "EXP-AE":      (9_300, 14_500, 23_000,      0, 1_600,     0),
    "EXP-GB":      (    0, 14_800, 24_000,      0,     0,     0),
    "MKT-EAST-NEW": (8_900, 13_900, 21_800, 21_800, 1_450, 2_450),
    "MKT-WEST-NEW": (8_900, 13_900, 21_800, 21_800, 1_450, 2_450),
}
# fmt: on

#: Penalty per unit not delivered, as a multiple of the price (lost margin and goodwill).
PENALTY_FACTOR: dict[str, float] = {"MKT-ONLINE": 1.25, "EXP-AE": 1.5, "EXP-GB": 1.5}
DEFAULT_PENALTY_FACTOR = 1.3

#: Seasonal index of domestic demand by calendar quarter: the festive season (Diwali)
#: falls in Oct-Dec; exports are not seasonal.
SEASON: dict[str, float] = {"Q1": 0.85, "Q2": 0.90, "Q3": 1.05, "Q4": 1.35}

#: Demand growth per quarter: premiumisation, budget phones shrinking slowly.
GROWTH: dict[str, float] = {
    "PH-BUD": -0.01, "PH-MID": 0.03, "PH-PRO": 0.06, "TV-43": 0.02, "EB-TWS": 0.04,
    "SP-BT": 0.02,
}  # fmt: skip

# Minimum local share of purchased component value (receipts from suppliers, valued at the
# offer's price). The brand's pledge, as the news reports such pledges: "50% more locally
# sourced components" by 2025, on the share it reported for FY2023-24 (10%, a given base:
# growth 0.5, base_share 0.10, so at least 15% in 2025-Q1), with the FY2023-24 level held
# as a floor in the base year. Chips, memory and open cells are only imported, so the
# plan has about 10% without a target. (A base taken from the plan's own 2023-Q2 share,
# base_period instead of base_share, gives the same plan here, since the plan holds the
# base year at its floor, and takes several times longer to prove optimal: see
# docs/model.md.) The audio plant EMS-C has its own target of a third (e.g. promised to a
# state incentive scheme), which holds whenever it makes anything.
TARGETS: list[Row] = [
    # scope          period     min_local_share growth base_share
    ("network",     "2023-Q2", 0.10,           None,  None),
    ("network",     "2023-Q3", 0.10,           None,  None),
    ("network",     "2023-Q4", 0.10,           None,  None),
    ("network",     "2024-Q1", 0.10,           None,  None),
    ("network",     "2025-Q1", None,           0.5,   0.10),  # the pledge: +50% on FY2023-24
    ("EMS-C-NOIDA", None,      0.33,           None,  None),
]  # fmt: skip


#: The candidate channels (new retail partners) have no sales history: their demand is the
#: planner's estimate, by the formula of :func:`demand_rows`.
NEW_CHANNELS = ("MKT-EAST-NEW", "MKT-WEST-NEW")

#: Sales history: the 12 quarters before the horizon (2020-Q2 to 2023-Q1), from the same
#: base, season and growth as the demand, with a seeded multiplicative noise of about
#: :data:`HISTORY_NOISE` (lognormal, mean 1), rounded to 10 units.
HISTORY_QUARTERS = 12
HISTORY_NOISE = 0.10
HISTORY_SEED = 20230401

#: The forecast of that history (``emsplan forecast`` with the default settings, horizon
#: 8), bundled so that building the example needs no forecasting; regenerated on purpose
#: with ``python tests/example_forecast.py``, and checked by tests/test_examples.py.
FORECAST_FILE = Path(__file__).with_name("india_2023_forecast.csv")


def history_periods() -> list[str]:
    """The labels of the history's quarters, oldest first."""
    year, quarter = 2023, 2
    labels = []
    for _ in range(HISTORY_QUARTERS):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        labels.append(f"{year}-Q{quarter}")
    return labels[::-1]


def sales_history_rows() -> list[Row]:
    """Sales of the markets with a history: base x season x growth (t < 0) x noise."""
    rng = np.random.default_rng(HISTORY_SEED)
    rows: list[Row] = []
    for k, period in enumerate(history_periods()):
        t = k - HISTORY_QUARTERS
        quarter = period.split("-")[1]
        for market, base in BASE_DEMAND.items():
            if market in NEW_CHANNELS:
                continue
            season = 1.0 if market.startswith("EXP-") else SEASON[quarter]
            for product, qty0, price in zip(PRODUCTS, base, PRICE[market], strict=True):
                if qty0 == 0:
                    continue
                noise = np.exp(rng.normal(0.0, HISTORY_NOISE) - HISTORY_NOISE**2 / 2)
                qty = round(qty0 * season * (1 + GROWTH[product]) ** t * noise / 10) * 10
                rows.append((market, product, period, float(qty), float(price), 0))
    return rows


def forecast_table() -> pd.DataFrame:
    """The bundled forecast: market, item, period, qty, lo, hi, level, model."""
    return pd.read_csv(FORECAST_FILE, dtype={"market": str, "item": str, "period": str})


def demand_rows() -> list[Row]:
    """Demand rows: the bundled forecast for the markets with a sales history; for the
    candidate channels, base quantity x seasonal index x growth, rounded to 10 units."""
    rows: list[Row] = []
    forecast = forecast_table().set_index(["market", "item", "period"])["qty"]
    for t, (period, _days) in enumerate(PERIODS):
        quarter = period.split("-")[1]
        for market, base in BASE_DEMAND.items():
            export = market.startswith("EXP-")
            season = 1.0 if export else SEASON[quarter]
            factor = PENALTY_FACTOR.get(market, DEFAULT_PENALTY_FACTOR)
            for product, qty0, price in zip(PRODUCTS, base, PRICE[market], strict=True):
                if qty0 == 0:
                    continue
                if market in NEW_CHANNELS or (market, product, period) not in forecast.index:
                    qty = float(round(qty0 * season * (1 + GROWTH[product]) ** t / 10) * 10)
                else:
                    qty = float(forecast[(market, product, period)])
                rows.append((market, product, period, float(qty), float(price), factor * price))
    return rows


def _bom_rows() -> list[Row]:
    rows: list[Row] = [
        (parent, child, float(qty), None)
        for parent, children in BOM.items()
        for child, qty in children.items()
    ]
    rows += [
        (parent, child, float(qty), plant)
        for (plant, parent), children in PLANT_BOM.items()
        for child, qty in children.items()
    ]
    return rows


def tables() -> dict[str, pd.DataFrame]:
    """The example's input tables, freshly built (callers may mutate them)."""
    sites = _frame("site kind country region partner lat lon", SITES)
    sites["storage_capacity"] = sites["site"].map(STORAGE_CAPACITY)
    return {
        "settings": _frame("setting value", SETTINGS),
        "periods": _frame("period days", PERIODS),
        "items": _frame("item kind hs_code group holding_cost description", ITEMS),
        "bom": _frame("parent child qty_per site", _bom_rows()),
        "sites": sites,
        "supply": _frame("supplier item price capacity lead_time local_content", SUPPLY),
        "production": _frame("plant item cost resource usage", PRODUCTION),
        "resources": _frame("plant resource period capacity", RESOURCES),
        "lanes": _frame("origin destination item mode cost lead_time capacity", LANES),
        "duties": _frame(
            "item hs_code origin_country destination_country rate period_from period_to", DUTIES
        ),
        "demand": _frame("market item period qty price penalty", demand_rows()),
        "targets": _frame("scope period min_local_share growth base_share", TARGETS),
        "incentives": _frame(
            "scheme item period rate base_sales min_incremental_sales min_unit_price cap",
            INCENTIVES,
        ),
        "trade_rules": _frame(
            "agreement origin_country destination_country item hs_code min_value_content "
            "preferential_rate",
            TRADE_RULES,
        ),
        "options": _frame(OPTION_COLUMNS, OPTIONS),
        "sales_history": _frame("market item period qty price promotion", sales_history_rows()),
        "demand_forecast": forecast_table(),
    }


def build() -> Network:
    """The ``india-2023`` example network (a new, independent object on every call)."""
    return Network(tables(), name=NAME)
