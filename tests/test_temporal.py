"""Frame sampling, approximate rank pooling and the sequence-reading base."""
from fractions import Fraction

import numpy as np
import pytest

from smilezoo.datasets.sources import SequenceError, SequenceSource, sample_frames
from smilezoo.datasets.temporal import (approx_rank_pooling_weights, dynamic_image,
                                        rescale_dynamic_image)
from smilezoo.structures import Mesh, ScanFormatError


# --------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------
def harmonic(n):
    return sum((Fraction(1, i) for i in range(1, n + 1)), Fraction(0))


@pytest.mark.parametrize('T, expected', [
    (1, ['0']),
    (2, ['-1/2', '1/2']),
    (3, ['-4/3', '2/3', '2/3']),
    (4, ['-29/12', '7/12', '13/12', '3/4']),
])
def test_weights_by_hand(T, expected):
    # alpha_t = 2(T - t + 1) - (T + 1)(H_T - H_{t-1}), exact fractions
    exact = [2 * (T - t + 1) - (T + 1) * (harmonic(T) - harmonic(t - 1))
             for t in range(1, T + 1)]
    assert exact == [Fraction(e) for e in expected]
    np.testing.assert_allclose(approx_rank_pooling_weights(T),
                               [float(Fraction(e)) for e in expected], atol=1e-12)


@pytest.mark.parametrize('T', [2, 3, 5, 8, 16, 33, 100])
def test_weight_properties(T):
    a = approx_rank_pooling_weights(T)
    t = np.arange(1, T + 1)
    assert abs(a.sum()) < 1e-9 * T * T  # static sequence -> 0
    assert a.argmin() == 0  # the first frame is pushed away most
    np.testing.assert_allclose((a * t).sum(), T * (T * T - 1) / 12, rtol=1e-9)
    # the MATLAB form of the authors' code: sum_{k=t..T} (2k - T - 1) / k
    matlab = [sum((2 * k - T - 1) / k for k in range(s, T + 1)) for s in range(1, T + 1)]
    np.testing.assert_allclose(a, matlab, atol=1e-9)
    if T >= 8:  # peak near the middle, not at the end
        assert a.argmax() + 1 == T // 2 + 1
        assert a[-1] < a.max() / 2


def literal_rank_pool(frames):
    """Slow reference: Bilen et al.'s derivation d = sum_t (2t - T - 1) V_t,
    V_t the running mean of the first t frames, pixel by pixel."""
    T = len(frames)
    flat = frames.reshape(T, -1).astype(np.float64)
    out = np.zeros(flat.shape[1])
    for p in range(flat.shape[1]):
        running = 0.0
        for t in range(1, T + 1):
            running += flat[t - 1, p]
            out[p] += (2 * t - T - 1) * running / t
    return out.reshape(frames.shape[1:])


