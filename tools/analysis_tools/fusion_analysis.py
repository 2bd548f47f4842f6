"""Why the view fusion does (not) beat the best single view: measurements on a test set.

Runs a trained multi-view zero-shot model (SMILE-VLM) over its config's test set
and collects, per sample, each view's embedding z'_i (d,) and zero-shot scores
(C,), the fused embedding z^mv and scores, and the fusion's view weights (N,).
From these it reports:

* ``accuracy``: each view alone, the fused prediction (exactly as the model
  predicts it), train-free alternatives on the same embeddings (mean of the
  view embeddings, of the unit view embeddings, of the per-view logits and
  probabilities, majority vote, the most confident view), a freshly
  initialised fusion of the same type on the trained embeddings, and bounds:
  ``oracle_any_view`` (right if any view is right) and
  ``oracle_convex_weights`` (right if some per-sample convex weighting of the
  view embeddings -- what a weighted-sum fusion can output -- is right; an LP
  per sample), and the best constant weights on a simplex grid (fitted on the
  test labels: optimistic).
* ``errors``: fractions of samples all views get right / wrong / split, the
  pairwise agreement of view predictions and the phi correlation of their
  errors.
* ``weights``: mean and std per view over samples, entropy vs log N, on split
  samples the mean weight of right vs wrong views and how often the heaviest
  view is right (vs the chance of picking a right view), the within-sample
  correlation of weight and view confidence, and (for an MLP-scored fusion)
  how much of the within-sample spread of the scores is a per-view constant.
* ``embeddings``: norms per view, cosine between the views of one sample.
* ``symmetry``: for each pair of views at yaws -a / +a: accuracy, prediction
  agreement, embedding cosine and pixel difference, also after mirroring the
  +a view horizontally (normal maps: the x component changes sign), with the
  cosine between different samples' views as a scale.
* ``training_path`` (``--grad-batches`` > 0): on training batches, the
  gradient norm each loss term sends into the fusion's parameters (a term
  with none does not see the fused embedding) and into the whole model.

Usage:
    python tools/analysis_tools/fusion_analysis.py CONFIG CHECKPOINT [--out FILE]
        [--result-json FOLD/result.json] [--grad-batches 4] [--cfg-options ...]
    python tools/analysis_tools/fusion_analysis.py --combine A.json B.json ... --out FILE

Checkpoints are read weights-only and must fit the model exactly
(smilezoo.engine.checkpoint_loading). ``--result-json`` compares the fused and
per-view accuracies with a cross-validation fold's result.json and exits 1 on
a mismatch. Prints the JSON and writes it atomically to --out.
"""
import argparse
import copy
import itertools
import json
import math
import os
import sys
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

SAMPLE_DIGITS = 4


# --------------------------------------------------------------------------
# collection
# --------------------------------------------------------------------------
def mirror_views(x: torch.Tensor, modes: Sequence[str]) -> torch.Tensor:
    """(B, C, H, W) views in [0, 1] -> the same views flipped left-right: the
    view of the mirrored face from the opposite yaw. A 'normal' block's first
    channel is (n_x + 1) / 2 and becomes 1 - itself on the face (background
    stays 0); 'depth' and 'shaded' channels are only flipped."""
    from smilezoo.renderers import MODE_CHANNELS
    out = x.flip(-1).clone()
    face = out.sum(1) > 0  # (B, H, W); every face pixel has n_z >= 0, so B >= 0.5
    c = 0
    for mode in modes:
        if mode == 'normal':
            out[:, c] = torch.where(face, 1.0 - out[:, c], out[:, c])
        c += MODE_CHANNELS[mode]
    if c != x.shape[1]:
        raise ValueError(f'renderer modes {list(modes)} make {c} channels, the views have '
                         f'{x.shape[1]}')
    return out


def symmetric_pairs(yaws: Optional[Sequence[float]]) -> List[tuple]:
    """(i, j) with yaw_i = -yaw_j < 0."""
    if not yaws:
        return []
    yaws = [float(y) for y in yaws]
    return [(i, yaws.index(-y)) for i, y in enumerate(yaws) if y < 0 and -y in yaws]


