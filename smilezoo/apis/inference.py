"""Predict the expression of raw scans and 4D sequences with a trained model.

Each input (read by :func:`smilezoo.datasets.formats.read_scan`) goes through the view pipeline
of prepare_data (:func:`smilezoo.datasets.transforms.build_view_pipeline`, from the config's
``data_preparation``), then the config's test pipeline, its test ``collate_fn`` and the model's
``test_step``: a scan that is also in a prepared cache gets the scores ``tools/test.py`` gives.

Example::

    from smilezoo.apis import ExpressionInferencer
    infer = ExpressionInferencer('configs/smile_vlm_synthetic.py', 'epoch_15.pth')
    for r in infer(['scan.wrl', 'folder_of_scans/'], prompts=['a nervous face']):
        print(r['path'], r.get('predicted_class'), r.get('error'))
"""
import copy
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F

from smilezoo.structures import Prediction
from smilezoo.utils.progress import ProgressBar

__all__ = ['ExpressionInferencer', 'InferenceInput', 'collect_inputs', 'describe_error']


@dataclass
class InferenceInput:
    """One thing to predict: ``path`` (the scan file or the sequence folder), ``kind`` ('scan' or
    'sequence'), a sequence's ``frames`` (absolute paths, in time order) and ``error``: why it
    cannot be predicted, when known while collecting (e.g. a single file given to a 4D config)."""
    path: str
    kind: str
    frames: List[str] = field(default_factory=list)
    error: Optional[str] = None


class InputError(ValueError):
    """An input that cannot be predicted; the message names it."""


