"""HS codes (Harmonized System): what a valid code is, its digits, and prefix matching.

An item's ``hs_code`` and a duty's or a trade rule's ``hs_code`` are compared by
their digits only (``8517.13`` and ``851713`` are the same code): a duty or rule
row given an HS code applies to every item whose code starts with its digits.
"""

from __future__ import annotations

import pandas as pd

#: An HS code: digits, optionally in groups separated by single dots (8517, 8517.13).
HS_CODE_PATTERN = r"\d+(?:\.\d+)*"
#: Fewest and most digits of an HS code (a chapter has 2; national lines have up to 10).
HS_CODE_DIGITS = (2, 10)


def is_hs_code(codes: pd.Series) -> pd.Series:
    """True where a cell is an HS code (:data:`HS_CODE_PATTERN`, with
    :data:`HS_CODE_DIGITS` digits in all); False where it is not or is blank."""
    low, high = HS_CODE_DIGITS
    values = codes.astype("string")
    digits = values.str.count(r"\d")
    ok = values.str.fullmatch(HS_CODE_PATTERN) & (digits >= low) & (digits <= high)
    return ok.fillna(False).astype(bool)


def hs_digits(codes: pd.Series) -> pd.Series:
    """The digits of each HS code (dots and surrounding spaces removed); blank stays blank."""
    return codes.astype("string").str.replace(".", "", regex=False).str.strip()


def hs_matches(codes: pd.Series, prefixes: pd.Series) -> pd.Series:
    """True where the digits of ``codes`` start with the digits of ``prefixes`` (element
    by element, both as :func:`hs_digits` gives them); False where either is blank."""
    return pd.Series(
        [
            isinstance(code, str) and isinstance(prefix, str) and code.startswith(prefix)
            for code, prefix in zip(codes, prefixes, strict=True)
        ],
        index=codes.index,
        dtype=bool,
    )
