"""Readers (and, for the synthetic data, writers) of the on-disk scan formats."""
from .vrml import read_vrml

__all__ = ['read_vrml']

# Bosphorus: .bnt range grids and .lm3 landmarks.
from .bnt import BntScan, grid_triangles, read_bnt, write_bnt  # noqa: E402
from .lm3 import BOSPHORUS_LANDMARKS, read_lm3, write_lm3  # noqa: E402

__all__ += ['BOSPHORUS_LANDMARKS', 'BntScan', 'grid_triangles', 'read_bnt',
            'read_lm3', 'write_bnt', 'write_lm3']

# Wavefront .obj (BP4D, 4DME frames).
from .obj import read_obj, write_obj  # noqa: E402

__all__ += ['read_obj', 'write_obj']

from .read_any import read_scan  # noqa: E402  .wrl/.obj/.ply/.bnt, chosen by extension
__all__ += ['read_scan']

# Binghamton .bnd landmarks (BU-3DFE *_F3D.bnd, BU-4DFE BU4DFE_BND_V1.1/).
from .bnd import BndLandmarks, read_bnd, write_bnd  # noqa: E402

__all__ += ['BndLandmarks', 'read_bnd', 'write_bnd']
