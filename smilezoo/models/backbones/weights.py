"""Where pretrained weights come from, and the error when they cannot be had."""
import os
import os.path as osp


class PretrainedWeightsError(RuntimeError):
    """Weights were asked for but could not be loaded; says what was tried."""


def is_local_file(spec) -> bool:
    return isinstance(spec, str) and (osp.isfile(osp.expanduser(spec)))


def offline() -> bool:
    """True when the user asked for no network (HF_HUB_OFFLINE / SMILEZOO_OFFLINE)."""
    return any(os.environ.get(k, '') not in ('', '0') for k in
               ('SMILEZOO_OFFLINE', 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE'))


def weights_error(component: str, model_name: str, spec, cause: Exception) -> PretrainedWeightsError:
    return PretrainedWeightsError(
        f'{component}: could not load pretrained weights {spec!r} for {model_name!r} '
        f'({type(cause).__name__}: {cause}). A tag is downloaded from the model hub, which '
        f'needs the network. Offline, download the checkpoint elsewhere and pass its local '
        f'path instead of the tag (e.g. --cfg-options model.backbone.pretrained=/path/to/'
        f'weights.bin), or set pretrained=None to start from random weights.')
