"""The in-memory geometry every reader returns and every renderer takes."""
from dataclasses import dataclass
from typing import Optional

import numpy as np


class ScanFormatError(ValueError):
    """A scan file that cannot be read; the message names the file and the fault."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f'{self.path}: {problem}')


@dataclass
class Mesh:
    """A triangle mesh or, with ``faces=None``, a bare point cloud.

    Attributes:
        vertices: (V, 3) float32, in the file's units (millimetres for the Binghamton sets).
        faces: (F, 3) int64 indices into ``vertices``, or None for points.
        texcoords: optional (T, 2) float32 texture coordinates.
        face_texcoords: optional (F, 3) int64 indices into ``texcoords`` (texture indices are NOT
            per vertex in VRML files).
        texture: optional texture file name as written in the file.
        landmarks: optional (L, 3) float32 landmark points in the same coordinates (e.g. a .bnd file
            beside the scan); readers leave it None, sources attach it.
    """
    vertices: np.ndarray
    faces: Optional[np.ndarray] = None
    texcoords: Optional[np.ndarray] = None
    face_texcoords: Optional[np.ndarray] = None
    texture: Optional[str] = None
    landmarks: Optional[np.ndarray] = None

    @property
    def is_point_cloud(self) -> bool:
        return self.faces is None or len(self.faces) == 0
