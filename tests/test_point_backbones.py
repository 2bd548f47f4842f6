"""Point backbones (PointNet, DGCNN, PointMLPElite) on small point views: shapes, order
invariance, gradients, and the three multi-view models training on (B, N, P, 6) inputs."""
import pytest
import torch
from mmengine.optim import OptimWrapper

from smilezoo.models.backbones.points.ops import farthest_point_sample, gather, knn
from smilezoo.registry import MODELS

P = 96
BACKBONES = {  # small settings; the defaults are the papers'
    'PointNet': dict(type='PointNet', out_dim=48, hidden=(16, 32)),
    'PointNetTNet': dict(type='PointNet', out_dim=48, hidden=(16, 32), input_transform=True),
    'DGCNN': dict(type='DGCNN', out_dim=48, k=8, channels=(16, 16, 32)),
    'PointMLPElite': dict(type='PointMLPElite', out_dim=48, embed_dim=8, k=8),
}
CLASSES = ['happy', 'sad', 'surprise']
POOLS = {'happy': ['a person smiling happily', 'a joyful facial expression'],
         'sad': ['a sad expression', 'a face showing sorrow'],
         'surprise': ['a surprised facial expression']}


def ellipsoid_views(b: int, n: int, p: int = P, axes=None, seed: int = 0) -> torch.Tensor:
    """(b, n, p, 6): points on an ellipsoid (per sample axes) and their unit normals."""
    g = torch.Generator().manual_seed(seed)
    u = torch.randn(b, n, p, 3, generator=g)
    u = u / u.norm(dim=-1, keepdim=True)
    axes = torch.ones(b, 1, 1, 3) if axes is None else axes.view(b, 1, 1, 3)
    xyz = u * axes
    normal = xyz / axes.square()
    return torch.cat([xyz, normal / normal.norm(dim=-1, keepdim=True)], dim=-1)


def build(name):
    torch.manual_seed(0)
    return MODELS.build(dict(BACKBONES[name]))


@pytest.mark.parametrize('name', list(BACKBONES))
def test_shape_out_dim_and_order_invariance(name):
    """(M, P, 6) -> (M, D) with D = out_dim; the output of every set is the same
    (1e-5) after a random permutation of its points. Eval mode, all P points in:
    PointNet is a shared MLP + max (exact); DGCNN's kNN graph does not depend on
    the order; PointMLPElite samples by FPS from the point farthest from the
    centroid, so the same points are sampled in any order (random points: no ties)."""
    m = build(name).eval()
    x = ellipsoid_views(2, 3).flatten(0, 1)  # (6, P, 6)
    perm = torch.stack([torch.randperm(P, generator=torch.Generator().manual_seed(i))
                        for i in range(x.shape[0])])
    with torch.no_grad():
        y, y_perm = m(x), m(gather(x, perm))
    assert m.out_dim == 48 and m.view_ndim == 2
    assert y.shape == (6, 48)
    assert y.std(dim=0).mean() > 1e-3  # not a constant output
    torch.testing.assert_close(y_perm, y, atol=1e-5, rtol=1e-4)


def test_knn_and_fps():
    """knn equals a brute-force argsort; FPS picks the same *points* (as a set) in
    any input order, no point twice, and spreads them (its farthest-first samples are
    farther apart than the first points of the set)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 50, 3, generator=g)
    d = (x.unsqueeze(2) - x.unsqueeze(1)).norm(dim=-1)
    assert torch.equal(knn(x, x, 5), d.argsort(dim=-1)[..., :5])
    idx = farthest_point_sample(x, 12)
    assert all(len(set(r.tolist())) == 12 for r in idx)
    perm = torch.randperm(50, generator=g).expand(3, -1)
    xp = gather(x, perm)
    picked, picked_perm = gather(x, idx), gather(xp, farthest_point_sample(xp, 12))

    def key(pts):
        return pts[..., 0].sort(dim=-1).values
    torch.testing.assert_close(key(picked_perm), key(picked))

    def min_gap(pts):
        return torch.cdist(pts, pts).add(torch.eye(12) * 1e9).amin(dim=(-1, -2))
    assert (min_gap(picked) > min_gap(x[:, :12])).all()


@pytest.mark.parametrize('name', list(BACKBONES))
def test_gradients_reach_every_parameter_and_the_points(name):
    m = build(name).train()
    x = ellipsoid_views(2, 2).flatten(0, 1).requires_grad_(True)
    m(x).square().mean().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    missing = [k for k, p in m.named_parameters() if p.grad is None or not p.grad.abs().sum()]
    if name == 'PointNetTNet':  # the T-Net starts as the identity (last layer zero), so at
        # the first step only that layer's bias gets a gradient; the layers before it wait
        missing = [k for k in missing if not k.startswith('tnet.') or k == 'tnet.head.6.bias']
    assert missing == []


def test_bad_point_shape_is_named():
    m = build('DGCNN')
    with pytest.raises(ValueError, match=r'DGCNN: expected point views of shape \(M, P, 6\)'):
        m(torch.zeros(2, 3, 32, 32))


def point_model(type_, **over):
    """The point road's own preprocessor and augment (configs/_base_/models/point_views.py)."""
    cfg = dict(type=type_, backbone=dict(BACKBONES['DGCNN']),
               projector=dict(type='MLPProjector', hidden_dim=32),
               fusion=dict(type='ViewAttentionFusion', hidden_dim=8),
               data_preprocessor=dict(type='PointViewDataPreprocessor', in_channels=6),
               augment=dict(type='BatchPointAugment'))
    cfg.update(over)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def point_batch(b=6, n=3):
    """Class c's views lie on an ellipsoid stretched along axis c (float16 as cached)."""
    labels = [i % 3 for i in range(b)]
    axes = torch.ones(b, 3)
    axes[torch.arange(b), torch.tensor(labels)] = 1.8
    return dict(inputs=ellipsoid_views(b, n, axes=axes).half(),
                data_samples=[dict(gt_label=y, sample_idx=i) for i, y in enumerate(labels)])


