"""Importers: other formats turned into emsplan networks."""
