"""View renderers: scans (meshes or point clouds) -> stacks of 2D views.

Importing this package registers :class:`MultiViewRenderer` in
``smilezoo.registry.TRANSFORMS``.
"""
from .geometry import (normalisation, normalise_vertices, view_rotation,
                       view_rotations)
from .multi_view_renderer import MODE_CHANNELS, MultiViewRenderer

__all__ = [
    'MODE_CHANNELS', 'MultiViewRenderer', 'normalisation',
    'normalise_vertices', 'view_rotation', 'view_rotations'
]
