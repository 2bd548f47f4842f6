"""Raw data sets as they are on disk: index the scans, parse names, read geometry.

``tools/prepare_data.py`` reads a source once and caches rendered views; the
training-time datasets only read that cache.
"""
from .base import ScanSource, SequenceError, SequenceSource, sample_frames
from .bu3dfe import BU3DFEScans, parse_bu3dfe_name

__all__ = ['BU3DFEScans', 'ScanSource', 'SequenceError', 'SequenceSource', 'parse_bu3dfe_name',
           'sample_frames']

from .bosphorus import BosphorusScans, parse_bosphorus_name  # noqa: E402

__all__ += ['BosphorusScans', 'parse_bosphorus_name']

# 4D: one record per sequence, frames read on demand (SequenceSource).
from .bp4d import BP4DSequences  # noqa: E402
from .bu4dfe import BU4DFESequences  # noqa: E402
from .fourdme import FourDMESequences  # noqa: E402

__all__ += ['BP4DSequences', 'BU4DFESequences', 'FourDMESequences']
