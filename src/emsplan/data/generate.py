"""Synthetic planning networks of a chosen size: ``emsplan generate --size L --seed 1``.

:func:`generate` builds a valid network (``net.check()`` finds no errors) that is
feasible by construction (every demand row has a penalty, so delivering nothing
is allowed, and every other limit is an upper bound) and structurally like a
real brand's: product families (phones, TVs, audio, ...) made by EMS partner
plants that specialise in one or two families; multi-level BOMs (product ->
1-2 sub-assemblies -> sometimes a module -> components) whose components are
shared by the products of a family, and commodity parts (passives, packaging,
cables, ...) shared by every family; a few plant-specific BOMs; sub-assemblies
made at a hub plant and sent to the others by item-specific lanes; imported
offers from 1-2 foreign suppliers and, for most categories, a local offer
(dearer before duty, with a local-content share, sometimes capacity-limited);
generic lanes supplier -> plant (sea, and air: for every import with monthly
periods, so that the first month can be served), plant -> warehouse -> market,
and plant -> export market (air lanes with a capacity); duty rates by HS prefix,
some changing from mid-horizon, item rows and an origin-specific row; plant
lines (some with a second line from mid-horizon or an extra festive shift) and
warehouse storage; seasonal demand with growth; network and plant
local-content targets set well below the share the local offers allow.

Capacities are set from the expected load (demand split over the plants that
make each product, exploded through the BOMs): most lines have 30-80% slack
over the average load, about one in seven is tight (95-110%, so the festive
peak builds stock or goes short), and half the local offers have a capacity,
of 40-130% of their item's need. The network target rises from 35% to 65% of
the local share reachable at the average load; a quarter of the plants have a
target of half their own reachable share. Stock starts at zero (emsplan has no
opening stock), so a little demand of the first period goes unmet.

The size grows by this rule (components are per family plus a shared pool;
suppliers local + foreign; markets domestic + export). Rows, variables and
constraints are those of seed 1, measured (see ``benchmarks/README.md``):

====  ========  ========  ==========  ======  =========  ======  =======  ==========
size  families  products  components  plants  suppliers  wareh.  markets  periods
                per fam.  per family                     houses
====  ========  ========  ==========  ======  =========  ======  =======  ==========
S     3         2         12 + 8      4       8 + 4      2       5 + 2    8 quarters
M     8         8         60 + 30     12      24 + 12    4       16 + 4   12 months
L     16        12        120 + 60    30      60 + 30    8       40 + 8   24 months
XL    32        25        280 + 100   60      120 + 60   12      60 + 12  24 months
====  ========  ========  ==========  ======  =========  ======  =======  ==========

====  ======  =====  ======  =======  ==========  ===========  ============
size  items   lanes  supply  demand   variables   constraints  generate (s)
====  ======  =====  ======  =======  ==========  ===========  ============
S     52      71     76      192      7,373       3,904        0.2
M     413     708    646     8,580    126,604     58,224       0.5
L     1,347   3,486  2,068   119,832  1,176,414   510,552      3.5
XL    5,552   12,179 8,832   747,552  5,712,749   2,375,616    7.5
====  ======  =====  ======  =======  ==========  ===========  ============

Everything is drawn from one :class:`numpy.random.Generator` seeded with
``seed``, so the same size and seed give identical tables. All figures are
illustrative.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from emsplan.data.network import Network


@dataclass(frozen=True)
class Size:
    """How big a generated network is (see the module docstring's table)."""

    families: int
    products: int  # per family
    subassemblies: int  # level-1 sub-assemblies per family (modules: half as many)
    components: int  # per family
    shared: int  # commodity components shared by every family
    plants: int
    local_suppliers: int
    foreign_suppliers: int
    warehouses: int
    domestic_markets: int
    export_markets: int
    periods: int
    monthly: bool


SIZES: dict[str, Size] = {
    "S": Size(3, 2, 2, 12, 8, 4, 8, 4, 2, 5, 2, 8, False),
    "M": Size(8, 8, 4, 60, 30, 12, 24, 12, 4, 16, 4, 12, True),
    "L": Size(16, 12, 8, 120, 60, 30, 60, 30, 8, 40, 8, 24, True),
    "XL": Size(32, 25, 12, 280, 100, 60, 120, 60, 12, 60, 12, 24, True),
}

# -- vocabulary ------------------------------------------------------------------------
#: Product families: name, code, HS code of the product, of its sub-assemblies, exported.
FAMILIES: list[tuple[str, str, str, str, bool]] = [
    ("smartphone", "PH", "8517.13", "8517.79", True),
    ("tv", "TV", "8528.72", "8529.90", False),
    ("audio", "AU", "8518.30", "8518.90", True),
    ("laptop", "LT", "8471.30", "8473.30", True),
    ("wearable", "WR", "8517.62", "8517.79", True),
    ("tablet", "TB", "8471.41", "8473.30", False),
    ("router", "RT", "8517.69", "8517.79", True),
    ("monitor", "MN", "8528.52", "8529.90", False),
    ("camera", "CM", "8525.89", "8529.90", True),
    ("power", "PW", "8504.40", "8504.90", True),
]

#: Component categories: name, HS code, price range (INR), share with a local offer,
#: local-content range of local offers, duty rate, duty from mid-horizon (None: no
#: change), whether shared across families (commodity), weight in sub-assemblies.
CATEGORIES: list[
    tuple[
        str, str, tuple[float, float], float, tuple[float, float], float, float | None, bool, float
    ]
] = [
    ("CHIP", "8542.31", (50, 1500), 0.0, (0, 0), 0.0, None, False, 4.0),
    ("MEM", "8542.32", (100, 1200), 0.0, (0, 0), 0.0, None, False, 2.0),
    ("PCB", "8534.00", (10, 250), 0.7, (0.4, 0.6), 0.10, None, False, 2.0),
    ("PASSIVE", "8532.24", (5, 220), 0.2, (0.2, 0.4), 0.0, None, True, 2.0),
    ("DISP", "8524.91", (300, 5000), 0.5, (0.2, 0.35), 0.10, None, False, 0.2),
    ("CAM", "8525.89", (100, 1500), 0.6, (0.2, 0.35), 0.10, 0.15, False, 0.5),
    ("BAT", "8507.60", (80, 900), 0.8, (0.3, 0.5), 0.15, 0.20, False, 0.1),
    ("MECH", "3926.90", (20, 1000), 0.9, (0.7, 0.9), 0.15, 0.10, False, 0.1),
    ("ACOU", "8518.29", (10, 150), 0.7, (0.3, 0.45), 0.15, None, True, 0.3),
    ("CONN", "8536.90", (5, 70), 0.7, (0.3, 0.4), 0.10, None, True, 1.0),
    ("CABLE", "8544.42", (20, 80), 0.9, (0.5, 0.7), 0.15, None, True, 0.1),
    ("CHG", "8504.40", (100, 400), 0.8, (0.5, 0.7), 0.20, 0.15, False, 0.1),
    ("PKG", "4819.10", (10, 350), 1.0, (0.9, 1.0), 0.10, None, True, 0.05),
    ("GLASS", "7007.19", (50, 400), 0.6, (0.3, 0.4), 0.10, None, False, 0.1),
    ("MOTOR", "8501.10", (10, 60), 0.5, (0.3, 0.4), 0.10, 0.0, True, 0.2),
]
_ELECTRONIC = ("CHIP", "MEM", "PCB", "PASSIVE", "CONN")

#: Indian cities of plants and local suppliers: code, state.
CITIES: list[tuple[str, str]] = [
    ("NOIDA", "Uttar Pradesh"), ("GNOIDA", "Uttar Pradesh"), ("SPR", "Tamil Nadu"),
    ("CHENNAI", "Tamil Nadu"), ("TPT", "Andhra Pradesh"), ("SRICITY", "Andhra Pradesh"),
    ("BLR", "Karnataka"), ("HYD", "Telangana"), ("PUNE", "Maharashtra"),
    ("MANESAR", "Haryana"), ("GNR", "Gujarat"), ("KOL", "West Bengal"),
]  # fmt: skip
#: Distribution centres: code, state.
DCS: list[tuple[str, str]] = [
    ("GGN", "Haryana"), ("BHIWANDI", "Maharashtra"), ("HOSKOTE", "Karnataka"),
    ("CHENNAI", "Tamil Nadu"), ("KOL", "West Bengal"), ("HYD", "Telangana"),
    ("AMD", "Gujarat"), ("LKO", "Uttar Pradesh"), ("GUW", "Assam"), ("PATNA", "Bihar"),
    ("INDORE", "Madhya Pradesh"), ("JAIPUR", "Rajasthan"), ("NAGPUR", "Maharashtra"),
    ("KOCHI", "Kerala"), ("BBSR", "Odisha"), ("LDH", "Punjab"),
]  # fmt: skip
#: Indian states and union territories (market regions), by ISO 3166-2:IN code.
STATES: tuple[str, ...] = (
    "UP", "MH", "TN", "KA", "DL", "WB", "GJ", "RJ", "MP", "AP", "TG", "KL", "PB", "HR", "BR",
    "OR", "AS", "JH", "CT", "UK", "HP", "JK", "GA", "TR", "ML", "MN", "NL", "AR", "MZ", "SK",
)  # fmt: skip
CHANNELS = ("RETAIL", "ONLINE")
#: Export markets (country codes) and countries of foreign suppliers with weights.
EXPORTS: tuple[str, ...] = (
    "AE", "GB", "US", "DE", "SA", "NL", "IT", "FR", "NG", "KE", "BD", "NP", "LK", "ZA", "EG", "AU",
)  # fmt: skip
SUPPLIER_COUNTRIES: list[tuple[str, float]] = [
    ("CN", 0.45), ("VN", 0.15), ("KR", 0.1), ("TW", 0.1), ("JP", 0.05), ("MY", 0.05),
    ("TH", 0.04), ("US", 0.03), ("DE", 0.03),
]  # fmt: skip
_FAR = ("US", "DE")  # sea freight two months


def generate(size: str | Size = "S", seed: int = 0) -> Network:
    """A valid, feasible synthetic network of the given size (see the module docstring).

    Parameters
    ----------
    size : "S", "M", "L", "XL" or a :class:`Size`.
    seed : seed of the random generator; the same size and seed give identical tables.
    """
    spec = SIZES[size.upper()] if isinstance(size, str) else size
    name = f"generated-{size.upper() if isinstance(size, str) else 'custom'}-{seed}"
    return Network(_Builder(spec, np.random.default_rng(seed)).tables(), name=name)


def tables(size: str | Size = "S", seed: int = 0) -> dict[str, pd.DataFrame]:
    """The tables of :func:`generate` (plain DataFrames, before type conversion)."""
    spec = SIZES[size.upper()] if isinstance(size, str) else size
    return _Builder(spec, np.random.default_rng(seed)).tables()


def _pick(
    rng: np.random.Generator, n: int, pool: np.ndarray, k: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``n`` parents, ``k[i]`` distinct members of ``pool``, drawn with
    probability growing with ``weight`` (Gumbel top-k). Returns (parent, member) pairs."""
    if n == 0 or len(pool) == 0:
        return np.zeros(0, int), pool[:0]
    k = np.minimum(k, len(pool))
    width = int(k.max())
    keys = rng.gumbel(size=(n, len(pool))) + np.log(weight)[None, :]
    top = np.argsort(-keys, axis=1, kind="stable")[:, :width]
    take = np.arange(width)[None, :] < k[:, None]
    parent = np.broadcast_to(np.arange(n)[:, None], top.shape)[take]
    return parent, pool[top[take]]


def _maker(lines: pd.DataFrame, hubs: dict[str, str]) -> np.ndarray:
    """The plant making each line's child: its hub if it has one, else the line's plant."""
    hub = lines["child"].map(hubs).astype(object)
    return np.where(hub.notna(), hub, lines["plant"].astype(object))


def _round(x: Any, step: float) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float) / step) * step


class _Builder:
    """Draws the tables in a fixed order from one generator (see :func:`generate`)."""

    def __init__(self, spec: Size, rng: np.random.Generator) -> None:
        self.s = spec
        self.rng = rng
        self.T = spec.periods

    # -- driver ------------------------------------------------------------------------
    def tables(self) -> dict[str, pd.DataFrame]:
        self._periods()
        self._families_and_plants()
        self._items_and_bom()
        self._production()
        self._markets_and_demand()
        self._needs()
        self._supply()
        self._lanes()
        self._resources()
        self._duties()
        self._targets()
        return {
            "settings": pd.DataFrame(
                {"setting": ["currency", "domestic_country"], "value": ["INR", "IN"]}
            ),
            "periods": self.periods,
            "items": self.items,
            "bom": self.bom,
            "sites": self.sites,
            "supply": self.supply,
            "production": self.production,
            "resources": self.resources,
            "lanes": self.lanes,
            "duties": self.duties,
            "demand": self.demand,
            "targets": self.targets,
        }

    # -- periods -------------------------------------------------------------------------
    def _periods(self) -> None:
        labels, days, season = [], [], []
        for t in range(self.T):
            if self.s.monthly:
                year, month = 2025 + t // 12, t % 12 + 1
                labels.append(f"{year}-{month:02d}")
                days.append(calendar.monthrange(year, month)[1])
                # festive season (Dussehra, Diwali) in Oct-Nov
                season.append({10: 1.45, 11: 1.35, 9: 1.1, 12: 1.05}.get(month, 0.9))
            else:
                year, quarter = 2025 + t // 4, t % 4 + 1
                labels.append(f"{year}-Q{quarter}")
                days.append([90, 91, 92, 92][quarter - 1])
                season.append([0.85, 0.9, 1.05, 1.35][quarter - 1])
        self.labels = labels
        self.season = np.array(season)
        self.periods = pd.DataFrame({"period": labels, "days": days})

    # -- families, plants --------------------------------------------------------------
    def _families_and_plants(self) -> None:
        s, rng = self.s, self.rng
        fams = []
        for f in range(s.families):
            name, code, hs, sa_hs, export = FAMILIES[f % len(FAMILIES)]
            rnd = f // len(FAMILIES)
            fams.append(
                (
                    name if rnd == 0 else f"{name}-{rnd + 1}",
                    code if rnd == 0 else f"{code}{rnd + 1}",
                    hs,
                    sa_hs,
                    export,
                )
            )
        self.fams = fams
        # plant i makes family i mod F, and a second family with probability 0.3
        primary = np.arange(s.plants) % s.families
        second = rng.integers(0, s.families, s.plants)
        has_second = (rng.random(s.plants) < 0.3) & (second != primary)
        plant_fam = pd.DataFrame(
            {
                "plant": np.concatenate([np.arange(s.plants), np.flatnonzero(has_second)]),
                "family": np.concatenate([primary, second[has_second]]),
            }
        )
        city = rng.integers(0, len(CITIES), s.plants)
        partner = [
            chr(ord("A") + i % 26) + ("" if i < 26 else str(i // 26)) for i in range(s.plants)
        ]
        self.plant_names = np.array(
            [f"EMS-{partner[i]}-{CITIES[city[i]][0]}" for i in range(s.plants)], dtype=object
        )
        self.plant_state = np.array([CITIES[c][1] for c in city], dtype=object)
        self.plant_fam = plant_fam.sort_values(["family", "plant"], ignore_index=True)

    # -- items and BOM ------------------------------------------------------------------
    def _items_and_bom(self) -> None:
        s, rng = self.s, self.rng
        cats = CATEGORIES
        commodity = np.array([c[7] for c in cats])
        sa_weight = np.array([c[8] for c in cats])
        fam_cats = np.flatnonzero(~commodity)
        # components: per family (family categories) and a shared commodity pool
        comp_rows: list[pd.DataFrame] = []
        for f in range(len(self.fams)):
            cat = rng.choice(fam_cats, s.components)
            comp_rows.append(pd.DataFrame({"family": f, "cat": cat}))
        comp_rows.append(
            pd.DataFrame({"family": -1, "cat": rng.choice(np.flatnonzero(commodity), s.shared)})
        )
        comps = pd.concat(comp_rows, ignore_index=True)
        comps["k"] = comps.groupby(["family", "cat"]).cumcount() + 1
        prefix = np.array(["CMN" if f < 0 else self.fams[f][1] for f in comps["family"]])
        cat_name = np.array([c[0] for c in cats], dtype=object)
        comps["item"] = (
            pd.Series(prefix, dtype=object)
            + "-"
            + cat_name[comps["cat"].to_numpy()]
            + "-"
            + comps["k"].map("{:03d}".format)
        )
        lo = np.array([c[2][0] for c in cats])[comps["cat"]]
        hi = np.array([c[2][1] for c in cats])[comps["cat"]]
        comps["price"] = _round(np.exp(rng.uniform(np.log(lo), np.log(hi))), 1.0)
        comps["popularity"] = rng.lognormal(0.0, 1.0, len(comps))
        self.comps = comps

        products, sas, bom = [], [], []
        for f, (fname, code, hs, sa_hs, _export) in enumerate(self.fams):
            n_p, n_sa1 = s.products, s.subassemblies
            n_sa2 = max(1, n_sa1 // 2)
            prod_items = np.array([f"{code}-{k + 1:03d}" for k in range(n_p)], dtype=object)
            sa1 = np.array([f"{code}-SA{k + 1:02d}" for k in range(n_sa1)], dtype=object)
            sa2 = np.array([f"{code}-MD{k + 1:02d}" for k in range(n_sa2)], dtype=object)
            products.append(pd.DataFrame({"item": prod_items, "family": f, "hs_code": hs}))
            sas.append(pd.DataFrame({"item": sa1, "family": f, "hs_code": sa_hs, "level": 1}))
            sas.append(pd.DataFrame({"item": sa2, "family": f, "hs_code": sa_hs, "level": 2}))
            mine = comps[(comps["family"] == f) | (comps["family"] < 0)]
            pool = mine["item"].to_numpy(object)
            cat = mine["cat"].to_numpy()
            pop = mine["popularity"].to_numpy() * np.where(mine["family"] < 0, 0.5, 1.0)
            elec = np.isin(cat_name[cat], _ELECTRONIC)
            # products: 1-2 sub-assemblies and 6-12 components (few chips directly)
            par, ch = _pick(rng, n_p, sa1, rng.integers(1, 3, n_p), np.ones(n_sa1))
            bom.append((prod_items[par], ch, np.ones(len(par))))
            w = pop * np.where(elec, 0.15, 1.0)
            par, ch = _pick(rng, n_p, pool, rng.integers(6, 13, n_p), w)
            bom.append((prod_items[par], ch, self._qty(len(par))))
            # level-1 sub-assemblies: 3-6 components (mostly electronic), 40% a module
            par, ch = _pick(rng, n_sa1, pool, rng.integers(3, 7, n_sa1), pop * sa_weight[cat])
            bom.append((sa1[par], ch, self._qty(len(par))))
            with_module = np.flatnonzero(rng.random(n_sa1) < 0.4)
            bom.append(
                (sa1[with_module], rng.choice(sa2, len(with_module)), np.ones(len(with_module)))
            )
            # level-2 modules: 2-4 components
            par, ch = _pick(rng, n_sa2, pool, rng.integers(2, 5, n_sa2), pop * sa_weight[cat])
            bom.append((sa2[par], ch, self._qty(len(par))))
            del fname
        self.products = pd.concat(products, ignore_index=True)
        self.sas = pd.concat(sas, ignore_index=True)
        general = pd.DataFrame(
            {
                "parent": np.concatenate([b[0] for b in bom]),
                "child": np.concatenate([b[1] for b in bom]),
                "qty_per": np.concatenate([b[2] for b in bom]),
            }
        )
        # keep only sub-assemblies and components that something uses
        used = set(general["child"])
        self.sas = self.sas[self.sas["item"].isin(used)].reset_index(drop=True)
        keep_parent = general["parent"].isin(set(self.products["item"]) | set(self.sas["item"]))
        self.general_bom = general[keep_parent].reset_index(drop=True)
        used = set(self.general_bom["child"])
        self.comps = self.comps[self.comps["item"].isin(used)].reset_index(drop=True)

    def _qty(self, n: int) -> np.ndarray:
        """BOM quantities: mostly 1, sometimes 2-4, a few fractions of a kit."""
        u = self.rng.random(n)
        return np.select([u < 0.8, u < 0.95], [1.0, self.rng.integers(2, 5, n)], 0.2)

    # -- production ---------------------------------------------------------------------
    def _production(self) -> None:
        rng, fp = self.rng, self.plant_fam
        rows = []
        for f in range(len(self.fams)):
            plants = fp.loc[fp["family"] == f, "plant"].to_numpy()
            prods = self.products.loc[self.products["family"] == f, "item"].to_numpy(object)
            k = rng.integers(1, min(3, len(plants)) + 1, len(prods))
            par, pl = _pick(rng, len(prods), plants, k, np.ones(len(plants)))
            rows.append(pd.DataFrame({"plant": pl, "item": prods[par]}))
        prod = pd.concat(rows, ignore_index=True)
        prod["plant"] = self.plant_names[prod["plant"].to_numpy(int)]
        n_makers = prod.groupby("item")["plant"].transform("size")
        # plant-specific BOMs: 8% of rows of products made at several plants swap a component
        bom = self.general_bom
        chosen = prod[(n_makers > 1).to_numpy() & (rng.random(len(prod)) < 0.08)]
        specific = chosen.merge(bom.rename(columns={"parent": "item"}), on="item")
        comp_set = set(self.comps["item"])
        is_comp = specific["child"].isin(comp_set).to_numpy()
        first = ~specific.duplicated(["plant", "item"]) & is_comp
        specific.loc[first, "qty_per"] = specific.loc[first, "qty_per"] * 2  # e.g. two gaskets
        self.specific_bom = specific.rename(columns={"item": "parent", "plant": "site"})
        self.product_rows = prod
        # sub-assemblies: made where needed, or (25%) at one hub plant sending them on
        sa_items = set(self.sas["item"])
        hubs: dict[str, str] = {}
        made = []
        level = prod[["plant", "item"]]
        for _level in (1, 2):  # sub-assemblies, then the modules they use
            at = self._explode_rows(level, sa_items).drop_duplicates()
            at = at.sort_values(["child", "plant"], ignore_index=True)
            several = at.loc[at["child"].duplicated(keep=False), "child"].drop_duplicates()
            first_plant = at.drop_duplicates("child").set_index("child")["plant"]
            for item in several[rng.random(len(several)) < 0.25]:
                hubs[item] = first_plant[item]
            maker = _maker(at, hubs)
            level = pd.DataFrame({"plant": maker, "item": at["child"]}).drop_duplicates()
            made.append(level)
        self.hubs = hubs
        all_rows = pd.concat([prod[["plant", "item"]], *made], ignore_index=True)
        self.production_rows = all_rows.drop_duplicates(ignore_index=True)
        # plants that need a hub's sub-assembly receive it by an item-specific lane
        needs = self._explode_rows(self.production_rows, sa_items).drop_duplicates()
        recv = needs[needs["child"].isin(hubs)]
        recv = recv[recv["plant"] != recv["child"].map(hubs)]
        self.hub_routes = recv.assign(hub=recv["child"].map(hubs)).reset_index(drop=True)

    def _explode_rows(self, rows: pd.DataFrame, only: set[str]) -> pd.DataFrame:
        """(plant, child) pairs of the effective BOMs of production ``rows`` whose child is
        in ``only``."""
        lines = self._effective(rows.assign(qty=1.0))
        return lines.loc[lines["child"].isin(only), ["plant", "child"]]

    def _effective(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Effective BOM lines of rows (plant, item, qty): the plant-specific rows of the
        (plant, parent) where there are any, else the general rows; qty = qty x qty_per."""
        spec = self.specific_bom
        keys = spec[["site", "parent"]].drop_duplicates()
        keys.columns = pd.Index(["plant", "item"])
        r = rows.merge(keys.assign(_s=True), on=["plant", "item"], how="left")
        has = r["_s"].notna().to_numpy()
        gen = (
            r[~has]
            .drop(columns="_s")
            .merge(self.general_bom.rename(columns={"parent": "item"}), on="item")
        )
        sp = (
            r[has]
            .drop(columns="_s")
            .merge(spec.rename(columns={"parent": "item", "site": "plant"}), on=["plant", "item"])
        )
        out = pd.concat([gen, sp], ignore_index=True)
        out["qty"] = out["qty"] * out["qty_per"]
        return out[["plant", "item", "child", "qty"]]

    # -- markets and demand -------------------------------------------------------------
    def _markets_and_demand(self) -> None:
        s, rng, T = self.s, self.rng, self.T
        n_dom = s.domestic_markets
        dom = [
            f"MKT-{STATES[i // 2 % len(STATES)]}-{CHANNELS[i % 2]}"
            + ("" if i < 2 * len(STATES) else f"-{i // (2 * len(STATES)) + 1}")
            for i in range(n_dom)
        ]
        exp_cc = [EXPORTS[i % len(EXPORTS)] for i in range(s.export_markets)]
        exp = [
            f"EXP-{cc}" + ("" if i < len(EXPORTS) else f"-{i // len(EXPORTS) + 1}")
            for i, cc in enumerate(exp_cc)
        ]
        self.dom_markets = np.array(dom, dtype=object)
        self.exp_markets = np.array(exp, dtype=object)
        self.exp_country = np.array(exp_cc, dtype=object)
        products = self.products
        n_p = len(products)
        exportable = np.array([self.fams[f][4] for f in products["family"]])
        # which product is sold where: 60% of domestic markets, 30% of export markets
        sold_dom = rng.random((n_p, n_dom)) < 0.6
        sold_dom[np.arange(n_p), rng.integers(0, n_dom, n_p)] = True
        sold_exp = (rng.random((n_p, len(exp))) < 0.3) & exportable[:, None]
        product_scale = rng.lognormal(np.log(8000.0), 0.8, n_p) / (3 if s.monthly else 1)
        dom_scale = rng.lognormal(0.0, 0.5, n_dom)
        exp_scale = rng.lognormal(-0.7, 0.5, len(exp))
        growth = rng.uniform(-0.01, 0.03, n_p) / (3 if s.monthly else 1)
        trend = (1 + growth[:, None]) ** np.arange(T)[None, :]  # product x period
        p_idx, m_idx = np.nonzero(np.concatenate([sold_dom, sold_exp], axis=1))
        markets = np.concatenate([self.dom_markets, self.exp_markets])
        scale = np.concatenate([dom_scale, exp_scale])
        is_exp = m_idx >= n_dom
        base = product_scale[p_idx] * scale[m_idx]
        qty = (
            base[:, None]
            * trend[p_idx]
            * np.where(is_exp[:, None], 1.0, self.season[None, :])
            * rng.lognormal(0.0, 0.1, (len(p_idx), T))
        )
        qty = _round(qty, 10.0)
        self.product_price = self._product_prices()
        price = self.product_price[p_idx] * np.where(
            is_exp, 1.04, np.where(np.char.endswith(markets[m_idx].astype(str), "ONLINE"), 0.97, 1)
        )
        price = _round(price, 10.0)
        penalty = _round(price * rng.uniform(1.2, 1.5, len(p_idx)), 1.0)
        n = len(p_idx)
        self.demand = pd.DataFrame(
            {
                "market": np.repeat(markets[m_idx], T),
                "item": np.repeat(products["item"].to_numpy(object)[p_idx], T),
                "period": np.tile(np.array(self.labels, dtype=object), n),
                "qty": qty.ravel(),
                "price": np.repeat(price, T),
                "penalty": np.repeat(penalty, T),
            }
        )
        self.demand = self.demand[self.demand["qty"] > 0].reset_index(drop=True)
        self.sold = pd.DataFrame(
            {
                "market": markets[m_idx],
                "item": products["item"].to_numpy(object)[p_idx],
                "export": is_exp,
                "qty": qty.mean(axis=1),
            }
        )

    def _product_prices(self) -> np.ndarray:
        """Net price per product: its general BOM rolled up level by level (modules,
        sub-assemblies, products) at the component prices plus 10%, plus conversion at
        3-8% of the materials, times a margin of 25-60%."""
        cost = pd.Series(self.comps["price"].to_numpy() * 1.1, index=self.comps["item"])
        sas = self.sas.sort_values("level", ascending=False, kind="stable")
        levels = [*(g["item"] for _, g in sas.groupby("level", sort=False)), self.products["item"]]
        items = pd.concat(levels, ignore_index=True)
        share = pd.Series(self.rng.uniform(0.03, 0.08, len(items)), index=items.to_numpy())
        conversion: list[pd.Series] = []
        for level in levels:
            lines = self.general_bom[self.general_bom["parent"].isin(level)]
            material = (lines["child"].map(cost) * lines["qty_per"]).groupby(lines["parent"]).sum()
            conv = (share.reindex(material.index) * material).round(0).clip(lower=5.0)
            conversion.append(conv)
            cost = pd.concat([cost, material + conv])
        self.conversion = pd.concat(conversion)
        self.made_cost: pd.Series = cost
        margin = self.rng.uniform(1.25, 1.6, len(self.products))
        return cost.reindex(self.products["item"]).to_numpy() * margin

    # -- expected loads -----------------------------------------------------------------
    def _needs(self) -> None:
        """Expected production per row and component need per plant at mean demand."""
        demand = self.sold.groupby("item")["qty"].sum()
        rows = self.product_rows.copy()
        rows["qty"] = rows["item"].map(demand).fillna(0.0) / rows.groupby("item")[
            "plant"
        ].transform("size")
        comp_set = set(self.comps["item"])
        made = [rows]
        comp_need = []
        level = rows
        for _ in range(3):
            lines = self._effective(level)
            comp_need.append(lines[lines["child"].isin(comp_set)])
            sa = lines[~lines["child"].isin(comp_set)]
            if sa.empty:
                break
            maker = _maker(sa, self.hubs)
            level = (
                pd.DataFrame({"plant": maker, "item": sa["child"], "qty": sa["qty"]})
                .groupby(["plant", "item"], as_index=False)
                .agg(qty=("qty", "sum"))
            )
            made.append(level)
        self.row_load = (
            pd.concat(made).groupby(["plant", "item"], as_index=False).agg(qty=("qty", "sum"))
        )
        lines = pd.concat(comp_need, ignore_index=True).rename(columns={"item": "parent"})
        self.comp_need = (
            lines.rename(columns={"child": "item"})
            .groupby(["plant", "item"], as_index=False)
            .agg(qty=("qty", "sum"))
        )

    # -- supply -------------------------------------------------------------------------
    def _supply(self) -> None:
        s, rng, cats = self.s, self.rng, CATEGORIES
        comps = self.comps
        n = len(comps)
        countries = np.array([c for c, _ in SUPPLIER_COUNTRIES], dtype=object)
        weights = np.array([w for _, w in SUPPLIER_COUNTRIES])
        f_country = rng.choice(countries, s.foreign_suppliers, p=weights / weights.sum())
        f_country[: min(2, s.foreign_suppliers)] = ["CN", "KR"][: min(2, s.foreign_suppliers)]
        f_names = np.array([f"{c}-SUP-{i + 1:03d}" for i, c in enumerate(f_country)], dtype=object)
        l_city = rng.integers(0, len(CITIES), s.local_suppliers)
        l_names = np.array(
            [f"IN-{CITIES[c][0]}-{i + 1:03d}" for i, c in enumerate(l_city)], dtype=object
        )
        self.f_names, self.f_country, self.l_names = f_names, f_country, l_names
        self.l_state = np.array([CITIES[c][1] for c in l_city], dtype=object)
        # each supplier serves some categories; every category has >= 1 supplier
        n_cat = len(cats)

        def serve(k: int, per: int) -> np.ndarray:
            m = rng.random((k, n_cat)) < per / n_cat
            for c in range(n_cat):  # round-robin guarantee
                m[c % k, c] = True
            return m

        f_serves = serve(s.foreign_suppliers, 4)
        l_serves = serve(s.local_suppliers, 2)
        cat = comps["cat"].to_numpy()
        need = comps["item"].map(self.comp_need.groupby("item")["qty"].sum()).fillna(0.0)
        # imports: 1-2 offers from foreign suppliers serving the category
        n_imp = rng.integers(1, 3, n)
        keys = rng.gumbel(size=(n, s.foreign_suppliers)) + np.where(
            f_serves[:, cat].T, 0.0, -np.inf
        )
        order = np.argsort(-keys, axis=1, kind="stable")[:, :2]
        ok = np.take_along_axis(keys, order, axis=1) > -np.inf
        take = ok & (np.arange(2)[None, :] < n_imp[:, None])
        ci, slot = np.nonzero(take)
        sup = order[ci, slot]
        imp = pd.DataFrame(
            {
                "supplier": f_names[sup],
                "item": comps["item"].to_numpy(object)[ci],
                "price": _round(
                    comps["price"].to_numpy()[ci] * rng.uniform(0.95, 1.05, ci.size), 0.5
                ),
                "capacity": np.nan,
                "lead_time": ((slot == 1) & (rng.random(ci.size) < 0.5)).astype(int),
                "local_content": 0.0,
            }
        )
        # local offers
        local_p = np.array([c[3] for c in cats])[cat]
        has_local = rng.random(n) < local_p
        keys = rng.gumbel(size=(n, s.local_suppliers)) + np.where(l_serves[:, cat].T, 0.0, -np.inf)
        best = np.argmax(keys, axis=1)
        li = np.flatnonzero(has_local)
        lc_lo = np.array([c[4][0] for c in cats])[cat[li]]
        lc_hi = np.array([c[4][1] for c in cats])[cat[li]]
        limited = rng.random(li.size) < 0.5
        cap = np.where(
            limited,
            np.maximum(_round(need.to_numpy()[li] * rng.uniform(0.4, 1.3, li.size), 100.0), 100),
            np.nan,
        )
        loc = pd.DataFrame(
            {
                "supplier": l_names[best[li]],
                "item": comps["item"].to_numpy(object)[li],
                "price": _round(
                    comps["price"].to_numpy()[li] * rng.uniform(1.04, 1.15, li.size), 0.5
                ),
                "capacity": cap,
                "lead_time": 0,
                "local_content": np.round(rng.uniform(lc_lo, lc_hi), 2),
            }
        )
        self.supply = pd.concat([imp, loc], ignore_index=True)
        self.supply = self.supply.sort_values(["item", "supplier"], ignore_index=True)
        # holding cost: 2.5% of value per quarter
        rate = 0.025 / (3 if s.monthly else 1)
        comp_hold = comps.set_index("item")["price"] * rate
        self.holding = comp_hold

    # -- lanes ----------------------------------------------------------------------------
    def _lanes(self) -> None:
        rng, monthly = self.rng, self.s.monthly
        sup_country = dict(zip(self.f_names, self.f_country, strict=True))
        sup_country.update(dict.fromkeys(self.l_names, "IN"))
        # supplier -> plant: a generic lane wherever the supplier offers something needed
        pairs = self.supply[["supplier", "item"]].merge(
            self.comp_need[["plant", "item"]], on="item"
        )
        pairs = pairs[["supplier", "plant"]].drop_duplicates(ignore_index=True)
        country = pairs["supplier"].map(sup_country).to_numpy(object)
        local = country == "IN"
        n = len(pairs)
        far = np.isin(country, _FAR)
        sea_lead = np.where(far, 2, 1) if monthly else (rng.random(n) < 0.1).astype(int)
        mode = np.where(local, "road", "sea")
        cost = np.where(local, rng.uniform(2, 12, n), rng.uniform(5, 30, n))
        lead = np.where(local, 0, sea_lead)
        lanes = [
            pd.DataFrame(
                {
                    "origin": pairs["supplier"],
                    "destination": pairs["plant"],
                    "item": None,
                    "mode": mode,
                    "cost": np.round(cost, 1),
                    "lead_time": lead,
                    "capacity": np.nan,
                }
            )
        ]
        # air as well: every import pair with monthly periods (sea takes 1-2 months), else
        # a quarter of them and all from KR/TW (chips)
        air = ~local & (monthly | (rng.random(n) < 0.25) | np.isin(country, ("KR", "TW")))
        lanes.append(
            pd.DataFrame(
                {
                    "origin": pairs["supplier"][air],
                    "destination": pairs["plant"][air],
                    "item": None,
                    "mode": "air",
                    "cost": np.round(rng.uniform(15, 60, int(air.sum())), 1),
                    "lead_time": 0,
                    "capacity": np.nan,
                }
            )
        )
        # sub-assemblies from hub plants
        hr = self.hub_routes
        lanes.append(
            pd.DataFrame(
                {
                    "origin": hr["hub"],
                    "destination": hr["plant"],
                    "item": hr["child"],
                    "mode": "road",
                    "cost": np.round(rng.uniform(3, 15, len(hr)), 1),
                    "lead_time": 0,
                    "capacity": np.nan,
                }
            )
        )
        # plants -> every warehouse (bulky TV-like families by item-specific dearer lanes)
        plants = np.unique(self.product_rows["plant"].to_numpy(object))
        dcs = self._warehouses()
        pw = pd.DataFrame(
            {
                "origin": np.repeat(plants, len(dcs)),
                "destination": np.tile(dcs, len(plants)),
            }
        )
        pw["cost"] = np.round(rng.uniform(5, 40, len(pw)), 1)
        pw["lead_time"] = (rng.random(len(pw)) < (0.1 if monthly else 0.0)).astype(int)
        lanes.append(pw.assign(item=None, mode="road", capacity=np.nan))
        bulky = self.product_rows[self.product_rows["item"].str.startswith(("TV-", "MN-"))].merge(
            pw, left_on="plant", right_on="origin"
        )
        lanes.append(
            pd.DataFrame(
                {
                    "origin": bulky["origin"],
                    "destination": bulky["destination"],
                    "item": bulky["item"],
                    "mode": "road",
                    "cost": np.round(bulky["cost"] * rng.uniform(4, 8, len(bulky)), 1),
                    "lead_time": bulky["lead_time"],
                    "capacity": np.nan,
                }
            )
        )
        # warehouses -> domestic markets: each market from 2 warehouses
        n_dom = len(self.dom_markets)
        first = np.arange(n_dom) % len(dcs)
        second = (first + 1 + rng.integers(0, max(1, len(dcs) - 1), n_dom)) % len(dcs)
        wm = pd.DataFrame(
            {
                "origin": np.concatenate([dcs[first], dcs[second]]),
                "destination": np.concatenate([self.dom_markets, self.dom_markets]),
            }
        ).drop_duplicates(ignore_index=True)
        lanes.append(
            wm.assign(
                item=None,
                mode="road",
                cost=np.round(rng.uniform(5, 25, len(wm)), 1),
                lead_time=0,
                capacity=np.nan,
            )
        )
        # plants -> export markets: sea, and air with a capacity for some
        sold = self.sold[self.sold["export"]]
        ex = (
            sold.merge(self.product_rows, on="item")
            .groupby(["plant", "market"], as_index=False)
            .agg(qty=("qty", "sum"))
        )
        ne = len(ex)
        lanes.append(
            pd.DataFrame(
                {
                    "origin": ex["plant"],
                    "destination": ex["market"],
                    "item": None,
                    "mode": "sea",
                    "cost": np.round(rng.uniform(20, 60, ne), 1),
                    "lead_time": 1,
                    "capacity": np.nan,
                }
            )
        )
        by_air = rng.random(ne) < 0.3
        lanes.append(
            pd.DataFrame(
                {
                    "origin": ex["plant"][by_air],
                    "destination": ex["market"][by_air],
                    "item": None,
                    "mode": "air",
                    "cost": np.round(rng.uniform(80, 160, int(by_air.sum())), 1),
                    "lead_time": 0,
                    "capacity": _round(
                        ex["qty"][by_air] * rng.uniform(0.1, 0.4, int(by_air.sum())), 10.0
                    ),
                }
            )
        )
        self.lanes = pd.concat(lanes, ignore_index=True)
        self.dcs = dcs

    def _warehouses(self) -> np.ndarray:
        return np.array(
            [
                f"DC-{DCS[i % len(DCS)][0]}" + ("" if i < len(DCS) else f"-{i // len(DCS) + 1}")
                for i in range(self.s.warehouses)
            ],
            dtype=object,
        )

    # -- resources -----------------------------------------------------------------------
    def _resources(self) -> None:
        rng, T = self.rng, self.T
        rows = self.production_rows.merge(self.row_load, on=["plant", "item"], how="left")
        rows["qty"] = rows["qty"].fillna(0.0)
        code = rows["item"].str.split("-").str[0]
        is_product = rows["item"].isin(set(self.products["item"]))
        rows["resource"] = np.where(is_product, "ASSY-" + code, "SMT")
        rows["usage"] = np.where(is_product, rng.choice([1.0, 1.0, 1.25, 1.5], len(rows)), 1.0)
        rows["usage"] = np.where(
            ~is_product, rng.choice([0.5, 1.0, 1.0, 1.2], len(rows)), rows["usage"]
        )
        rows["cost"] = rows["item"].map(self.conversion) * rng.uniform(0.9, 1.1, len(rows))
        rows["cost"] = rows["cost"].round(0)
        self.production = rows[["plant", "item", "cost", "resource", "usage"]].copy()
        load = (rows["qty"] * rows["usage"]).groupby([rows["plant"], rows["resource"]]).sum()
        res = load.reset_index(name="load")
        n = len(res)
        tight = rng.random(n) < 0.15
        slack = np.where(tight, rng.uniform(0.95, 1.1, n), rng.uniform(1.3, 1.8, n))
        res["capacity"] = np.maximum(_round(res["load"] * slack, 100.0), 100.0)
        base = res[["plant", "resource", "capacity"]].assign(period=None)
        # time-varying: a second line from mid-horizon, or an extra festive shift
        varying = np.flatnonzero(rng.random(n) < 0.3)
        expand = rng.random(varying.size) < 0.5
        later = np.zeros(T, bool)
        later[T // 2 :] = True
        when = np.where(expand[:, None], later[None, :], (self.season >= 1.3)[None, :])
        r, t = np.nonzero(when)
        row = varying[r]
        factor = np.where(expand[r], 1.3, 1.15)
        timed_df = pd.DataFrame(
            {
                "plant": res["plant"].to_numpy(object)[row],
                "resource": res["resource"].to_numpy(object)[row],
                "period": np.asarray(self.labels, dtype=object)[t],
                "capacity": _round(res["capacity"].to_numpy(float)[row] * factor, 100.0),
            }
        )
        self.resources = pd.concat([base, timed_df], ignore_index=True)[
            ["plant", "resource", "period", "capacity"]
        ]

    # -- duties -------------------------------------------------------------------------
    def _duties(self) -> None:
        rng, T, labels = self.rng, self.T, self.labels
        rows: list[tuple[Any, ...]] = []
        change_at = labels[T // 2]
        before = labels[T // 2 - 1]
        for name, hs, _p, _l, _lc, rate, later, _c, _w in CATEGORIES:
            del name
            if later is None:
                rows.append((None, hs, None, None, rate, None, None))
            else:
                rows.append((None, hs, None, None, rate, None, before))
                rows.append((None, hs, None, None, later, change_at, None))
        # a free-trade preference: Korean chips and memory at 0 (already 0), displays 5%
        rows.append((None, "8524", "KR", None, 0.05, None, None))
        # item rows for a few components (e.g. a notified tariff line)
        comps = self.comps[self.comps["family"] >= 0]
        some = comps.sample(n=max(1, len(comps) // 30), random_state=rng)
        for item in some["item"]:
            rows.append((item, None, None, None, float(rng.choice([0.0, 0.05, 0.2])), None, None))
        # export markets: duty on the product families they buy
        for cc in np.unique(self.exp_country):
            for _fname, _code, hs, _sa, exported in self.fams[: len(FAMILIES)]:
                if exported:
                    rows.append((None, hs[:4], "IN", cc, float(rng.choice([0.0, 0.025, 0.05])),
                                 None, None))  # fmt: skip
        self.duties = pd.DataFrame(
            rows,
            columns=[
                "item",
                "hs_code",
                "origin_country",
                "destination_country",
                "rate",
                "period_from",
                "period_to",
            ],
        ).drop_duplicates(
            ["item", "hs_code", "origin_country", "destination_country", "period_from"]
        )  # e.g. smartphones and wearables share 8517

    # -- targets, items, sites ------------------------------------------------------------
    def _targets(self) -> None:
        """Network target rising from 35% to 65% of the share local offers allow at mean
        demand; a quarter of the plants with a target of half their own share."""
        rng, T = self.rng, self.T
        sup = self.supply
        local = sup[sup["local_content"] > 0].drop_duplicates("item").set_index("item")
        imp = sup[sup["local_content"] == 0].groupby("item")["price"].min()
        need = self.comp_need.copy()
        total_need = need.groupby("item")["qty"].transform("sum")
        cap = need["item"].map(local["capacity"]).astype(float).fillna(np.inf)
        frac = np.where(need["item"].isin(local.index), np.minimum(1.0, cap / total_need), 0.0)
        c_l = need["item"].map(local["price"]).fillna(0.0).to_numpy()
        lam = need["item"].map(local["local_content"]).fillna(0.0).to_numpy()
        c_i = need["item"].map(imp).fillna(need["item"].map(local["price"])).to_numpy()
        need["lv"] = need["qty"] * frac * c_l * lam
        need["tv"] = need["qty"] * (frac * c_l + (1 - frac) * c_i)
        share = need["lv"].sum() / need["tv"].sum()
        self.local_share_max = float(share)
        ramp = 0.35 + 0.3 * np.arange(T) / max(1, T - 1)
        rows: list[tuple[str, str | None, float]] = [
            ("network", p, float(np.floor(share * r * 200) / 200))
            for p, r in zip(self.labels, ramp, strict=True)
        ]
        by_plant = need.groupby("plant")[["lv", "tv"]].sum()
        chosen = by_plant.index[rng.random(len(by_plant)) < 0.25]
        for plant in chosen:
            s = by_plant.loc[plant, "lv"] / by_plant.loc[plant, "tv"]
            rows.append((str(plant), None, float(np.floor(s * 0.5 * 200) / 200)))
        self.targets = pd.DataFrame(rows, columns=["scope", "period", "min_local_share"])
        self._items_table()
        self._sites_table()

    def _items_table(self) -> None:
        s = self.s
        rate = 0.025 / (3 if s.monthly else 1)
        fam_name = np.array([f[0] for f in self.fams], dtype=object)
        cat_name = np.array([c[0] for c in CATEGORIES], dtype=object)
        cat_hs = np.array([c[1] for c in CATEGORIES], dtype=object)
        prod_value = pd.Series(self.product_price, index=self.products["item"].to_numpy())
        products = pd.DataFrame(
            {
                "item": self.products["item"],
                "kind": "product",
                "hs_code": self.products["hs_code"],
                "group": fam_name[self.products["family"].to_numpy()],
                "holding_cost": np.round(prod_value.to_numpy() * rate / 1.4, 2),
                "description": "product of family " + fam_name[self.products["family"]],
            }
        )
        sa_cost = self.sas["item"].map(self.made_cost)
        sas = pd.DataFrame(
            {
                "item": self.sas["item"],
                "kind": "subassembly",
                "hs_code": self.sas["hs_code"],
                "group": fam_name[self.sas["family"].to_numpy()],
                "holding_cost": np.round(sa_cost.to_numpy() * rate, 2),
                "description": np.where(self.sas["level"] == 1, "sub-assembly", "module"),
            }
        )
        comps = pd.DataFrame(
            {
                "item": self.comps["item"],
                "kind": "component",
                "hs_code": cat_hs[self.comps["cat"].to_numpy()],
                "group": np.where(
                    self.comps["family"] < 0,
                    "common",
                    fam_name[self.comps["family"].clip(lower=0).to_numpy()],
                ),
                "holding_cost": np.round(self.comps["price"].to_numpy() * rate, 2),
                "description": cat_name[self.comps["cat"].to_numpy()],
            }
        )
        self.items = pd.concat([products, sas, comps], ignore_index=True)
        spec = self.specific_bom[["parent", "child", "qty_per", "site"]]
        self.bom = pd.concat([self.general_bom.assign(site=None), spec], ignore_index=True)

    def _sites_table(self) -> None:
        rng = self.rng
        frames = [
            pd.DataFrame(
                {"site": self.l_names, "kind": "supplier", "country": "IN",
                 "region": self.l_state, "partner": "local supplier"}
            ),
            pd.DataFrame(
                {"site": self.f_names, "kind": "supplier", "country": self.f_country,
                 "region": None, "partner": "overseas supplier"}
            ),
            pd.DataFrame(
                {"site": self.plant_names, "kind": "plant", "country": "IN",
                 "region": self.plant_state,
                 "partner": [n.split("-")[1] for n in self.plant_names]}
            ),
        ]  # fmt: skip
        dcs = self.dcs
        dom_demand = self.sold.loc[~self.sold["export"], "qty"].sum()
        storage = _round(dom_demand / len(dcs) * rng.uniform(1.5, 3.0, len(dcs)), 1000.0)
        storage[rng.random(len(dcs)) < 0.2] *= 0.3  # a tight warehouse now and then
        frames.append(
            pd.DataFrame(
                {"site": dcs, "kind": "warehouse", "country": "IN",
                 "region": [DCS[i % len(DCS)][1] for i in range(len(dcs))],
                 "partner": "3PL", "storage_capacity": storage}
            )
        )  # fmt: skip
        frames.append(
            pd.DataFrame(
                {"site": self.dom_markets, "kind": "market", "country": "IN",
                 "region": [m.split("-")[1] for m in self.dom_markets],
                 "partner": [m.split("-")[2].lower() for m in self.dom_markets]}
            )
        )  # fmt: skip
        frames.append(
            pd.DataFrame(
                {"site": self.exp_markets, "kind": "market", "country": self.exp_country,
                 "region": None, "partner": "distributor"}
            )
        )  # fmt: skip
        sites = pd.concat(frames, ignore_index=True)
        # only sites that take part: suppliers with offers, plants with production
        active = set(self.supply["supplier"]) | set(self.production["plant"])
        keep = ~sites["kind"].isin(["supplier", "plant"]) | sites["site"].isin(active)
        self.sites = sites[keep].reset_index(drop=True)
        self.lanes = self.lanes[
            self.lanes["origin"].isin(self.sites["site"])
            & self.lanes["destination"].isin(self.sites["site"])
        ].reset_index(drop=True)