def test_rank_pooling_equals_literal_loop():
    rng = np.random.default_rng(0)
    frames = rng.random((7, 2, 3, 5, 4))
    np.testing.assert_allclose(dynamic_image(frames, rescale='none'),
                               literal_rank_pool(frames), rtol=1e-10, atol=1e-10)
    f32 = frames.astype(np.float32)
    np.testing.assert_allclose(dynamic_image(f32, rescale='none'), literal_rank_pool(f32),
                               rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------
# dynamic images
# --------------------------------------------------------------------------
@pytest.mark.parametrize('mode', ['symmetric', 'minmax', 'fixed'])
def test_static_sequence_gives_constant_image(mode):
    rng = np.random.default_rng(1)
    frame = rng.random((3, 3, 8, 8)).astype(np.float32)
    frames = np.repeat(frame[None], 16, axis=0)
    raw = dynamic_image(frames, rescale='none')
    assert np.abs(raw).max() < 1e-4  # rounding only
    out = dynamic_image(frames, rescale=mode)
    assert out.shape == (3, 3, 8, 8) and out.dtype == np.float32
    np.testing.assert_allclose(out, 0.5, atol=1e-3)


def test_ramp_brightening_is_positive():
    T, H, W = 10, 6, 6
    frames = np.full((T, 1, H, W), 0.4, np.float32)
    ramp = np.linspace(0.1, 0.9, T, dtype=np.float32)
    frames[:, 0, 1, 1] = ramp  # brightens over time
    frames[:, 0, 4, 4] = ramp[::-1]  # darkens
    raw = dynamic_image(frames, rescale='none')[0]
    assert raw[1, 1] > 0 > raw[4, 4]
    np.testing.assert_allclose(raw[1, 1], 0.8 / (T - 1) * T * (T * T - 1) / 12, rtol=1e-5)
    for mode in ('symmetric', 'minmax', 'fixed'):
        out = dynamic_image(frames, rescale=mode)[0]
        assert out[1, 1] > out[0, 0] > out[4, 4], mode
    sym = dynamic_image(frames, rescale='symmetric', percentile=100)[0]
    assert sym[0, 0] == 0.5 and sym[1, 1] == pytest.approx(1.0) and \
        sym[4, 4] == pytest.approx(0.0, abs=1e-6)


def test_rescale_modes_and_per_view_scale():
    rng = np.random.default_rng(2)
    frames = rng.random((5, 2, 3, 16, 16)).astype(np.float32)
    frames[:, 1] *= 0.01  # view 1 barely changes
    frames[:, 1] += 0.5
    for mode in ('symmetric', 'minmax', 'fixed'):
        out = dynamic_image(frames, rescale=mode)
        assert out.min() >= 0 and out.max() <= 1, mode
    sym = dynamic_image(frames, percentile=100)
    # each view stretched on its own: the quiet view reaches 0 or 1 too
    for v in range(2):
        assert min(1 - sym[v].max(), sym[v].min()) < 1e-6
    mm = dynamic_image(frames, rescale='minmax')
    assert mm[1].min() == 0 and mm[1].max() == pytest.approx(1)
    raw = dynamic_image(frames, rescale='none')
    w = approx_rank_pooling_weights(5)
    fixed = dynamic_image(frames, rescale='fixed')
    np.testing.assert_allclose(fixed, 0.5 + 0.5 * raw / w[w > 0].sum(), rtol=1e-5)
    # image_ndim=2: one scale per channel
    per_channel = rescale_dynamic_image(raw, w, 'minmax', image_ndim=2)
    assert np.allclose(per_channel.reshape(6, -1).min(1), 0)
    # the percentile lets the strongest pixels saturate
    clipped = dynamic_image(frames, percentile=90)
    assert (clipped[0] == 1).mean() > 0.02
    with pytest.raises(ValueError, match='rescale mode'):
        dynamic_image(frames, rescale='stretch')


def test_uint8_and_2d_inputs():
    rng = np.random.default_rng(3)
    frames = rng.integers(0, 256, (6, 9, 9), dtype=np.uint8)
    a = dynamic_image(frames, rescale='none')
    b = dynamic_image(frames.astype(np.float64) / 255, rescale='none')
    assert a.shape == (9, 9)
    np.testing.assert_allclose(a, b, atol=1e-4)


# --------------------------------------------------------------------------
# sampling
# --------------------------------------------------------------------------
def test_uniform_sampling():
    idx = sample_frames(100, 16)
    assert idx.dtype == np.int64 and len(idx) == 16
    assert idx[0] == 0 and idx[-1] == 99 and (np.diff(idx) > 0).all()
    np.testing.assert_array_equal(sample_frames(5, 5), np.arange(5))
    short = sample_frames(4, 10)  # repeats, evenly, in order
    assert len(short) == 10 and set(short) == {0, 1, 2, 3} and (np.diff(short) >= 0).all()
    np.testing.assert_array_equal(sample_frames(7, 1), [3])
    window = sample_frames(100, 5, onset=20, offset=40)
    np.testing.assert_array_equal(window, [20, 25, 30, 35, 40])
    np.testing.assert_array_equal(sample_frames(10, 3, 'segment', onset=-5, offset=50), [0, 5, 9])


def test_apex_sampling():
    idx = sample_frames(60, 8, 'apex', onset=10, apex=17, offset=40)
    assert 17 in idx and idx[0] == 10 and idx[-1] == 40 and (np.diff(idx) >= 0).all()
    assert (idx <= 17).sum() == 4  # half the samples rise to the apex
    np.testing.assert_array_equal(sample_frames(60, 1, 'apex', apex=33), [33])
    idx = sample_frames(30, 16, 'apex', onset=12, apex=14, offset=18)
    assert set(idx) == set(range(12, 19)) and 14 in idx


def test_sampling_errors():
    with pytest.raises(ValueError, match='k >= 1'):
        sample_frames(10, 0)
    with pytest.raises(ValueError, match='unknown sampling'):
        sample_frames(10, 4, 'random')
    with pytest.raises(ValueError, match='segment'):
        sample_frames(10, 4, 'segment', onset=2)
    with pytest.raises(ValueError, match='apex'):
        sample_frames(10, 4, 'apex')
    with pytest.raises(ValueError, match='after offset'):
        sample_frames(10, 4, onset=7, offset=3)


# --------------------------------------------------------------------------
# reading the sampled frames
# --------------------------------------------------------------------------
class FakeSource(SequenceSource):
    """Frames named 'ok*' read, 'bad*' raise ScanFormatError, 'gone*' are
    missing; records the reads."""

    def __init__(self, **kw):
        super().__init__('/nowhere', **kw)
        self.reads = []

    def read_frame(self, path):
        name = path.rsplit('/', 1)[-1]
        self.reads.append(name)
        if name.startswith('bad'):
            raise ScanFormatError(path, 'truncated file')
        if name.startswith('gone'):
            raise FileNotFoundError(f'VRML file not found: {path}')
        return Mesh(np.eye(3, dtype=np.float32), np.array([[0, 1, 2]]))  # one triangle


def record(names, **kw):
    return dict(source_path='S1/seq', frames=list(names), num_frames=len(names), **kw)


def test_load_frames_reads_only_sampled_frames_once():
    src = FakeSource(num_frames_sampled=4, min_frames=2)
    meshes, problems = src.load_frames(record([f'ok{i}' for i in range(40)]))
    assert len(meshes) == 4 and not problems
    assert src.reads == ['ok0', 'ok13', 'ok26', 'ok39']
    src = FakeSource(num_frames_sampled=6, min_frames=2)
    meshes, _ = src.load_frames(record(['ok0', 'ok1', 'ok2']))
    assert len(meshes) == 6 and src.reads == ['ok0', 'ok1', 'ok2']
    assert meshes[0] is meshes[1]  # a repeated index is the same Mesh


def test_load_frames_skips_and_records_bad_frames():
    names = ['ok0', 'bad1', 'ok2', 'gone3', 'ok4', 'ok5']
    src = FakeSource(num_frames_sampled=6, min_frames=4)
    meshes, problems = src.load_frames(record(names, missing_frames=['S1/seq/ok6']))
    assert len(meshes) == 4
    reasons = {p['frame']: p['reason'] for p in problems}
    assert 'truncated' in reasons['bad1'] and 'not found' in reasons['gone3']
    assert reasons['S1/seq/ok6'].startswith('missing')
    with pytest.raises(SequenceError, match=r"S1/seq.*bad_frames='fail'.*bad1"):
        FakeSource(num_frames_sampled=6, min_frames=2, bad_frames='fail').load_frames(
            record(names))


def test_too_few_frames_fails_naming_sequence_and_frames():
    names = ['ok0', 'bad1', 'bad2', 'ok3', 'bad4', 'ok5']
    src = FakeSource(num_frames_sampled=6, min_frames=4)
    with pytest.raises(SequenceError) as err:
        src.load_frames(record(names))
    msg = str(err.value)
    assert 'sequence S1/seq' in msg and 'only 3 readable frame(s) of 6' in msg
    assert all(n in msg for n in ('bad1', 'bad2', 'bad4'))
    # a dynamic image always needs 2 distinct frames
    with pytest.raises(SequenceError, match='need 2'):
        FakeSource(min_frames=1).load_frames(record(['ok0', 'bad1']))


def test_source_option_checks():
    with pytest.raises(ValueError, match='sampling'):
        FakeSource(sampling='random')
    with pytest.raises(ValueError, match='bad_frames'):
        FakeSource(bad_frames='ignore')
    with pytest.raises(ValueError, match='num_frames_sampled'):
        FakeSource(num_frames_sampled=1)
    src = FakeSource(sampling='apex', num_frames_sampled=4)
    # apex sampling falls back to the segment / whole clip when marks are absent
    np.testing.assert_array_equal(src.sample(record(['ok'] * 20)), [0, 6, 13, 19])
    np.testing.assert_array_equal(
        src.sample(record(['ok'] * 20, onset_index=4, offset_index=10)), [4, 6, 8, 10])
    assert 7 in src.sample(record(['ok'] * 20, onset_index=4, apex_index=7, offset_index=10))