def test_smile_vlm_with_dgcnn_trains_and_the_loss_falls():
    """Real losses, frozen text encoder, BatchPointAugment, one fixed batch of
    (6, 3, 96, 6) float16 point views: 15 Adam steps lower the total loss (mean of
    the last 3 below 0.8 x the first 3), then predict gives a label per sample."""
    model = point_model('SmileVLM', text_encoder=dict(type='SentenceTransformerTextEncoder'),
                        losses=dict(mv_bt=dict(type='MultiViewBarlowTwinsLoss',
                                               loss_weight=0.01),
                                    vl=dict(type='MultiViewInfoNCELoss'),
                                    red=dict(type='CrossModalRedundancyLoss',
                                             loss_weight=0.01)),
                        class_names=CLASSES, prompt_pools=POOLS)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=3e-3))
    data = point_batch()
    model.train()
    torch.manual_seed(0)
    losses = [model.train_step(data, optim) for _ in range(15)]
    assert set(losses[0]) == {'loss', 'loss_mv_bt', 'loss_vl', 'loss_red'}
    total = [x['loss'].item() for x in losses]
    assert sum(total[-3:]) / 3 < 0.8 * sum(total[:3]) / 3, total
    model.eval()
    out = model.test_step(data)
    assert len(out) == 6 and out[0]['pred_score'].shape == (3,)
    assert out[0]['view_weights'].shape == (3,)


@pytest.mark.parametrize('type_, extra, loss_key', [
    ('SupervisedMultiView', dict(num_classes=3, embed_dim=16), 'loss_ce'),
    ('BarlowTwinsMultiView', dict(embed_dim=16, losses=dict(mv_bt=dict(
        type='MultiViewBarlowTwinsLoss'))), 'loss_mv_bt'),
])
def test_baselines_build_and_step_with_a_point_backbone(type_, extra, loss_key):
    model = point_model(type_, **extra)
    before = {k: v.detach().clone() for k, v in model.backbone.named_parameters()}
    model.train()
    out = model.train_step(point_batch(), OptimWrapper(torch.optim.SGD(model.parameters(),
                                                                        lr=0.1)))
    assert torch.isfinite(out[loss_key])
    moved = [k for k, v in model.backbone.named_parameters() if not torch.equal(v, before[k])]
    assert len(moved) == len(before)
    model.eval()
    feats = model.extract_feat(point_batch()['inputs'].float())
    assert feats['views'].shape == (6, 3, 16) and feats['fused'].shape == (6, 16)


def test_benchmark_train_times_a_point_config():
    """benchmark_train on the point demo config: random float16 point views of the
    renderer's (N, P, C), the bare DGCNN timed on as many point views as the full step."""
    import importlib.util
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        'benchmark_train', root / 'tools' / 'analysis_tools' / 'benchmark_train.py')
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    res = bench.main([str(root / 'configs' / 'smile_vlm_points_dgcnn_synthetic.py'),
                      '--steps', '1', '--warmup', '0', '--batch-size', '2', '--device', 'cpu',
                      '--data', 'random', '--loader-batches', '0'])
    s = res['settings']
    assert s['backbone'] == 'DGCNN' and s['input_dtype'] == 'float16'
    assert s['input_shape'][:2] == [2, 3] and s['input_shape'][3] == 6
    assert s['data'].startswith('random float16 point views')
    assert s['backbone_images_per_step'] == 2 * 3 * s['passes']
    assert res['bare_backbone_step']['median_s'] > 0 and res['overhead_ratio'] > 0
