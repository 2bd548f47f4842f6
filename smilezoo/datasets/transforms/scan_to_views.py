"""Scan -> views: the pipeline of registered transforms that renders raw data for prepare_data
and infer (:func:`build_view_pipeline`; its chains: docs/architecture.md). A point renderer
(``view_kind = 'points'``) has ``PoolPointFrames`` and ``ToFloat16`` in place of
``PoolDynamicImage`` and ``ToUint8`` (views (N, P, C) float16).
"""
from typing import Callable, Dict, Optional

import numpy as np
from mmengine.dataset import Compose

from smilezoo.registry import TRANSFORMS

from ..sources.base import ScanSource, SequenceSource
from ..temporal import dynamic_image
from .point_views import PoolPointFrames, ToFloat16

__all__ = ['LoadScan', 'LoadSequenceFrames', 'NormaliseFrames', 'RenderViews',
           'PoolDynamicImage', 'ToUint8', 'build_view_pipeline', 'sequence_normalisation']


def _built(renderer):
    return TRANSFORMS.build(dict(renderer)) if isinstance(renderer, dict) else renderer


@TRANSFORMS.register_module()
class LoadScan:
    """Read one scan.

    Required keys: ``source_path`` (a source's record; with ``read_file``, the file's path).
    Added keys: ``mesh`` (:class:`~smilezoo.structures.Mesh`).

    Args:
        source: the ScanSource whose ``load(record)`` reads the scan.
        read_file: ``read_file(path) -> Mesh`` used instead (infer: a user's file).
    """

    def __init__(self, source: Optional[ScanSource] = None, read_file: Optional[Callable] = None):
        if source is None and read_file is None:
            raise ValueError('LoadScan needs a source or read_file')
        self.source, self.read_file = source, read_file

    def __call__(self, results: Dict) -> Dict:
        results['mesh'] = (self.read_file(results['source_path']) if self.read_file
                           else self.source.load(results))
        return results


@TRANSFORMS.register_module()
class LoadSequenceFrames:
    """Read the sampled frames of one sequence.

    Required keys: a :class:`SequenceSource` record's.
    Added keys: ``frame_meshes`` and ``frame_problems`` (what :meth:`SequenceSource.load_frames`
    returns), ``frames_used`` (the distinct sampled frame files that were read).

    Args:
        read_frame: ``read_frame(path) -> Mesh`` instead of the source's own (infer: a user's
            frames, by absolute path).
    """

    def __init__(self, source: SequenceSource, read_frame: Optional[Callable] = None):
        self.source, self.read_frame = source, read_frame

    def __call__(self, results: Dict) -> Dict:
        meshes, problems = self.source.load_frames(results, self.read_frame)
        bad = {p['frame'] for p in problems}
        frames = results['frames']
        results['frames_used'] = [frames[i] for i in dict.fromkeys(
            self.source.sample(results).tolist()) if frames[i] not in bad]
        results['frame_meshes'], results['frame_problems'] = meshes, problems
        return results


def sequence_normalisation(meshes):
    """One (centre (3,), scale) for a sequence: the median of the frames' own robust
    normalisations (smilezoo.renderers.normalisation)."""
    from smilezoo.renderers import normalisation
    norms = [normalisation(m.vertices) for m in meshes]
    return (np.median([c for c, _ in norms], axis=0),
            float(np.median([s for _, s in norms])))


def _distinct(meshes):
    return list({id(m): m for m in meshes}.values())


@TRANSFORMS.register_module()
class NormaliseFrames:
    """Crop and normalise the frames of a sequence together.

    Required keys: ``frame_meshes``.
    Modified keys: ``frame_meshes`` (cut by one face-crop sphere for every frame,
    :meth:`FaceCrop.crop_sequence`, when ``face_crop`` is set).
    Added keys: ``frames_cropped`` (bool); ``normalisation`` ((3,) centre, scale:
    :func:`sequence_normalisation`) when ``normalise='sequence'``.

    Args:
        face_crop: None or a built FaceCrop (the renderer's option).
        normalise: 'sequence' or 'frame' (each frame its own, at rendering).
    """

    def __init__(self, face_crop=None, normalise: str = 'sequence'):
        self.face_crop, self.normalise = face_crop, normalise

    def __call__(self, results: Dict) -> Dict:
        meshes = results['frame_meshes']
        distinct = _distinct(meshes)
        if self.face_crop is not None:
            cropped = dict(zip(map(id, distinct), self.face_crop.crop_sequence(distinct)))
            meshes = [cropped[id(m)] for m in meshes]
            distinct = list(cropped.values())
        results['frame_meshes'] = meshes
        results['frames_cropped'] = self.face_crop is not None
        if self.normalise == 'sequence':
            results['normalisation'] = sequence_normalisation(distinct)
        return results