@torch.no_grad()
def collect(model, loader, pairs: Sequence[tuple], modes: Optional[Sequence[str]]) -> dict:
    """Run ``model`` (eval mode) over ``loader``; numpy arrays over S samples:
    gt (S,), views (S, N, d), fused (S, d), weights (S, N), fused_probs (S, C),
    view_probs (S, N, C), scores (S, N) the fusion MLP's raw scores (when it has
    a ``score`` module), and per symmetric pair (i, j): mirrored (S, d) the
    embedding of view j mirrored, pixel_l1 / pixel_l1_mirrored (S,) the mean
    absolute difference of view i and view j (mirrored) on the face pixels."""
    from smilezoo.models.fusion.base import pool_views
    out = {k: [] for k in ('gt', 'views', 'fused', 'weights', 'fused_probs', 'view_probs',
                           'scores', 'source_path')}
    mir = {p: dict(mirrored=[], pixel_l1=[], pixel_l1_mirrored=[]) for p in pairs}
    score = getattr(model.fusion, 'score', None)
    for data in loader:
        data = model.data_preprocessor(data, False)
        x = data['inputs']
        feats = model.extract_feat(x)
        fused_p, view_p = model.class_scores(feats)
        out['gt'].append(np.array([int(s['gt_label']) for s in data['data_samples']]))
        out['source_path'] += [str(s.get('source_path', s.get('sample_idx', '')))
                               for s in data['data_samples']]
        out['views'].append(feats['views'].float().numpy())
        out['fused'].append(feats['fused'].float().numpy())
        out['weights'].append(feats['weights'].float().numpy())
        out['fused_probs'].append(fused_p.float().numpy())
        out['view_probs'].append(view_p.float().numpy())
        if isinstance(score, torch.nn.Module):
            out['scores'].append(score(pool_views(feats['views'])).squeeze(-1).float().numpy())
        for (i, j), m in mir.items():
            a, b = x[:, i], x[:, j]
            bm = mirror_views(b, modes)
            m['mirrored'].append(model.embed_views(bm[:, None])[:, 0].float().numpy())
            for key, other in (('pixel_l1', b), ('pixel_l1_mirrored', bm)):
                face = ((a.sum(1) > 0) | (other.sum(1) > 0)).float()
                diff = ((a - other).abs().mean(1) * face).sum((1, 2)) / face.sum((1, 2))
                m[key].append(diff.numpy())
    res = {k: (np.concatenate(v) if v and k != 'source_path' else v) for k, v in out.items()}
    if not len(res['gt']):
        raise ValueError('the test loader gave no samples')
    if not len(res['scores']):
        res['scores'] = None
    res['mirror'] = {p: {k: np.concatenate(v) for k, v in m.items()} for p, m in mir.items()}
    return res


# --------------------------------------------------------------------------
# statistics
# --------------------------------------------------------------------------
def _acc(pred: np.ndarray, gt: np.ndarray) -> float:
    return float(100.0 * (pred == gt).mean())


def _unit(z: np.ndarray) -> np.ndarray:
    return z / np.maximum(np.linalg.norm(z, axis=-1, keepdims=True), 1e-12)


@torch.no_grad()
def zero_shot(z: np.ndarray, protos: np.ndarray, head):
    """(..., d) -> the model's zero-shot ``head``: logits (..., C) and
    probabilities (..., C), float64 numpy."""
    logits = head.logits(torch.from_numpy(np.asarray(z, np.float32)),
                         torch.from_numpy(np.asarray(protos, np.float32)))
    return logits.double().numpy(), logits.softmax(-1).double().numpy()


