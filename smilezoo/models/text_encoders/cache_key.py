"""A key that identifies a text encoder's weights without loading them."""
import json
import os
import os.path as osp


def _file_stamp(path: str) -> str:
    files = [path] if osp.isfile(path) else [
        osp.join(root, f) for root, _, names in os.walk(path) for f in sorted(names)
        if f.endswith(('.safetensors', '.bin', '.pt', '.pth'))]
    return ','.join(f'{osp.basename(f)}:{osp.getsize(f)}:{os.stat(f).st_mtime_ns}' for f in files)


def text_encoder_cache_key(cfg: dict) -> str:
    """The config (type, model name, weights) plus, for every local weights file or folder it
    names, the files' sizes and modification times (ns: a rewrite within a second counts)."""
    from .sentence_transformer_encoder import resolve_model_path
    cfg = {k: v for k, v in dict(cfg).items() if k != '_scope_'}
    stamps = []
    for key in ('model', 'pretrained'):
        value = cfg.get(key)
        if not isinstance(value, str):
            continue
        try:
            path = resolve_model_path(value) if key == 'model' else osp.expanduser(value)
        except (ImportError, KeyError):
            continue
        if osp.exists(path):
            stamps.append(_file_stamp(path))
    return json.dumps([cfg, stamps], sort_keys=True, default=str)
