"""A training set too small for one batch is refused with the keys to change,
before mmengine fails with "epoch_length must be a positive integer"."""
import json

import pytest
from mmengine.config import Config

from pipeline_helpers import ROOT, run_tool
from smilezoo.engine import check_training_batches

CLASSES = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise']


def write_annotations(path, subjects):
    """A cached-view annotation file (views are not read by the check)."""
    data = [dict(views=f'{s}_{c}.npy', subject=s, expression=c, intensity=4)
            for s in subjects for c in CLASSES]
    path.write_text(json.dumps(dict(metainfo=dict(format='smilezoo.cached_views', version=1),
                                    data_list=data)))
    return path


def config(ann, batch_size, drop_last=True):
    cfg = Config.fromfile(ROOT / 'configs' / 'smile_vlm_synthetic.py')
    cfg.merge_from_dict({'train_dataloader.dataset.ann_file': str(ann),
                         'train_dataloader.dataset.subject_split': None,
                         'train_dataloader.batch_size': batch_size,
                         'train_dataloader.drop_last': drop_last})
    return cfg


def test_counts_samples_and_accepts_one_batch(tmp_path):
    ann = write_annotations(tmp_path / 'a.json', ['F001', 'F002'])  # 12 samples
    assert check_training_batches(config(ann, 12)) == 12
    assert check_training_batches(config(ann, 32, drop_last=False)) == 12


def test_too_few_samples_for_a_batch_names_the_keys(tmp_path, monkeypatch):
    ann = write_annotations(tmp_path / 'a.json', ['F001', 'F002'])
    with pytest.raises(ValueError, match=r'12 samples \(12 per process with 1 process\(es\)\), '
                                         r'fewer than train_dataloader.batch_size=32'):
        check_training_batches(config(ann, 32))
    monkeypatch.setenv('WORLD_SIZE', '2')  # 6 per process
    with pytest.raises(ValueError, match=r'6 per process with 2 .*batch_size=6'):
        check_training_batches(config(ann, 8))


def test_train_tool_says_it_without_a_traceback(tmp_path):
    ann = write_annotations(tmp_path / 'a.json', ['F001'])
    proc = run_tool('tools/train.py', 'configs/smile_vlm_synthetic.py', '--work-dir', tmp_path,
                    '--cfg-options', f'train_dataloader.dataset.ann_file={ann}',
                    f'val_dataloader.dataset.ann_file={ann}',
                    f'test_dataloader.dataset.ann_file={ann}',
                    'train_dataloader.dataset.subject_split=None', check=False)
    assert proc.returncode != 0 and 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert 'configs/smile_vlm_synthetic.py: the training set has 6 samples' in proc.stderr
    assert 'train_dataloader.batch_size=6' in proc.stderr