def natural_key(name: str):
    """'frame10.obj' after 'frame9.obj'."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r'(\d+)', name)]


def _scan_files(folder: str) -> List[str]:
    from smilezoo.datasets.formats.read_any import is_scan_file
    return [osp.join(folder, n) for n in sorted(os.listdir(folder), key=natural_key)
            if is_scan_file(n) and osp.isfile(osp.join(folder, n))]


def _walk(folder: str):
    """os.walk in natural order, hidden folders skipped."""
    for root, dirs, _ in os.walk(folder):
        dirs[:] = sorted((d for d in dirs if not d.startswith('.')), key=natural_key)
        yield root


def collect_inputs(paths: Sequence[Union[str, os.PathLike]], sequences: bool
                   ) -> List[InferenceInput]:
    """Expand the user's paths into scans or sequences.

    3D config (``sequences=False``): a file is a scan; a folder gives every scan file below it
    (natural order; textures, landmarks etc. ignored). 4D config: a folder holding frame files is
    one sequence; a folder without frame files of its own gives one sequence per folder below it
    that holds them; a single file cannot make a dynamic image and becomes an input with an error.

    Raises:
        FileNotFoundError: naming every path that does not exist.
    """
    from smilezoo.datasets.formats.read_any import SCAN_EXTENSIONS
    paths = [str(p) for p in paths]
    missing = [p for p in paths if not osp.exists(p)]
    if missing:
        raise FileNotFoundError('input not found: ' + ', '.join(missing))
    exts = ' '.join(SCAN_EXTENSIONS)
    items = []
    for p in paths:
        if osp.isfile(p):
            items.append(InferenceInput(p, 'sequence', error=(
                f'{p}: a single file, but the config is a 4D (sequence) config: give the folder '
                f'holding the frames of a sequence')) if sequences else InferenceInput(p, 'scan'))
        elif sequences:
            roots = [p] if _scan_files(p) else _walk(p)
            found = [InferenceInput(root, 'sequence', [osp.abspath(f) for f in frames])
                     for root in roots if (frames := _scan_files(root))]
            items += found or [InferenceInput(p, 'sequence', error=(
                f'{p}: no sequence found: no folder in it holds frame files ({exts})'))]
        else:
            found = [InferenceInput(f, 'scan') for root in _walk(p) for f in _scan_files(root)]
            items += found or [InferenceInput(p, 'scan', error=(
                f'{p}: no scan files ({exts}) in this folder'))]
    return items


def describe_error(path: str, err: BaseException) -> str:
    """One line naming the input and what was wrong."""
    from smilezoo.datasets.sources import SequenceError
    from smilezoo.structures import ScanFormatError
    text = ' '.join(str(err).split()) or type(err).__name__
    own = isinstance(err, (ScanFormatError, SequenceError, InputError))
    if own and (str(path) in text or osp.abspath(str(path)) in text):
        return text  # our own errors name the input already
    return f'{path}: ' + ('' if own else f'{type(err).__name__}: ') + text


def as_probabilities(scores: torch.Tensor) -> torch.Tensor:
    """(..., C) class scores -> probabilities. The zero-shot head (and the supervised classifier)
    already return softmax(logit_scale * cos), kept as they are; raw scores (logits) get a
    softmax."""
    scores = scores.float()
    total = scores.sum(-1)
    if (scores >= 0).all() and torch.allclose(total, torch.ones_like(total), atol=1e-4):
        return scores
    return scores.softmax(-1)


class ExpressionInferencer:
    """A config and a checkpoint, ready to predict raw inputs.

    Args:
        config: config file path or an mmengine ``Config``.
        checkpoint: an mmengine checkpoint, or any ``torch.save`` of ``{'state_dict': ...}`` /
            a bare state dict.
        device: 'cpu', 'cuda', 'cuda:1', ...
        cfg_options: keys to override in the config (as ``--cfg-options``).
        batch_size: inputs per model call (default: the test loader's).
        allow_partial: load a checkpoint that does not fit the model (only its matching
            weights; ``partial_warning`` says what was left).
        unsafe_load: fully unpickle a checkpoint that the weights-only load refuses (runs any
            code it holds: files you trust only).

    Attributes:
        sequences: True for a 4D config (its source is a ``SequenceSource``).
        class_names, view_names: label order and the renderer's views ('left', 'front', 'right'
            for yaws -30, 0, 30).
        load_report: how the checkpoint matched the model
            (:class:`smilezoo.engine.checkpoint_loading.FitReport`).
        partial_warning: None, or what a partial load left out.

    Raises:
        ValueError: no ``data_preparation.renderer`` in the config.
        CheckpointError (a ValueError): a checkpoint that is unreadable, needs unpickling beyond
            weights, or does not fit the model (missing, unexpected or reshaped weights).
    """

    def __init__(self, config, checkpoint: str, device: str = 'cpu',
                 cfg_options: Optional[Dict] = None, batch_size: Optional[int] = None,
                 allow_partial: bool = False, unsafe_load: bool = False):
        from mmengine.config import Config
        from mmengine.dataset import Compose
        from mmengine.registry import FUNCTIONS

        from smilezoo.registry import DATASETS, MODELS, TRANSFORMS
        from smilezoo.structures import view_names_from_yaws
        from smilezoo.utils import explain_unknown_types, register_all_modules
        register_all_modules()
        cfg = config if isinstance(config, Config) else Config.fromfile(str(config))
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
        self.cfg = cfg
        self.config_name = getattr(cfg, 'filename', None) or str(config)
        from smilezoo.engine.checkpoint_loading import (check_fit, load_checkpoint_file,
                                                        matching_state_dict, partial_warning,
                                                        state_dict_of)
        self.checkpoint = str(checkpoint)  # read (weights only) before anything is built
        ckpt = load_checkpoint_file(self.checkpoint, map_location='cpu', unsafe=unsafe_load)
        prep = cfg.get('data_preparation') or {}
        if 'renderer' not in prep:
            raise ValueError(f'{self.config_name}: no data_preparation.renderer in the config: '
                             f'infer renders raw scans with it, as prepare_data.py does')
        self.device = torch.device(device)
        with explain_unknown_types():
            self.renderer = TRANSFORMS.build(copy.deepcopy(prep['renderer']))
            self.source = (DATASETS.build(copy.deepcopy(prep['source']))
                           if prep.get('source') else None)
            self.model = MODELS.build(copy.deepcopy(cfg.model))
            if not getattr(self.model, 'predicts_classes', True):
                raise ValueError(f'{self.config_name}: {type(self.model).__name__} predicts no '
                                 f'class (no classifier, no text encoder); it is evaluated by '
                                 f'a linear probe (tools/cross_validate.py)')
            loader = cfg.get('test_dataloader') or {}
            dataset = loader.get('dataset') or {}
            while 'pipeline' not in dataset and isinstance(dataset.get('dataset'), dict):
                dataset = dataset['dataset']  # dataset wrappers
            self.pipeline = Compose(copy.deepcopy(
                dataset.get('pipeline', [dict(type='PackViewInputs')])))
        from smilezoo.datasets.formats.read_any import read_scan
        from smilezoo.datasets.sources import SequenceSource
        from smilezoo.datasets.transforms import build_view_pipeline
        self.sequences = isinstance(self.source, SequenceSource)
        read = read_scan if self.sequences else partial(  # every format, as the sources'
            read_scan, triangulate_bnt=getattr(self.source, 'as_mesh', True))
        self.view_pipeline = build_view_pipeline(self.source, self.renderer, read_file=read)
        collate = dict(loader.get('collate_fn') or dict(type='smilezoo.multiview_collate'))
        fn = collate.pop('type')
        self.collate = partial(FUNCTIONS.get(fn) if isinstance(fn, str) else fn, **collate)
        self.batch_size = int(batch_size or loader.get('batch_size') or 16)
        self.class_names = list(getattr(self.model, 'class_names', None) or
                                dataset.get('classes') or cfg.get('class_names') or [])
        yaws = getattr(self.renderer, 'yaws', None)
        self.view_names = view_names_from_yaws(yaws) if yaws else None
        # the strict fit check, then the weights into the model
        report = check_fit(self.model, ckpt, self.checkpoint, self.config_name, allow_partial)
        state = state_dict_of(ckpt, self.checkpoint)
        self.load_report, self.partial_warning = report, None
        if report.fits:
            self.model.load_state_dict(state, strict=True)
        else:
            self.model.load_state_dict(matching_state_dict(self.model, state), strict=False)
            self.partial_warning = partial_warning(self.checkpoint, report)
        self.model.to(self.device).eval()

    def prompt_prototypes(self, prompts: Sequence[str]) -> torch.Tensor:
        """(P, d) prototypes of free-text prompts, built like the class prototypes (the model's
        text encoder through a PromptBank: each prompt its own one-prompt pool, L2-normalised;
        embeddings cached on disk like the class prompts')."""
        from smilezoo.models.text_encoders import PromptBank, text_encoder_cache_key
        model = self.model
        te_cfg = getattr(model, '_text_encoder_cfg', None) or self.cfg.model.get('text_encoder')
        if getattr(model, 'prompt_bank', None) is None or te_cfg is None or \
                not hasattr(model, 'head'):
            raise ValueError(f'free-text prompts need a vision-language model (a text encoder '
                             f'and a zero-shot head, e.g. SmileVLM); the model of '
                             f'{self.config_name} is {type(model).__name__}')
        prompts = list(dict.fromkeys(prompts))
        bank = PromptBank(prompts, {p: [p] for p in prompts}, lambda: model.text_encoder,
                          text_encoder_cache_key(te_cfg),
                          cache_dir=self.cfg.model.get('prompt_cache_dir'))
        return bank.prototypes.to(self.device)

    # --------------------------------------------------------------- rendering
    def render(self, item: InferenceInput):
        """-> ((N, C, H, W) uint8 views as the view cache stores them, extra
        dict: a sequence's frames_used and frame_problems)."""
        if item.error:
            raise InputError(item.error)
        if item.kind != ('sequence' if self.sequences else 'scan'):
            raise InputError(f'{item.path}: a {item.kind}, but the config is a '
                             f'{"4D (sequence)" if self.sequences else "3D (scan)"} config')
        if item.kind == 'scan':  # a degenerate scan: GeometryError, refused
            return self.view_pipeline(dict(source_path=item.path))['views'], {}
        out = self.view_pipeline(dict(source_path=item.path, frames=list(item.frames),
                                      num_frames=len(item.frames), missing_frames=[]))
        folder = osp.abspath(item.path)
        rel = lambda f: osp.relpath(f, folder)  # noqa: E731
        return out['views'], dict(
            frames_used=[rel(f) for f in out['frames_used']],
            frame_problems=[dict(p, frame=rel(p['frame'])) for p in out['frame_problems']])

    # -------------------------------------------------------------- predicting
    def __call__(self, paths: Sequence, prompts: Optional[Sequence[str]] = None,
                 topk: int = 5, progress: bool = False,
                 on_result: Optional[Callable[[dict, Optional[np.ndarray]], None]] = None
                 ) -> List[Prediction]:
        """Predict every input.

        Args:
            paths: files / folders (see :func:`collect_inputs`) or :class:`InferenceInput` items.
            prompts: free-text prompts scored against each fused embedding.
            topk: length of ``top_k`` in each result (at least 1).
            progress: show a rich progress bar (on stderr) for 2+ inputs.
            on_result: called as ``on_result(result, views)`` for each input as soon as it is
                done (views: its (N, C, H, W) uint8 inputs, None for a failed input); e.g. to
                draw a picture.

        Returns:
            One :class:`~smilezoo.structures.Prediction` (a dict, keys documented there) per
            input, in input order.
        """
        items = list(paths) if all(isinstance(p, InferenceInput) for p in paths) else \
            collect_inputs(paths, self.sequences)
        protos = self.prompt_prototypes(prompts) if prompts else None
        prompts = list(dict.fromkeys(prompts)) if prompts else None
        results: List[Optional[Prediction]] = [None] * len(items)
        pending = []

        def flush():
            for (i, item, views, extra), res in zip(pending, self._predict(
                    pending, prompts, protos, topk)):
                results[i] = res
                if on_result:
                    on_result(res, views)
            pending.clear()

        with ProgressBar('predicting', len(items), enabled=progress and len(items) > 1,
                         stderr=True) as bar:
            for i, item in enumerate(items):
                try:
                    views, extra = self.render(item)
                except Exception as err:  # per input, reported, never silently dropped
                    results[i] = Prediction(path=item.path, kind=item.kind,
                                            error=describe_error(item.path, err))
                    if on_result:
                        on_result(results[i], None)
                else:
                    pending.append((i, item, views, extra))
                    if len(pending) >= self.batch_size:
                        flush()
                bar.advance()
            if pending:
                flush()
        return results

    @torch.no_grad()
    def _predict(self, pending, prompts, protos, topk) -> List[Prediction]:
        samples = [self.pipeline(dict(views=views, source_path=item.path, sample_idx=i))
                   for i, item, views, _ in pending]
        outs = self.model.test_step(self.collate(samples))
        names = self.class_names or [str(c) for c in range(len(outs[0]['pred_score']))]
        n_views = len(outs[0]['view_weights'])
        views = self.view_names if self.view_names and len(self.view_names) == n_views \
            else [f'view{k}' for k in range(n_views)]
        if protos is not None:
            emb = torch.stack([o['embedding'] for o in outs]).to(self.device)
            p_prob = self.model.head(emb, protos).cpu()
            p_cos = (F.normalize(emb, dim=-1) @ F.normalize(protos.to(emb.dtype), dim=-1).T).cpu()
        results = []
        for k, ((_, item, _, extra), out) in enumerate(zip(pending, outs)):
            probs = as_probabilities(out['pred_score'])
            order = torch.argsort(probs, descending=True)[:max(1, topk)].tolist()
            res = Prediction(
                path=item.path, kind=item.kind, predicted_class=names[int(out['pred_label'])],
                predicted_label=int(out['pred_label']),
                probabilities={n: float(p) for n, p in zip(names, probs)},
                top_k=[{'class': names[c], 'probability': float(probs[c])} for c in order],
                view_weights={v: float(w) for v, w in zip(views, out['view_weights'])},
                view_predictions={v: names[int(c)] for v, c in zip(views, out['view_pred_labels'])})
            if protos is not None:
                res['prompts'] = {p: dict(score=float(p_cos[k, j]), probability=float(p_prob[k, j]))
                                  for j, p in enumerate(prompts)}
            res.update(extra)
            results.append(res)
        return results
