"""4D data: which frames to use, how to read them, and the dynamic image.

* :func:`sample_frames` picks frame indices (no file is touched);
* :class:`SequenceSource` (base of the BU-4DFE / BP4D / 4DME sources) reads
  only the sampled frames, skipping and recording unreadable ones;
* :func:`approx_rank_pooling_weights` and :func:`dynamic_image` collapse a
  stack of rendered frames into one image per view (Bilen et al., "Action
  recognition with dynamic image networks", TPAMI 2017, approximate rank
  pooling).

Approximate rank pooling, as in the paper (eq. for alpha_t in Sec. 3.2):
``d = sum_t alpha_t * I_t`` with, for t = 1..T and H_t = sum_{i<=t} 1/i
(H_0 = 0)::

    alpha_t = 2 (T - t + 1) - (T + 1) (H_T - H_{t-1})
            = sum_{k=t..T} (2k - T - 1) / k

It is the first gradient step of RankSVM on the time-averaged frames
``V_t = mean(I_1..I_t)`` (``d ~ sum_t (2t - T - 1) V_t``), written on the raw
frames. What the weights look like (tested): they sum to 0, so a static
sequence gives d = 0; they are negative for roughly the first quarter of the
frames (alpha_1 most negative), largest near the middle (t ~ T/2 + 1 for
T >= 8) and fall again toward alpha_T = 2 - (T + 1)/T ~ 1; e.g. T = 4:
[-2.417, 0.583, 1.083, 0.75]. So d is NOT "late minus early with weights
growing in t": it contrasts the first frames with the middle and later
ones. For a neutral -> apex -> neutral sequence sampled end to end this is
about (apex - neutral); in every case a pixel that brightens steadily gets
d > 0 (sum_t t alpha_t = T (T^2 - 1) / 12 > 0). The authors' MATLAB layer
(vl_nnarpooltemporal.m, dynamic-image-nets) computes the same weights as
sum((2*(t:T) - T - 1) ./ (t:T)) and special-cases T = 1 to weight 1; we keep
alpha = [0] for T = 1 (no motion): sources need 2 distinct frames.
"""
import os.path as osp
import warnings
from typing import Dict, List, Optional, Tuple

import numpy as np

__all__ = ['sample_frames', 'approx_rank_pooling_weights', 'dynamic_image',
           'rescale_dynamic_image', 'SequenceSource', 'SequenceError',
           'RESCALE_MODES', 'SAMPLING_MODES']

SAMPLING_MODES = ('uniform', 'segment', 'apex')
RESCALE_MODES = ('symmetric', 'minmax', 'fixed', 'none')


