"""Readers (and, for the synthetic data, writers) of the on-disk scan formats: VRML .wrl
(BU-3DFE, BU-4DFE), Bosphorus .bnt range grids and .lm3 landmarks, Wavefront .obj (BP4D, 4DME
frames), Binghamton .bnd landmarks (BU-3DFE *_F3D.bnd, BU-4DFE BU4DFE_BND_V1.1/), and read_scan
for .wrl/.obj/.ply/.bnt, chosen by extension."""
from .bnd import BndLandmarks, read_bnd, write_bnd
from .bnt import BntScan, grid_triangles, read_bnt, write_bnt
from .lm3 import BOSPHORUS_LANDMARKS, read_lm3, write_lm3
from .obj import read_obj, write_obj
from .read_any import read_scan
from .vrml import read_vrml

__all__ = ['BOSPHORUS_LANDMARKS', 'BndLandmarks', 'BntScan', 'grid_triangles', 'read_bnd',
           'read_bnt', 'read_lm3', 'read_obj', 'read_scan', 'read_vrml', 'write_bnd',
           'write_bnt', 'write_lm3', 'write_obj']
