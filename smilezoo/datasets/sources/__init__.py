"""Raw data sets as they are on disk: index the scans, parse names, read geometry.

``tools/prepare_data.py`` reads a source once and caches rendered views; the
training-time datasets only read that cache. 3D: one record per scan
(ScanSource); 4D: one record per sequence, frames read on demand
(SequenceSource).
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
