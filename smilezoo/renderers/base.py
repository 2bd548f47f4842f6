"""What every view renderer shares: the view settings, the scan's preparation and
the pipeline step around its ``render``."""
import numpy as np

from smilezoo.structures import Mesh

from .face_crop import build_face_crop
from .geometry import normalise_vertices, view_rotations


class ViewRenderer:
    """Pipeline step: ``results['mesh']`` -> ``views``, ``view_yaws``, ``view_pitches``.

    Subclasses call ``_init_views`` and give ``render(mesh)``.
    """

    def _init_views(self, yaws, pitches, window, knn, num_threads, drop_mesh, face_crop):
        """Set the arguments every renderer takes (as :class:`MultiViewRenderer`)."""
        self.yaws = tuple(float(y) for y in np.atleast_1d(yaws))
        self.pitches = pitches
        self.rotations = view_rotations(self.yaws, pitches)
        self.window = float(window)
        self.knn = int(knn)
        self.num_threads = int(num_threads)
        self.drop_mesh = drop_mesh
        self.face_crop = build_face_crop(face_crop)

    @property
    def view_pitches(self) -> np.ndarray:
        """(N_views,) pitch of each view in degrees."""
        pitch = 0.0 if self.pitches is None else self.pitches
        return np.broadcast_to(np.asarray(pitch, np.float32), (len(self.yaws), )).copy()

    def _prepare(self, mesh, crop: bool, normalisation):
        """Mesh or (V, 3) points -> (the Mesh, after ``face_crop`` when ``crop``;
        its (V, 3) float32 vertices normalised by ``normalisation`` or their own)."""
        if isinstance(mesh, np.ndarray):
            mesh = Mesh(np.asarray(mesh, np.float32).reshape(-1, 3))
        if not isinstance(mesh, Mesh):
            raise TypeError(f'{type(self).__name__} needs a Mesh, got {type(mesh).__name__}')
        if len(mesh.vertices) == 0:
            raise ValueError('cannot render a mesh without vertices')
        if crop and self.face_crop is not None:
            mesh = self.face_crop.crop(mesh)
        return mesh, normalise_vertices(mesh.vertices, normalisation)

    def transform(self, results: dict) -> dict:
        """Add ``views``, ``view_yaws`` and ``view_pitches`` to ``results``."""
        if 'mesh' not in results:
            raise KeyError(f"{type(self).__name__} needs results['mesh']")
        results['views'] = self.render(results['mesh'])
        results['view_yaws'] = np.asarray(self.yaws, np.float32)
        results['view_pitches'] = self.view_pitches
        if self.drop_mesh:
            del results['mesh']
        return results

    def __call__(self, results: dict) -> dict:
        return self.transform(results)