# ----------------------------------------------------------------------------
# Sampling
# ----------------------------------------------------------------------------
def _even(lo: int, hi: int, k: int) -> np.ndarray:
    """k indices spread evenly over lo..hi, both ends included (round half
    up); repeats when the range holds fewer than k frames."""
    if k == 1:
        return np.array([(lo + hi) // 2], np.int64)
    return np.floor(np.linspace(lo, hi, k) + 0.5).astype(np.int64)


def sample_frames(num_frames: int, k: int, mode: str = 'uniform',
                  onset: Optional[int] = None, apex: Optional[int] = None,
                  offset: Optional[int] = None) -> np.ndarray:
    """Indices of the frames to use: (k,) int64, non-decreasing.

    Args:
        num_frames: frames in the sequence (indices 0..num_frames-1).
        k: how many to return. When the range holds fewer than k frames,
            indices repeat (evenly); callers read each frame once.
        mode: 'uniform': evenly over onset..offset, or the whole sequence
            when they are None, first and last frame included.
            'segment': the same, but onset and offset are required.
            'apex': onset..offset with the apex always sampled: ceil(k/2)
            samples over onset..apex, the rest over apex..offset (apex
            excluded there); needs apex (onset/offset default to the ends).
        onset, apex, offset: 0-based frame indices (clipped to the sequence).

    Raises:
        ValueError: bad counts, an unknown mode, a missing onset/offset/apex
            for its mode, or onset > offset.
    """
    if num_frames < 1 or k < 1:
        raise ValueError(f'need num_frames >= 1 and k >= 1, got {num_frames} and {k}')
    if mode not in SAMPLING_MODES:
        raise ValueError(f'unknown sampling mode {mode!r}; choose from {SAMPLING_MODES}')
    if mode == 'segment' and (onset is None or offset is None):
        raise ValueError("sampling 'segment' needs onset and offset")
    if mode == 'apex' and apex is None:
        raise ValueError("sampling 'apex' needs the apex frame")
    last = num_frames - 1
    lo = 0 if onset is None else int(np.clip(onset, 0, last))
    hi = last if offset is None else int(np.clip(offset, 0, last))
    if lo > hi:
        raise ValueError(f'onset {onset} is after offset {offset}')
    if mode != 'apex':
        return _even(lo, hi, k)
    top = int(np.clip(apex, lo, hi))
    rise = (k + 1) // 2
    if rise == k:  # k == 1
        return np.array([top], np.int64)
    fall = np.floor(np.linspace(top, hi, k - rise + 1)[1:] + 0.5).astype(np.int64)
    return np.concatenate((_even(lo, top, rise), fall))


# ----------------------------------------------------------------------------
# Approximate rank pooling
# ----------------------------------------------------------------------------
def approx_rank_pooling_weights(T: int) -> np.ndarray:
    """alpha_t = 2(T - t + 1) - (T + 1)(H_T - H_{t-1}), t = 1..T: (T,) float64."""
    if T < 1:
        raise ValueError(f'T must be >= 1, got {T}')
    harmonic = np.concatenate(([0.0], np.cumsum(1.0 / np.arange(1, T + 1))))
    t = np.arange(1, T + 1)
    return 2.0 * (T - t + 1) - (T + 1) * (harmonic[T] - harmonic[t - 1])


def rescale_dynamic_image(d: np.ndarray, weights: np.ndarray, mode: str = 'symmetric',
                          image_ndim: int = 3, eps: float = 1e-3,
                          percentile: float = 99.0) -> np.ndarray:
    """Map a raw dynamic image d = sum_t alpha_t I_t to [0, 1], per image.

    ``full = sum(alpha_t > 0)`` is the largest |d| frames in [0, 1] can give
    (a pixel going from 0 to 1 at the best moment); ``floor = eps * full``.
    Modes:

    * 'symmetric' (default): ``clip(0.5 + 0.5 d / A, 0, 1)`` where A is the
      ``percentile`` of |d| over the image's changed pixels (|d| > floor;
      estimated on at most ~16k of them), at least ``floor``. No change
      stays exactly 0.5 (the static background too), brightening is > 0.5,
      darkening < 0.5. With percentile=100, A = max|d| and nothing clips
      (like the per-image stretch of Bilen et al.); the default 99 lets
      the few strongest pixels (moving silhouette edges) saturate so that
      the expression inside the face keeps its contrast. The floor keeps a
      static or near-static sequence at 0.5 instead of stretching rounding
      noise.
    * 'minmax': ``(d - min) / (max - min)`` per image (as the authors'
      visualisation code does);
      0.5 where ``max - min < floor``. Zero change maps to a different grey
      in every image.
    * 'fixed': ``0.5 + 0.5 d / full``: one affine map for every sequence
      (exactly [0, 1] for frames in [0, 1]); subtle motion stays near 0.5.
    * 'none': d unchanged.

    Args:
        d: (..., *image) raw dynamic image(s).
        weights: the (T,) alpha used to compute d.
        image_ndim: trailing dims forming one image (3: C, H, W, one scale
            per view; 2: one scale per channel).
    """
    if mode not in RESCALE_MODES:
        raise ValueError(f'unknown rescale mode {mode!r}; choose from {RESCALE_MODES}')
    if mode == 'none':
        return d
    full = float(weights[weights > 0].sum())
    floor = max(eps * full, float(np.finfo(np.float32).tiny))
    if mode == 'fixed':
        return (0.5 + (0.5 / max(full, floor)) * d).astype(np.float32, copy=False)
    lead = d.shape[:max(d.ndim - image_ndim, 0)]
    flat = d.reshape(int(np.prod(lead)), -1)
    if mode == 'minmax':
        lo = flat.min(axis=1, keepdims=True)
        span = flat.max(axis=1, keepdims=True) - lo
        out = np.where(span < floor, np.float32(0.5),
                       (flat - lo) / np.where(span < floor, 1.0, span))
        return out.astype(np.float32, copy=False).reshape(d.shape)
    if percentile >= 100:
        amp = np.abs(flat).max(axis=1)
    else:
        sample = np.abs(flat[:, ::max(1, flat.shape[1] // 16384)])
        sample = np.where(sample > floor, sample, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', RuntimeWarning)  # all-nan: static image
            amp = np.nanpercentile(sample, percentile, axis=1)
        amp = np.nan_to_num(amp, nan=floor)
    scale = (0.5 / np.maximum(amp, floor)).astype(d.dtype)[:, None]
    out = np.clip(0.5 + flat * scale, 0.0, 1.0)
    return out.astype(np.float32, copy=False).reshape(d.shape)


def dynamic_image(frames: np.ndarray, rescale: str = 'symmetric', image_ndim: int = 3,
                  eps: float = 1e-3, percentile: float = 99.0) -> np.ndarray:
    """Approximate rank pooling of a frame stack.

    Args:
        frames: (T, ..., H, W) floats (ideally in [0, 1]), e.g. (T, N, C, H,
            W) renders of T frames in N views; uint8 is divided by 255.
        rescale, image_ndim, eps, percentile: see
            :func:`rescale_dynamic_image`.

    Returns:
        (..., H, W) float32 (float64 for float64 input with rescale='none'):
        ``sum_t alpha_t frames[t]`` (one einsum over T), rescaled per image to
        [0, 1] unless rescale='none'.
    """
    frames = np.asarray(frames)
    if frames.ndim < 2 or len(frames) < 1:
        raise ValueError(f'frames must be (T, ..., H, W) with T >= 1, got {frames.shape}')
    weights = approx_rank_pooling_weights(len(frames))
    dtype = np.float64 if frames.dtype == np.float64 else np.float32
    coef = weights / 255.0 if frames.dtype == np.uint8 else weights
    # one contraction over T with np.einsum's own single-threaded loop (uint8
    # is cast in its buffers, no float copy of the stack): BLAS (tensordot,
    # @) runs 2 threads that stall for ~15 ms when the cores are busy (e.g.
    # prepare_data workers); einsum takes ~1-2 ms regardless
    flat = frames.reshape(len(frames), -1)
    if flat.dtype not in (np.uint8, np.float32, np.float64):
        flat = flat.astype(np.float32)
    d = np.einsum('t,tn->n', coef.astype(dtype), flat).reshape(frames.shape[1:])
    return rescale_dynamic_image(d, weights, rescale, image_ndim, eps, percentile)


# ----------------------------------------------------------------------------
# Reading the sampled frames of a sequence
# ----------------------------------------------------------------------------
class SequenceError(ValueError):
    """A sequence that cannot give a dynamic image; names it and its frames."""


class SequenceSource:
    """Base of the raw 4D sources: one record per sequence, frames read on
    demand.

    A subclass sets ``dataset_name``, implements ``scan() -> (records,
    skipped)`` and ``read_frame(path) -> Mesh``. A record holds at least
    ``source_path`` (the sequence, relative to data_root), ``subject``,
    ``expression``, ``dataset``, ``num_frames`` and ``frames`` (frame files
    relative to data_root, in time order); optional 0-based ``onset_index``,
    ``apex_index``, ``offset_index`` steer the sampling, and
    ``missing_frames`` names the files of gaps in the frame numbering.

    Args:
        data_root: the data set folder.
        num_frames_sampled: frames per sequence (k of :func:`sample_frames`).
        sampling: 'uniform', 'segment' or 'apex' (see :func:`sample_frames`);
            'segment' and 'apex' fall back to 'uniform' over what the record
            gives when it has no onset/offset or apex.
        min_frames: a sequence needs at least ``max(2, min(min_frames,
            distinct sampled frames))`` readable distinct frames, else
            :class:`SequenceError`.
        bad_frames: 'skip' (default: drop an unreadable frame, record it) or
            'fail' (any unreadable sampled frame fails the sequence).
        rescale, percentile: dynamic-image rescaling
            (:func:`rescale_dynamic_image`).
        normalise: 'sequence' (default): every frame is centred and scaled
            like the others (median of the per-frame normalisations), so head
            size / position changes from the expression itself (an opening
            jaw moves the bounding box) do not become motion; 'frame': each
            frame on its own, as a 3D scan.
    """

    dataset_name = 'sequences'

    def __init__(self, data_root: str, num_frames_sampled: int = 16,
                 sampling: str = 'uniform', min_frames: int = 8,
                 bad_frames: str = 'skip', rescale: str = 'symmetric',
                 percentile: float = 99.0, normalise: str = 'sequence'):
        if sampling not in SAMPLING_MODES:
            raise ValueError(f'sampling must be one of {SAMPLING_MODES}, got {sampling!r}')
        if bad_frames not in ('skip', 'fail'):
            raise ValueError(f"bad_frames must be 'skip' or 'fail', got {bad_frames!r}")
        if rescale not in RESCALE_MODES:
            raise ValueError(f'rescale must be one of {RESCALE_MODES}, got {rescale!r}')
        if normalise not in ('sequence', 'frame'):
            raise ValueError(f"normalise must be 'sequence' or 'frame', got {normalise!r}")
        if int(num_frames_sampled) < 2:
            raise ValueError('num_frames_sampled must be >= 2 (a dynamic image needs motion)')
        self.data_root = data_root
        self.num_frames_sampled = int(num_frames_sampled)
        self.sampling = sampling
        self.min_frames = int(min_frames)
        self.bad_frames = bad_frames
        self.rescale = rescale
        self.percentile = float(percentile)
        self.normalise = normalise

    @property
    def temporal(self) -> Dict:
        """Settings that change the cached dynamic images (kept in the
        annotation file; a change re-renders)."""
        return dict(num_frames_sampled=self.num_frames_sampled, sampling=self.sampling,
                    min_frames=self.min_frames, bad_frames=self.bad_frames,
                    rescale=self.rescale, percentile=self.percentile,
                    normalise=self.normalise,
                    pooling='approx_rank_pooling')

    def read_frame(self, path: str):
        raise NotImplementedError

    def sample(self, record: Dict) -> np.ndarray:
        """(k,) 0-based indices into ``record['frames']``."""
        onset, apex, offset = (record.get(f'{key}_index') for key in ('onset', 'apex',
                                                                       'offset'))
        mode = self.sampling
        if mode == 'apex' and apex is None:
            mode = 'segment'
        if mode == 'segment' and (onset is None or offset is None):
            mode = 'uniform'
        if mode == 'uniform' and self.sampling == 'uniform':
            onset = offset = None  # whole sequence
        return sample_frames(record['num_frames'], self.num_frames_sampled, mode,
                             onset=onset, apex=apex, offset=offset)

    def load_frames(self, record: Dict) -> Tuple[List, List[Dict]]:
        """Read the sampled frames of one sequence.

        Returns:
            (meshes, problems): meshes in time order, one per sampled index
            (a frame sampled twice is the same Mesh object); problems, one
            dict(frame, reason) per unreadable frame (skipped) and per gap
            in the frame numbering. A frame of degenerate geometry
            (:func:`smilezoo.renderers.geometry_checks.check_geometry`, its
            default bounds) counts as unreadable.

        Raises:
            SequenceError: too few readable frames (or any bad frame with
                bad_frames='fail'); the message names the sequence and the
                frames with their faults.
        """
        frames = record['frames']
        indices = self.sample(record).tolist()
        distinct = list(dict.fromkeys(indices))
        gaps = [dict(frame=name, reason='missing: gap in the frame numbering')
                for name in record.get('missing_frames', [])]
        from smilezoo.renderers.geometry_checks import check_geometry
        loaded, bad = {}, []
        for i in distinct:
            rel = frames[i]
            try:  # GeometryError (a ValueError): a degenerate frame, e.g. a 1e30 vertex
                loaded[i] = check_geometry(self.read_frame(osp.join(self.data_root, rel)))
            except (OSError, ValueError) as err:  # ScanFormatError is a ValueError
                bad.append(dict(frame=rel, reason=f'{type(err).__name__}: {err}'))
        need = max(2, min(self.min_frames, len(distinct)))
        if len(loaded) < need or (bad and self.bad_frames == 'fail'):
            listed = '; '.join(f"{p['frame']} ({p['reason']})" for p in bad) or 'none'
            why = (f'only {len(loaded)} readable frame(s) of {len(distinct)} sampled '
                   f'(need {need})' if len(loaded) < need else
                   f"{len(bad)} unreadable frame(s) and bad_frames='fail'")
            raise SequenceError(f"sequence {record['source_path']}: {why}; unreadable: {listed}")
        return [loaded[i] for i in indices if i in loaded], gaps + bad
