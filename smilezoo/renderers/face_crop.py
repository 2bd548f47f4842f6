"""Face-region crop: keep the part of a scan within a sphere around the nose tip.

For scans with hair, neck or shoulders (BU-3DFE ``_RAW.wrl``, BP4D frames, a user's scans), whose
face would otherwise fill a small part of the views (docs/datasets.md, "Rendering"). The nose
tip, in the scan frame of :mod:`smilezoo.renderers.geometry` (y up, face toward +z):

* from landmarks (``Mesh.landmarks``, e.g. a ``.bnd`` file) when the mesh has them: the landmark
  farthest toward +z (whatever the landmark numbering). It must lie within ``0.2 * radius`` of a
  vertex, else ValueError;
* else from the geometry: among the points no lower than ``head_band * radius`` below the top of
  the scan (robust top: 99.5th percentile of y, so shoulders and chest are out of reach), the
  median of the few points farthest toward +z.
"""
from dataclasses import replace
from typing import List, Optional, Sequence

import numpy as np

from smilezoo.structures import Mesh
from smilezoo.registry import TRANSFORMS

__all__ = ['FaceCrop', 'build_face_crop']


@TRANSFORMS.register_module()
class FaceCrop:
    """Keep the vertices within ``radius`` of the nose tip (and the faces whose three corners
    are kept).

    As a pipeline step: required key ``mesh`` (Mesh), modified key ``mesh``, added key
    ``face_centre`` ((3,) float32 nose tip). As a renderer option:
    ``MultiViewRenderer(face_crop=dict(radius=100))``.

    Args:
        radius: sphere radius in the scan's units (default 100 mm, the usual crop of 3D face
            recognition; 0.1 for a scan in metres).
        use_landmarks: take the nose tip from ``Mesh.landmarks`` when present.
        head_band: geometric search band below the top of the scan, in radii.
        min_vertices: fewer kept vertices is an error (radius in the wrong units, or not a face).
    """

    def __init__(self, radius: float = 100.0, use_landmarks: bool = True,
                 head_band: float = 2.0, min_vertices: int = 50):
        if not (float(radius) > 0 and np.isfinite(radius)):
            raise ValueError(f'face_crop.radius must be > 0 (scan units, mm), got {radius!r}')
        if not float(head_band) > 0:
            raise ValueError(f'face_crop.head_band must be > 0, got {head_band!r}')
        self.radius = float(radius)
        self.use_landmarks = bool(use_landmarks)
        self.head_band = float(head_band)
        self.min_vertices = int(min_vertices)

    def nose_tip(self, mesh: Mesh) -> np.ndarray:
        """(3,) float64 nose tip of ``mesh`` (see the module docstring)."""
        verts = np.asarray(mesh.vertices, np.float64).reshape(-1, 3)
        if len(verts) == 0:
            raise ValueError('face crop: the scan has no vertices')
        lmk = getattr(mesh, 'landmarks', None)
        if self.use_landmarks and lmk is not None and len(lmk):
            tip = np.asarray(lmk, np.float64).reshape(-1, 3)
            tip = tip[np.argmax(tip[:, 2])]
            gap = float(np.sqrt(((verts - tip) ** 2).sum(axis=1).min()))
            if gap > 0.2 * self.radius:
                raise ValueError(
                    f'face crop: the landmark nose tip {np.round(tip, 1).tolist()} is '
                    f'{gap:.1f} units from the nearest vertex of the scan (landmarks of '
                    f'another scan or frame?); set face_crop.use_landmarks=False to find '
                    f'the tip from the geometry')
            return tip
        pts = verts[::max(1, len(verts) // 50000)]
        top = np.percentile(pts[:, 1], 99.5)
        band = pts[pts[:, 1] >= top - self.head_band * self.radius]
        k = max(5, len(band) // 500)
        front = band[np.argpartition(-band[:, 2], min(k, len(band)) - 1)[:k]]
        return np.median(front, axis=0)

    def crop(self, mesh: Mesh, centre: Optional[np.ndarray] = None) -> Mesh:
        """The part of ``mesh`` within ``radius`` of ``centre`` (default its nose tip): a new Mesh
        (vertices re-indexed, texture indices and landmarks kept).

        Raises:
            ValueError: fewer than ``min_vertices`` kept, or a scan much smaller than the sphere
                (radius in the wrong units).
        """
        centre = self.nose_tip(mesh) if centre is None else np.asarray(centre, np.float64)
        verts = np.asarray(mesh.vertices)
        extent = float(np.ptp(verts, axis=0).max()) if len(verts) else 0.0
        if extent < self.radius / 4:
            raise ValueError(
                f'face crop: face_crop.radius={self.radius:g} is far larger than the whole '
                f'scan (extent {extent:.3g}); the radius is in the scan\'s units (100 for '
                f'millimetres, 0.1 for metres)')
        inside = ((verts.astype(np.float64) - centre) ** 2).sum(axis=1) <= self.radius ** 2
        kept = int(inside.sum())
        if kept < self.min_vertices:
            raise ValueError(
                f'face crop: only {kept} of {len(verts)} vertices lie within '
                f'face_crop.radius={self.radius:g} of the nose tip '
                f'{np.round(centre, 1).tolist()}; is the radius in the scan\'s units '
                f'(100 for millimetres, 0.1 for metres)?')
        if mesh.is_point_cloud:
            return replace(mesh, vertices=verts[inside], faces=None, face_texcoords=None)
        faces = np.asarray(mesh.faces)
        keep = inside[faces].all(axis=1)
        new_id = np.cumsum(inside) - 1
        ftc = mesh.face_texcoords
        return replace(mesh, vertices=verts[inside], faces=new_id[faces[keep]],
                       face_texcoords=None if ftc is None else np.asarray(ftc)[keep])

    def crop_sequence(self, meshes: Sequence[Mesh]) -> List[Mesh]:
        """Crop every frame with one sphere: centre = the median of the frames' nose tips, so
        the crop boundary does not jitter between frames."""
        if not meshes:
            return []
        centre = np.median([self.nose_tip(m) for m in meshes], axis=0)
        return [self.crop(m, centre) for m in meshes]

    def transform(self, results: dict) -> dict:
        if 'mesh' not in results:
            raise KeyError("FaceCrop needs results['mesh']")
        mesh = results['mesh']
        if isinstance(mesh, np.ndarray):
            mesh = Mesh(np.asarray(mesh, np.float32).reshape(-1, 3))
        centre = self.nose_tip(mesh)
        results['mesh'] = self.crop(mesh, centre)
        results['face_centre'] = centre.astype(np.float32)
        return results

    def __call__(self, results: dict) -> dict:
        return self.transform(results)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(radius={self.radius:g}, use_landmarks='
                f'{self.use_landmarks}, head_band={self.head_band:g})')


def build_face_crop(spec) -> Optional[FaceCrop]:
    """A renderer's ``face_crop`` option -> FaceCrop or None: None / False: no crop; True: the
    defaults; a dict: FaceCrop keyword arguments (``type`` optional); a FaceCrop: itself."""
    if spec is None or spec is False:
        return None
    if spec is True:
        return FaceCrop()
    if isinstance(spec, FaceCrop):
        return spec
    if isinstance(spec, dict):
        kwargs = {k: v for k, v in dict(spec).items() if k != 'type'}
        if spec.get('type', 'FaceCrop') != 'FaceCrop':
            raise ValueError(f"face_crop type must be 'FaceCrop', got {spec['type']!r}")
        try:
            return FaceCrop(**kwargs)
        except TypeError as e:
            raise ValueError(f'face_crop={dict(spec)!r}: {e} (keys: radius, use_landmarks, '
                             f'head_band, min_vertices)') from None
    raise ValueError(f'face_crop must be None, True or dict(radius=...), got {spec!r}')
