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
    """A triangle mesh or, with ``faces=None``, a bare point cloud."""
    vertices: np.ndarray  # (V, 3) float32, in the file's units (mm for the Binghamton sets)
    faces: Optional[np.ndarray] = None  # (F, 3) int64 indices into vertices, or None for points
    texcoords: Optional[np.ndarray] = None  # (T, 2) float32 texture coordinates
    # (F, 3) int64 indices into texcoords (texture indices are NOT per vertex in VRML files)
    face_texcoords: Optional[np.ndarray] = None
    texture: Optional[str] = None  # texture file name as written in the file
    # (L, 3) float32 landmark points in the same coordinates (e.g. a .bnd file beside the scan);
    # readers leave it None, sources attach it
    landmarks: Optional[np.ndarray] = None

    @property
    def is_point_cloud(self) -> bool:
        return self.faces is None or len(self.faces) == 0
