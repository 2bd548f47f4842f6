"""View renderers: scans (meshes or point clouds) -> stacks of 2D views.

Importing this package registers :class:`MultiViewRenderer`, :class:`PointViewRenderer` (visible
surface points per view) and :class:`FaceCrop` (face-region crop, also a renderer option) in
``smilezoo.registry.TRANSFORMS``.
"""
from .face_crop import FaceCrop, build_face_crop
from .geometry import normalisation, normalise_vertices, view_rotation, view_rotations
from .multi_view_renderer import MODE_CHANNELS, MultiViewRenderer
from .point_view_renderer import POINT_CHANNELS, PointViewRenderer

__all__ = ['FaceCrop', 'MODE_CHANNELS', 'MultiViewRenderer', 'build_face_crop', 'normalisation',
           'normalise_vertices', 'view_rotation', 'view_rotations', 'POINT_CHANNELS',
           'PointViewRenderer']
