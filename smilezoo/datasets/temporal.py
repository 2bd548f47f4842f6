"""4D data: the dynamic image of a stack of rendered frames (the ``PoolDynamicImage`` step).

Approximate rank pooling (Bilen et al., "Action recognition with dynamic image networks", TPAMI
2017, eq. for alpha_t in Sec. 3.2): ``d = sum_t alpha_t * I_t`` with, for t = 1..T and
H_t = sum_{i<=t} 1/i (H_0 = 0)::

    alpha_t = 2 (T - t + 1) - (T + 1) (H_T - H_{t-1})
            = sum_{k=t..T} (2k - T - 1) / k

the first gradient step of RankSVM on the time-averaged frames ``V_t = mean(I_1..I_t)``,
written on the raw frames (docs/datasets.md, "Approximate rank pooling"). d is NOT "late minus
early": the weights are negative for roughly the first quarter of the frames, largest near
t ~ T/2 + 1 (T >= 8) and fall again toward alpha_T = 2 - (T + 1)/T ~ 1; a steadily brightening
pixel gets d > 0 as sum_t t alpha_t = T (T^2 - 1) / 12. The authors' MATLAB layer
(vl_nnarpooltemporal.m) special-cases T = 1 to weight 1; we keep alpha = [0] for T = 1 (no
motion): sources need 2 distinct frames.
"""
import warnings

import numpy as np

__all__ = ['approx_rank_pooling_weights', 'dynamic_image', 'rescale_dynamic_image',
           'RESCALE_MODES']

RESCALE_MODES = ('symmetric', 'minmax', 'fixed', 'none')


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

    ``full = sum(alpha_t > 0)`` is the largest |d| frames in [0, 1] can give (a pixel going from 0
    to 1 at the best moment); ``floor = eps * full``. Modes (docs/datasets.md):

    * 'symmetric': ``clip(0.5 + 0.5 d / A, 0, 1)``, A the ``percentile`` of |d| over the image's
      changed pixels (|d| > floor; estimated on at most ~16k of them), at least ``floor``.
      percentile=100 (A = max|d|) is the per-image stretch of Bilen et al.; 99 lets the few
      strongest pixels (moving silhouette edges) saturate so that the expression inside the
      face keeps its contrast.
    * 'minmax': ``(d - min) / (max - min)`` per image (the authors' visualisation code); 0.5
      where ``max - min < floor``; zero change maps to another grey in every image.
    * 'fixed': ``0.5 + 0.5 d / full``, one affine map for every sequence (exactly [0, 1] for
      frames in [0, 1]).
    * 'none': d unchanged.

    Args:
        d: (..., *image) raw dynamic image(s).
        weights: the (T,) alpha used to compute d.
        image_ndim: trailing dims forming one image (3: C, H, W, one scale per view; 2: one
            scale per channel).
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
        frames: (T, ..., H, W) floats (ideally in [0, 1]), e.g. (T, N, C, H, W) renders of T
            frames in N views; uint8 is divided by 255.
        rescale, image_ndim, eps, percentile: see :func:`rescale_dynamic_image`.

    Returns:
        (..., H, W) float32 (float64 for float64 input with rescale='none'): ``sum_t alpha_t
        frames[t]``, rescaled per image to [0, 1] unless rescale='none'.
    """
    frames = np.asarray(frames)
    if frames.ndim < 2 or len(frames) < 1:
        raise ValueError(f'frames must be (T, ..., H, W) with T >= 1, got {frames.shape}')
    weights = approx_rank_pooling_weights(len(frames))
    dtype = np.float64 if frames.dtype == np.float64 else np.float32
    coef = weights / 255.0 if frames.dtype == np.uint8 else weights
    # one contraction over T with np.einsum's own single-threaded loop (uint8 is cast in its
    # buffers, no float copy of the stack): BLAS (tensordot, @) runs 2 threads that stall for
    # ~15 ms when the cores are busy (e.g. prepare_data workers); einsum takes ~1-2 ms regardless
    flat = frames.reshape(len(frames), -1)
    if flat.dtype not in (np.uint8, np.float32, np.float64):
        flat = flat.astype(np.float32)
    d = np.einsum('t,tn->n', coef.astype(dtype), flat).reshape(frames.shape[1:])
    return rescale_dynamic_image(d, weights, rescale, image_ndim, eps, percentile)
