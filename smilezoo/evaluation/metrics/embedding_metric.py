"""The test metric of a model without a classifier (the Barlow Twins baseline)."""
from typing import Dict, List

import numpy as np
from mmengine.evaluator import BaseMetric

from smilezoo.registry import METRICS
from .expression_metric import view_weight_spread


@METRICS.register_module()
class EmbeddingMetric(BaseMetric):
    """No accuracy (the model predicts no class; its accuracy is the linear
    probe's, ``cv_evaluations = ['linear_probe']``): ``num_samples``,
    ``num_unique_samples``, ``class_names`` (the dataset's) and the fusion-weight
    spread ``view_weights/{mean,std,entropy}`` of ExpressionMetric."""
    default_prefix = None

    def process(self, data_batch, data_samples: List[dict]) -> None:
        for s in data_samples:
            self.results.append(dict(sample_idx=int(s.get('sample_idx', -1)), weights=np.asarray(
                s['view_weights'], dtype=float).tolist()))

    def compute_metrics(self, results: List[dict]) -> Dict:
        return dict(num_samples=len(results),
                    num_unique_samples=len({r['sample_idx'] for r in results}),
                    class_names=list((self.dataset_meta or {}).get('classes', [])),
                    **view_weight_spread(np.array([r['weights'] for r in results], dtype=float)))
