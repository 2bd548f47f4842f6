"""Subject-independent splits: no subject is ever in both train and test."""
from typing import Dict, List, Optional, Sequence

import numpy as np


def subject_folds(subjects: Sequence[str], num_folds: int, seed: int = 0) -> List[List[str]]:
    """Partition the unique subjects into ``num_folds`` disjoint, near-equal folds: sorted,
    shuffled with ``seed``, dealt round-robin (the same for the same set of subjects)."""
    unique = sorted(set(subjects))
    if num_folds < 2:
        raise ValueError(f'num_folds={num_folds}: need at least 2 folds')
    if len(unique) < num_folds:
        raise ValueError(f'{len(unique)} subjects cannot fill {num_folds} subject-independent '
                         f'folds; lower num_folds')
    order = np.random.default_rng(seed).permutation(len(unique))  # dealt round-robin
    return [sorted(unique[i] for i in order[f::num_folds]) for f in range(num_folds)]


def select_subjects(subjects: Sequence[str], subject_split: Optional[Dict]) -> Optional[set]:
    """The subjects one part of a split keeps, or None (keep all).

    ``subject_split``: dict(num_folds=5, fold=0, part='train'|'test', seed=0) (the test part is
    fold ``fold``, train every other fold) or dict(subjects=[...]) for an explicit list.
    """
    if not subject_split:
        return None
    split = dict(subject_split)
    if 'subjects' in split:
        return set(split['subjects'])
    part = split.get('part', 'train')
    if part not in ('train', 'test'):
        raise ValueError(f"subject_split.part={part!r}, expected 'train' or 'test'")
    folds = subject_folds(subjects, int(split.get('num_folds', 5)), int(split.get('seed', 0)))
    fold = int(split.get('fold', 0))
    if not 0 <= fold < len(folds):
        raise ValueError(f'subject_split.fold={fold} outside 0..{len(folds) - 1}')
    if part == 'test':
        return set(folds[fold])
    return {s for i, f in enumerate(folds) if i != fold for s in f}
