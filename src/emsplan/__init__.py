"""emsplan: network planning for electronics brands that build through EMS partners.

The library API::

    import emsplan
    net = emsplan.examples.load("india-2023")   # or emsplan.read("network.xlsx")
    net.validate()
    net.write("network.xlsx")
"""

from __future__ import annotations

from emsplan import examples
from emsplan.io import read
from emsplan.network import Network
from emsplan.problems import InputError, Problem, Severity

__all__ = ["InputError", "Network", "Problem", "Severity", "examples", "read"]
__version__ = "0.1.0"
