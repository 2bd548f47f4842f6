"""Raw data sets as they are on disk: index the scans, parse names, read geometry.

``tools/prepare_data.py`` reads a source once and caches rendered views; the
training-time datasets only read that cache.
"""
from .bu3dfe import BU3DFEScans, parse_bu3dfe_name

__all__ = ['BU3DFEScans', 'parse_bu3dfe_name']

from .bosphorus import BosphorusScans, parse_bosphorus_name  # noqa: E402

__all__ += ['BosphorusScans', 'parse_bosphorus_name']