def convex_oracle(views: np.ndarray, gt: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """(S,) bool: some convex weights w (sum 1, >= 0) make sum_i w_i z'_i predict
    the right class (the fused direction's argmax cosine; the norm does not
    change the argmax). LP per sample: max t s.t. w . (a_gt - a_k) >= t."""
    from scipy.optimize import linprog
    a = views @ _unit(protos).T  # (S, N, C)
    s, n, c = a.shape
    ok = np.zeros(s, dtype=bool)
    for b in range(s):
        margins = a[b, :, gt[b]][:, None] - np.delete(a[b], gt[b], axis=1)  # (N, C-1)
        a_ub = np.hstack([-margins.T, np.ones((c - 1, 1))])
        res = linprog(np.r_[np.zeros(n), -1.0], A_ub=a_ub, b_ub=np.zeros(c - 1),
                      A_eq=np.r_[np.ones(n), 0.0][None], b_eq=[1.0],
                      bounds=[(0, 1)] * n + [(None, None)], method='highs')
        ok[b] = res.status == 0 and -res.fun > 1e-9 * max(np.abs(a[b]).max(), 1e-12)
    return ok


def simplex_grid(n: int, step: float) -> np.ndarray:
    """(G, n) weight vectors on the simplex with coordinates multiple of step."""
    k = int(round(1 / step))
    pts = [c for c in itertools.product(range(k + 1), repeat=n - 1) if sum(c) <= k]
    return np.array([[*c, k - sum(c)] for c in pts], dtype=np.float64) / k


def best_constant_weights(views: np.ndarray, gt: np.ndarray, protos: np.ndarray,
                          step: float = 0.05) -> Optional[dict]:
    """The constant weights (grid on the simplex) with the best fused accuracy
    on these labels; None for more than 4 views."""
    n = views.shape[1]
    if n > 4:
        return None
    a = views @ _unit(protos).T  # (S, N, C); the fused argmax is that of sum_i w_i a_i
    grid = simplex_grid(n, step)
    accs = np.array([_acc(np.einsum('n,snc->sc', w, a).argmax(-1), gt) for w in grid])
    best = int(accs.argmax())
    return dict(acc=float(accs[best]), weights=grid[best].tolist(), grid_step=step,
                grid_points_at_best=int((accs == accs[best]).sum()))


def _phi(x: np.ndarray, y: np.ndarray) -> Optional[float]:
    """Pearson correlation of two 0/1 vectors (None when one is constant)."""
    if x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def _corr(x: np.ndarray, y: np.ndarray) -> Optional[float]:
    x, y = x.ravel(), y.ravel()
    if x.size < 2 or x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def _off_diagonal_cos(u: np.ndarray, same: np.ndarray) -> Optional[float]:
    """Mean cosine of unit rows u (S, d) over pairs a != b with same[a, b]."""
    mask = same & ~np.eye(len(u), dtype=bool)
    return float((u @ u.T)[mask].mean()) if mask.any() else None


def analyse(data: dict, protos: np.ndarray, head, view_names: Sequence[str],
            untrained: Optional[dict] = None, pairs: Sequence[tuple] = ()) -> dict:
    """The statistics of the module docstring from :func:`collect`'s arrays;
    ``head``: the model's zero-shot head (``logits(z, prototypes)``)."""
    gt, z, w = data['gt'], data['views'], data['weights']
    s, n = w.shape
    logits, probs = zero_shot(z, protos, head)  # (S, N, C)
    view_pred = probs.argmax(-1)  # (S, N)
    right = view_pred == gt[:, None]
    fused_pred = data['fused_probs'].argmax(-1)
    names = list(view_names)

    acc = {f'view_{names[i]}': _acc(view_pred[:, i], gt) for i in range(n)}
    best_i = int(np.argmax([acc[f'view_{v}'] for v in names]))
    conf = probs.max(-1)  # (S, N)
    votes = np.stack([(view_pred == c).sum(1) for c in range(protos.shape[0])], 1)
    acc.update(
        fused=_acc(fused_pred, gt),
        mean_embedding=_acc(zero_shot(z.mean(1), protos, head)[1].argmax(-1), gt),
        mean_unit_embedding=_acc(zero_shot(_unit(z).mean(1), protos, head)[1]
                                 .argmax(-1), gt),
        mean_logits=_acc(logits.mean(1).argmax(-1), gt),
        mean_probs=_acc(probs.mean(1).argmax(-1), gt),
        majority_vote=_acc((10.0 * votes + probs.mean(1)).argmax(-1), gt),
        most_confident_view=_acc(view_pred[np.arange(s), conf.argmax(1)], gt),
        oracle_any_view=float(100.0 * right.any(1).mean()),
        oracle_convex_weights=float(100.0 * convex_oracle(z, gt, protos).mean()))
    if untrained is not None:
        acc['untrained_fusion'] = _acc(
            zero_shot(untrained['fused'], protos, head)[1].argmax(-1), gt)
    acc.update(best_view=names[best_i], best_view_acc=acc[f'view_{names[best_i]}'])
    acc['fused_minus_best_view'] = acc['fused'] - acc['best_view_acc']
    best_const = best_constant_weights(z, gt, protos)
    if best_const is not None:
        acc['best_constant_weights_on_test'] = best_const

    k_right = right.sum(1)
    split = (k_right > 0) & (k_right < n)
    errors = dict(all_right=float(np.mean(k_right == n)), all_wrong=float(np.mean(k_right == 0)),
                  split=float(np.mean(split)),
                  split_by_views_right={str(k): float(np.mean(k_right == k))
                                        for k in range(1, n)},
                  fused_right_on_split=float(np.mean((fused_pred == gt)[split]))
                  if split.any() else None,
                  fused_right_on_all_wrong=float(np.mean((fused_pred == gt)[k_right == 0]))
                  if (k_right == 0).any() else None,
                  fused_wrong_on_all_right=float(np.mean((fused_pred != gt)[k_right == n]))
                  if (k_right == n).any() else None,
                  pairwise={})
    for i, j in itertools.combinations(range(n), 2):
        ei, ej = ~right[:, i], ~right[:, j]
        errors['pairwise'][f'{names[i]}-{names[j]}'] = dict(
            agreement=float(np.mean(view_pred[:, i] == view_pred[:, j])),
            both_wrong=float(np.mean(ei & ej)),
            both_wrong_if_independent=float(ei.mean() * ej.mean()),
            error_phi=_phi(ei.astype(float), ej.astype(float)))

    ent = -np.sum(w * np.log(np.where(w > 0, w, 1.0)), axis=1)
    heaviest = w.argmax(1)
    weights = dict(
        mean={v: float(w[:, i].mean()) for i, v in enumerate(names)},
        std_over_samples={v: float(w[:, i].std()) for i, v in enumerate(names)},
        min={v: float(w[:, i].min()) for i, v in enumerate(names)},
        max={v: float(w[:, i].max()) for i, v in enumerate(names)},
        entropy_mean=float(ent.mean()), log_n=float(math.log(n)),
        entropy_over_log_n=float(ent.mean() / math.log(n)) if n > 1 else None,
        heaviest_view_counts={v: int((heaviest == i).sum()) for i, v in enumerate(names)})
    if split.any():
        weights['split_samples'] = dict(
            count=int(split.sum()),
            mean_weight_right_views=float(w[split][right[split]].mean()),
            mean_weight_wrong_views=float(w[split][~right[split]].mean()),
            heaviest_view_right=float(right[split][np.arange(split.sum()),
                                                   heaviest[split]].mean()),
            heaviest_view_right_by_chance=float(right[split].mean()))
    weights['corr_weight_confidence_within_sample'] = _corr(
        w - w.mean(1, keepdims=True), conf - conf.mean(1, keepdims=True))
    if data.get('scores') is not None:
        sc = data['scores'] - data['scores'].mean(1, keepdims=True)  # only differences matter
        between = s * np.sum(sc.mean(0) ** 2)
        total = float(np.sum(sc ** 2))
        weights['score_spread_explained_by_view'] = float(between / total) if total else None
        weights['score_std_within_sample'] = float(sc.std(1).mean())
    if untrained is not None:
        uw = untrained['weights']
        uent = -np.sum(uw * np.log(np.where(uw > 0, uw, 1.0)), axis=1)
        weights['untrained_fusion'] = dict(
            mean={v: float(uw[:, i].mean()) for i, v in enumerate(names)},
            entropy_over_log_n=float(uent.mean() / math.log(n)) if n > 1 else None)

    u = _unit(z)
    norms = np.linalg.norm(z, axis=-1)
    emb = dict(norm_mean={v: float(norms[:, i].mean()) for i, v in enumerate(names)},
               cos_between_views={f'{names[i]}-{names[j]}': float((u[:, i] * u[:, j])
                                                                  .sum(-1).mean())
                                  for i, j in itertools.combinations(range(n), 2)},
               cos_fused_to_view={v: float((_unit(data['fused']) * u[:, i]).sum(-1).mean())
                                  for i, v in enumerate(names)})
    same = gt[:, None] == gt[None, :]
    emb['cos_other_samples_same_view'] = {
        v: dict(same_class=_off_diagonal_cos(u[:, i], same),
                other_class=_off_diagonal_cos(u[:, i], ~same)) for i, v in enumerate(names)}

    sym = {}
    for i, j in pairs:
        m = data['mirror'][(i, j)]
        mz = m['mirrored']
        _, mp = zero_shot(mz, protos, head)
        mpred = mp.argmax(-1)
        sym[f'{names[i]}-{names[j]}'] = dict(
            acc={names[i]: acc[f'view_{names[i]}'], names[j]: acc[f'view_{names[j]}'],
                 f'{names[j]}_mirrored': _acc(mpred, gt)},
            agreement=float(np.mean(view_pred[:, i] == view_pred[:, j])),
            agreement_with_mirrored=float(np.mean(view_pred[:, i] == mpred)),
            both_wrong=float(np.mean(~right[:, i] & ~right[:, j])),
            cos=float((u[:, i] * u[:, j]).sum(-1).mean()),
            cos_with_mirrored=float((u[:, i] * _unit(mz)).sum(-1).mean()),
            pixel_l1=float(m['pixel_l1'].mean()),
            pixel_l1_with_mirrored=float(m['pixel_l1_mirrored'].mean()))
    samples = [dict(source_path=p, gt=int(g), fused_pred=int(f),
                    view_pred=[int(v) for v in vp],
                    weights=[round(float(x), SAMPLE_DIGITS) for x in ww])
               for p, g, f, vp, ww in zip(data['source_path'], gt, fused_pred, view_pred, w)]
    return dict(num_samples=int(s), num_views=int(n), view_names=names, accuracy=acc,
                errors=errors, weights=weights, embeddings=emb, symmetry=sym, samples=samples)


# --------------------------------------------------------------------------
# training path
# --------------------------------------------------------------------------
def gradient_paths(model, loader, batches: int, seed: int = 0) -> dict:
    """Gradient norm of each loss term (``model.loss``, train mode: augmentation,
    batch-norm statistics of the batch, float32) with respect to the fusion's
    parameters and to all parameters, averaged over ``batches`` training
    batches. Changes the model's batch-norm running statistics: call last."""
    params = [p for p in model.parameters() if p.requires_grad]
    fusion = [p for p in model.fusion.parameters() if p.requires_grad]
    fusion_ids = {id(p) for p in fusion}
    sums: Dict[str, Dict[str, float]] = {}
    done = 0
    torch.manual_seed(seed)
    model.train()
    for data in loader:
        if done >= batches:
            break
        data = model.data_preprocessor(data, True)
        losses = {k: v for k, v in model.loss(data['inputs'], data['data_samples']).items()
                  if k.startswith('loss') and v.requires_grad}
        for k, v in losses.items():
            grads = torch.autograd.grad(v, params, retain_graph=True, allow_unused=True)
            sq_all = sum(float(g.pow(2).sum()) for g in grads if g is not None)
            sq_fus = sum(float(g.pow(2).sum()) for p, g in zip(params, grads)
                         if g is not None and id(p) in fusion_ids)
            acc = sums.setdefault(k, dict(value=0.0, grad_norm_fusion=0.0, grad_norm_all=0.0))
            acc['value'] += float(v.detach())
            acc['grad_norm_fusion'] += math.sqrt(sq_fus)
            acc['grad_norm_all'] += math.sqrt(sq_all)
        done += 1
    model.eval()
    if not done:
        raise ValueError('the training loader gave no batch')
    terms = {k: {m: x / done for m, x in v.items()} for k, v in sums.items()}
    for v in terms.values():
        v['fusion_share_of_grad_norm'] = (v['grad_norm_fusion'] / v['grad_norm_all']
                                          if v['grad_norm_all'] else None)
    return dict(batches=done, fusion_parameters=int(sum(p.numel() for p in fusion)),
                all_parameters=int(sum(p.numel() for p in params)), terms=terms,
                terms_reaching_fusion=sorted(k for k, v in terms.items()
                                             if v['grad_norm_fusion'] > 0))


# --------------------------------------------------------------------------
# combining folds
# --------------------------------------------------------------------------
def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def reduce_trees(trees: List, fn):
    """Apply ``fn`` (list of numbers -> number) leafwise to the keys and
    equal-length numeric lists all trees share; other leaves are dropped."""
    first = trees[0]
    if all(_is_num(t) for t in trees):
        return fn([float(t) for t in trees])
    if all(isinstance(t, dict) for t in trees):
        out = {}
        for k in first:
            if all(k in t for t in trees):
                v = reduce_trees([t[k] for t in trees], fn)
                if v is not None:
                    out[k] = v
        return out or None
    if all(isinstance(t, list) and len(t) == len(first) and all(_is_num(x) for x in t)
           for t in trees):
        return [fn([float(t[i]) for t in trees]) for i in range(len(first))]
    return None


def combine(paths: Sequence[str]) -> dict:
    """Per-file results -> {'mean', 'std', 'min', 'max' over files, 'folds'}."""
    folds = []
    for p in paths:
        with open(p) as f:
            folds.append(json.load(f))
    stats = {k: {kk: v for kk, v in f.items() if kk not in ('samples', 'config', 'checkpoint')}
             for k, f in zip(range(len(folds)), folds)}
    trees = list(stats.values())
    return dict(num_folds=len(folds), files=list(paths),
                mean=reduce_trees(trees, lambda x: float(np.mean(x))),
                std=reduce_trees(trees, lambda x: float(np.std(x))),
                min=reduce_trees(trees, min), max=reduce_trees(trees, max), folds=folds)


# --------------------------------------------------------------------------
# the tool
# --------------------------------------------------------------------------
def loader_cfg(cfg_loader: dict) -> dict:
    """A loader config without worker processes (one CPU thread)."""
    out = copy.deepcopy(cfg_loader)
    out.update(num_workers=0, persistent_workers=False)
    return out


def check_result(res: dict, result_json: str) -> dict:
    """Compare fused / per-view accuracies with a fold's result.json."""
    with open(result_json) as f:
        ref = json.load(f)['evaluations']['zero_shot']
    names = res['view_names']
    pairs = [('fused', res['accuracy']['fused'], ref['acc/zero_shot'])]
    pairs += [(f'view_{v}', res['accuracy'][f'view_{v}'], ref.get(f'acc/view_{i}'))
              for i, v in enumerate(names)]
    pairs.append(('num_samples', res['num_samples'], ref.get('num_samples')))
    rows = {k: dict(tool=a, result_json=b, equal=b is not None and abs(a - b) < 1e-6)
            for k, a, b in pairs}
    return dict(file=result_json, all_equal=all(r['equal'] for r in rows.values()), rows=rows)


def run(config: str, checkpoint: str, cfg_options=None, grad_batches: int = 4,
        result_json: Optional[str] = None) -> dict:
    """Build the model of ``config``, load ``checkpoint`` (weights only, strict
    fit), collect and analyse its test set; returns the result dict."""
    from mmengine.runner import Runner

    from smilezoo.engine.checkpoint_loading import load_exact_weights, precheck_checkpoint_file
    from smilezoo.registry import MODELS
    from smilezoo.structures import view_names_from_yaws
    from smilezoo.utils import explain_unknown_types, register_all_modules
    from smilezoo.utils.config_check import load_config
    from smilezoo.utils.machine import describe_machine
    t0 = time.time()
    register_all_modules()
    cfg = load_config(config, cfg_options)
    precheck_checkpoint_file(checkpoint)  # a refused file fails before the build
    with explain_unknown_types():
        model = MODELS.build(copy.deepcopy(cfg.model))
    if not hasattr(model, 'prompt_bank') or not hasattr(getattr(model, 'head', None), 'logits'):
        raise ValueError(f'{config}: {type(model).__name__} is not a zero-shot model (no '
                         f'prompt bank, or a head without logits(z, prototypes)); this tool '
                         f'analyses SmileVLM-like models')
    load_exact_weights(model, checkpoint, config)
    model.eval()
    loader = Runner.build_dataloader(loader_cfg(cfg.test_dataloader))
    meta = getattr(loader.dataset, 'metainfo', {}) or {}
    renderer = meta.get('renderer') or (cfg.get('data_preparation') or {}).get('renderer') or {}
    yaws = renderer.get('yaws')
    images = renderer.get('type', 'MultiViewRenderer') == 'MultiViewRenderer'
    pairs = symmetric_pairs(yaws) if images else []
    data = collect(model, loader, pairs, renderer.get('modes', ('normal',)))
    n = data['views'].shape[1]
    names = view_names_from_yaws(yaws) if yaws and len(yaws) == n else \
        [f'view_{i}' for i in range(n)]
    fcfg = copy.deepcopy(cfg.model.fusion)
    fcfg.setdefault('embed_dim', data['views'].shape[-1])
    torch.manual_seed(0)
    fresh = MODELS.build(fcfg).eval()
    with torch.no_grad():
        uf, uw = fresh(torch.from_numpy(data['views']))
    untrained = dict(fused=uf.float().numpy(), weights=uw.float().numpy())
    protos = model.prompt_bank.prototypes.float().numpy()
    res = analyse(data, protos, model.head, names, untrained, pairs)
    # the collected embeddings must give the model's own per-view predictions
    _, own = zero_shot(data['views'], protos, model.head)
    if not np.array_equal(own.argmax(-1), data['view_probs'].argmax(-1)):
        raise AssertionError('per-view zero-shot predictions differ from the model\'s '
                             'class_scores; the analysis would be wrong')
    res['fusion'] = dict(type=cfg.model.fusion.get('type'),
                         input='each view embedding z\'_i (d,) alone' if
                         data.get('scores') is not None else None)
    if grad_batches > 0:
        train = Runner.build_dataloader(loader_cfg(cfg.train_dataloader))
        res['training_path'] = gradient_paths(model, train, grad_batches)
    if result_json:
        res['check_against_result_json'] = check_result(res, result_json)
    res.update(config=config, checkpoint=checkpoint,
               cfg_options=[f'{k}={v}' for k, v in (cfg_options or {}).items()],
               view_yaws=list(yaws) if yaws else None,
               logit_scale=float(getattr(model.head, 'logit_scale', 1.0)),
               machine=describe_machine(), seconds=round(time.time() - t0, 1))
    return res


def main(argv=None):
    from mmengine.config import DictAction

    from smilezoo.engine.checkpoint_loading import exit_on_checkpoint_error
    from smilezoo.utils.atomic_io import write_json_atomic
    from smilezoo.utils.config_check import exit_on_config_error
    from smilezoo.utils.machine import rounded
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?')
    parser.add_argument('checkpoint', nargs='?')
    parser.add_argument('--out', help='write the JSON here (atomically)')
    parser.add_argument('--result-json', help="a fold's result.json: its zero-shot and "
                        'per-view accuracies must equal the tool\'s (exit 1 otherwise)')
    parser.add_argument('--grad-batches', type=int, default=4,
                        help='training batches for the gradient paths (0: skip)')
    parser.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    parser.add_argument('--combine', nargs='+', metavar='JSON',
                        help='combine per-fold outputs of this tool instead')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.combine:
        res = combine(args.combine)
    else:
        if not (args.config and args.checkpoint):
            parser.error('CONFIG and CHECKPOINT are required (or --combine)')
        if os.getcwd() not in sys.path:  # custom_imports may name modules under it
            sys.path.insert(0, os.getcwd())
        with exit_on_config_error(), exit_on_checkpoint_error():
            res = run(args.config, args.checkpoint, args.cfg_options, args.grad_batches,
                      args.result_json)
    res = rounded(res)
    summary = {k: v for k, v in res.items() if k not in ('samples', 'folds')}
    print(json.dumps(summary, indent=1))
    if args.out:
        write_json_atomic(args.out, res)
    check = res.get('check_against_result_json')
    if check and not check['all_equal']:
        raise SystemExit(f'error: the tool\'s accuracies differ from {check["file"]}: '
                         f'{check["rows"]}')
    return res


if __name__ == '__main__':
    main()
