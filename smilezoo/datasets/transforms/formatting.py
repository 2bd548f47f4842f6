"""The final packing step: array -> tensor, metadata -> a plain dict."""
import torch

from smilezoo.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackViewInputs:
    """Pack a sample for the model.

    Required keys: ``views`` (N, C, H, W) array.
    Added keys: ``inputs`` (tensor) and ``data_samples`` (dict of ``meta_keys`` that are present,
    e.g. gt_label, subject, intensity, sample_idx).
    """

    def __init__(self, meta_keys=('gt_label', 'subject', 'expression', 'intensity',
                                  'sample_idx', 'source_path', 'dataset')):
        self.meta_keys = tuple(meta_keys)

    def __call__(self, results: dict) -> dict:
        return dict(inputs=torch.from_numpy(results['views']),
                    data_samples={k: results[k] for k in self.meta_keys if k in results})
