"""The training-time dataset: rendered views cached by tools/prepare_data.py."""
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.dataset import BaseDataset
from mmengine.fileio import load

from smilezoo.registry import DATASETS
from smilezoo.utils.paths import resolve_inside
from .splits import select_subjects

ANNOTATION_FORMAT = 'smilezoo.cached_views'
ANNOTATION_VERSION = 1


@DATASETS.register_module()
class CachedViewDataset(BaseDataset):
    """Samples of pre-rendered views, filtered by class, intensity and subject.

    The annotation file is the ``annotations.json`` of ``tools/prepare_data.py``
    (docs/datasets.md); an entry's ``views`` path (of an (N, C, H, W) uint8 .npy, relative to the
    annotation file) that is absolute or resolves outside the file's folder ('..', a symbolic link)
    is refused (PathOutsideRootError naming the file, the entry index and the path).

    Args:
        ann_file: the annotation file. A config's dataloaders leave it out: ``load_config``
            (every tool's) fills in ``<data_preparation.out_dir>/annotations.json``.
        classes: class names in label order; samples of other expressions are dropped, each
            kept one gets ``gt_label``, its index here.
        intensities: keep only these intensity levels (None: all).
        subject_split: see ``smilezoo.datasets.splits.select_subjects``.
        pipeline: transforms, usually LoadCachedViews then PackViewInputs.
    """

    def __init__(self, ann_file: str = '', *, classes: Sequence[str],
                 intensities: Optional[Sequence[int]] = None,
                 subject_split: Optional[dict] = None, pipeline: Sequence = (), **kwargs):
        self.intensities = set(intensities) if intensities else None
        self.subject_split = subject_split
        self._classes = list(classes)
        super().__init__(ann_file=ann_file, metainfo=dict(classes=self._classes),
                         pipeline=list(pipeline), **kwargs)

    def load_data_list(self) -> List[dict]:
        if not self.ann_file:
            raise ValueError('CachedViewDataset: no ann_file; a config loaded with '
                             'smilezoo.utils.config_check.load_config (as the tools do) reads '
                             '<data_preparation.out_dir>/annotations.json')
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'annotation file {self.ann_file!r} not found: render the views first with '
                f'`python tools/prepare_data.py CONFIG` (it writes this file)')
        ann = load(self.ann_file)
        meta = ann.get('metainfo', {}) if isinstance(ann, dict) else {}
        if meta.get('format') != ANNOTATION_FORMAT or 'data_list' not in ann:
            raise ValueError(f'{self.ann_file}: not a smilezoo cached-view annotation file '
                             f'(expected metainfo.format={ANNOTATION_FORMAT!r} and a data_list)')
        if meta.get('version') != ANNOTATION_VERSION:
            raise ValueError(f'{self.ann_file}: annotation version {meta.get("version")}, this '
                             f'smilezoo reads version {ANNOTATION_VERSION}; rerun prepare_data.py')
        self._metainfo.update({k: v for k, v in meta.items() if k != 'classes'})
        root = osp.dirname(osp.abspath(self.ann_file))
        items = ann['data_list']
        keep_subjects = select_subjects([d['subject'] for d in items], self.subject_split)
        out = []
        for index, d in enumerate(items):
            views = resolve_inside(root, d.get('views'),  # every entry, even unused ones
                                   f'{self.ann_file}: data_list[{index}].views')
            if (d['expression'] in self._classes
                    and (self.intensities is None or d.get('intensity') in self.intensities)
                    and (keep_subjects is None or d['subject'] in keep_subjects)):
                out.append(dict(d, views=views, gt_label=self._classes.index(d['expression'])))
        return out