@TRANSFORMS.register_module()
class RenderViews:
    """Render a scan, or every frame of a sequence, into the views.

    Required keys: ``mesh`` or ``frame_meshes`` (optional ``normalisation``,
    ``frames_cropped`` from :class:`NormaliseFrames`).
    Added keys: ``views`` (N, C, H, W) float32 in [0, 1] for a scan, checked (a degenerate scan
    raises GeometryError: :func:`~smilezoo.renderers.geometry_checks.checked_render`);
    ``frame_views`` (T, N, C, H, W) for a sequence (each distinct frame rendered once).
    Removed keys: ``mesh``, ``frame_meshes``.

    Args:
        renderer: a renderer config (TRANSFORMS, e.g. MultiViewRenderer) or a built renderer.
    """

    def __init__(self, renderer):
        self.renderer = _built(renderer)

    def __call__(self, results: Dict) -> Dict:
        if 'mesh' in results:
            from smilezoo.renderers.geometry_checks import checked_render
            results['views'] = checked_render(self.renderer, results.pop('mesh'))
            return results
        meshes = results.pop('frame_meshes')
        kwargs = dict(crop=not results.get('frames_cropped', False))
        if results.get('normalisation') is not None:
            kwargs['normalisation'] = results['normalisation']
        renders = {id(m): self.renderer.render(m, **kwargs) for m in _distinct(meshes)}
        results['frame_views'] = np.stack([renders[id(m)] for m in meshes])
        return results


@TRANSFORMS.register_module()
class PoolDynamicImage:
    """Approximate rank pooling of a sequence's rendered frames
    (:func:`smilezoo.datasets.temporal.dynamic_image`).

    Required keys: ``frame_views`` (T, N, C, H, W).
    Added keys: ``views`` (N, C, H, W) float32 in [0, 1].
    Removed keys: ``frame_views``.
    """

    name = 'approx_rank_pooling'
    unused_settings = ()  # of the source's temporal settings: it uses all of them

    def __init__(self, rescale: str = 'symmetric', percentile: float = 99.0):
        self.rescale, self.percentile = rescale, percentile

    def __call__(self, results: Dict) -> Dict:
        results['views'] = dynamic_image(results.pop('frame_views'), rescale=self.rescale,
                                         percentile=self.percentile)
        return results


@TRANSFORMS.register_module()
class ToUint8:
    """Views as the view cache stores them.

    Required keys: ``views`` (N, C, H, W) float in [0, 1].
    Modified keys: ``views`` (N, C, H, W) uint8, ``rint(255 v)`` clipped.
    """

    def __call__(self, results: Dict) -> Dict:
        results['views'] = np.clip(np.rint(results['views'] * 255.0), 0, 255).astype(np.uint8)
        return results


def _point_renderer(renderer) -> bool:
    """Whether ``renderer`` (a config or a built one) writes point views."""
    cls = TRANSFORMS.get(renderer['type']) if isinstance(renderer, dict) else type(renderer)
    return getattr(cls, 'view_kind', 'image') == 'points'


def temporal_settings(source, renderer) -> Optional[Dict]:
    """What decides a sequence's pooled views besides the renderer: the source's ``temporal``
    settings less the pooling step's ``unused_settings``, and its ``name``; None for a scan
    source. The cache keeps it as ``metainfo.temporal``."""
    if not isinstance(source, SequenceSource):
        return None
    pool = PoolPointFrames if _point_renderer(renderer) else PoolDynamicImage
    settings = {k: v for k, v in source.temporal.items() if k not in pool.unused_settings}
    return dict(settings, pooling=pool.name)


def build_view_pipeline(source, renderer, read_file: Optional[Callable] = None) -> Compose:
    """The scan -> views pipeline of a source and a renderer (see the module).

    Args:
        source: a built ScanSource or SequenceSource; None for scans read by ``read_file`` only
            (a 3D config without a source).
        renderer: a renderer config or a built renderer.
        read_file: ``path -> Mesh`` reading a user's scan or frame instead of the source's
            files (infer).

    Returns:
        Compose: a record -> results with ``views`` ((N, C, H, W) uint8, or (N, P, C) float16 for
        a point renderer) and, for a sequence, ``frames_used`` and ``frame_problems``.
    """
    renderer = _built(renderer)
    points = _point_renderer(renderer)
    store = ToFloat16() if points else ToUint8()
    if not isinstance(source, SequenceSource):
        return Compose([LoadScan(source, read_file), RenderViews(renderer), store])
    pool = PoolPointFrames() if points else PoolDynamicImage(source.rescale, source.percentile)
    return Compose([LoadSequenceFrames(source, read_file),
                    NormaliseFrames(getattr(renderer, 'face_crop', None), source.normalise),
                    RenderViews(renderer), pool, store])
