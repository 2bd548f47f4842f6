"""Raw data sets as they are on disk: index the scans, parse names, read geometry (read once
by ``tools/prepare_data.py``, which caches the rendered views; training reads only the cache).
"""
from .base import ScanSource, SequenceError, SequenceSource, sample_frames
from .bosphorus import BosphorusScans, parse_bosphorus_name
from .bp4d import BP4DSequences
from .bu3dfe import BU3DFEScans, parse_bu3dfe_name
from .bu4dfe import BU4DFESequences
from .fourdme import FourDMESequences

__all__ = ['BP4DSequences', 'BU3DFEScans', 'BU4DFESequences', 'BosphorusScans',
           'FourDMESequences', 'ScanSource', 'SequenceError', 'SequenceSource',
           'parse_bosphorus_name', 'parse_bu3dfe_name', 'sample_frames']
