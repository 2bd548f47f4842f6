"""Before a run: is the data there? If not, say where we looked and what to do."""
import os.path as osp
from typing import Optional

# source type -> synthetic layout of make_synthetic.py that mimics it
SYNTHETIC_LAYOUTS = {'BU3DFEScans': 'bu3dfe', 'BosphorusScans': 'bosphorus',
                     'BU4DFESequences': 'bu4dfe', 'BP4DSequences': 'bp4d',
                     'FourDMESequences': '4dme'}
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def explain_missing_data(cfg, config_path: str) -> Optional[str]:
    """None when every annotation file the config reads exists; otherwise a
    message naming the missing file, the raw data folder it is made from,
    whether that exists (with the data set's licence note), and the commands
    that try the same config on synthetic data of the same layout."""
    anns = {cfg[k].dataset.ann_file for k in LOADERS
            if cfg.get(k) and cfg[k].get('dataset') and cfg[k].dataset.get('ann_file')}
    missing = sorted(a for a in anns if not osp.isfile(a))
    if not missing:
        return None
    lines = [f'{config_path}: the rendered-view cache {missing[0]} does not exist.']
    prep = cfg.get('data_preparation')
    if not prep:
        return '\n'.join(lines + ['Create it with tools/prepare_data.py.'])
    source = prep['source']
    root = source.get('data_root')
    if root and osp.isdir(root):
        lines.append(f'The raw data is at {root}: render the views once with\n'
                     f'  python tools/prepare_data.py {config_path} --workers 8')
        return '\n'.join(lines)
    lines.append(f'It is made from the raw data at data_root={root!r}, which does not exist.')
    lines.append(_licence_note(source))
    layout = SYNTHETIC_LAYOUTS.get(source['type'])
    if layout:
        syn, cache = f'data/synthetic_{layout}_try', f'data/cache/synthetic_{layout}_try'
        ann = f'{cache}/annotations.json'
        lines += [
            'To try this config on synthetic data in the same layout:',
            f'  python tools/dataset_converters/make_synthetic.py --layout {layout} '
            f'--out {syn} --subjects 12 --seed 0',
            f'  python tools/prepare_data.py {config_path} --cfg-options '
            f'data_preparation.source.data_root={syn} data_preparation.out_dir={cache}',
            f'  python tools/train.py {config_path} --cfg-options '
            + ' '.join(f'{k}.dataset.ann_file={ann}' for k in LOADERS if cfg.get(k))]
    return '\n'.join(lines)


def _licence_note(source_cfg) -> str:
    """The message the source itself gives for a missing data_root."""
    from smilezoo.registry import DATASETS
    try:
        DATASETS.build(source_cfg).scan()
    except FileNotFoundError as e:
        return str(e)
    except Exception:  # noqa: BLE001 - only the note is wanted here
        pass
    return ''
