"""Expression -> action-unit recipes, kept as plain data.

A recipe maps AU names (see :data:`face_model.AU_NAMES`) to a relative weight; the activation
of an AU in one scan is

    weight * intensity_scale[level] * subject_style[au] * jitter

with ``jitter`` ~ 1 + N(0, ``INTENSITY_JITTER``) per scan and per AU. Every scan, neutral ones
too, also gets a small random ``LEAK`` of the AUs outside its recipe (real posed expressions are
never pure).
"""
import numpy as np

from .face_model import AU_NAMES, activation_vector

__all__ = ['AU_NAMES', 'EXPRESSION_CODES', 'RECIPES', 'INTENSITY_SCALE', 'INTENSITY_JITTER', 'LEAK',
           'au_activations']

#: BU-3DFE expression codes (file names) in the order used for labels.
EXPRESSION_CODES = ('AN', 'DI', 'FE', 'HA', 'SA', 'SU')

#: Code -> {AU name: weight at full intensity}.
RECIPES = {
    'NE': {},
    'HA': {'AU6': 0.9, 'AU12': 1.0},
    'AN': {'AU4': 1.0, 'AU7': 0.9, 'AU23': 1.0},
    'SU': {'AU1': 1.0, 'AU2': 1.0, 'AU5': 0.9, 'AU26': 1.0},
    'DI': {'AU9': 1.0, 'AU10': 1.0, 'AU15': 0.35},
    'SA': {'AU1': 0.9, 'AU4': 0.6, 'AU15': 1.0},
    'FE': {'AU1': 0.9, 'AU2': 0.7, 'AU4': 0.6, 'AU5': 1.0, 'AU20': 1.0, 'AU26': 0.35},
}

#: Intensity level (file name II) -> activation scale; neutral is level 0.
INTENSITY_SCALE = {0: 0.0, 1: 0.25, 2: 0.5, 3: 0.75, 4: 1.0}

#: Relative standard deviation of the per-scan activation jitter.
INTENSITY_JITTER = 0.12

#: Standard deviation of the spurious activation of AUs outside the recipe.
LEAK = 0.04


def au_activations(code: str, level: int, style: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """AU activations of one scan (the module doc's formula): (A,) float64 in [0, 1.4].

    Args:
        code: one of ``EXPRESSION_CODES`` or ``'NE'``.
        level: intensity 1..4 (0 for neutral).
        style: (A,) the subject's per-AU strength (``au_style``), A = ``len(AU_NAMES)``.
        rng: the scan's generator (consumes 2*A normals).
    """
    weights = activation_vector(RECIPES[code])
    jitter = 1.0 + INTENSITY_JITTER * rng.standard_normal(len(AU_NAMES))
    leak = np.abs(LEAK * rng.standard_normal(len(AU_NAMES)))
    act = weights * INTENSITY_SCALE[int(level)] * np.asarray(style) * jitter
    return np.clip(np.where(weights > 0, act, leak), 0.0, 1.4)
