"""tools/analysis_tools/gpu_check.py on the CPU: the pack it needs, a --dry-run of every
section with tiny shapes, and how it reports a section that fails or runs out of time."""
import json
import os
import time

import pytest
import torch

from pipeline_helpers import ROOT
from test_training_options import write_view_cache
from zoo_helpers import load_tool


def load_gpu_check():
    return load_tool('tools/analysis_tools/gpu_check.py', 'gpu_check')


def test_pack_then_dry_run_of_every_section(tmp_path, monkeypatch):
    gc = load_gpu_check()
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv('SMILEZOO_CACHE', os.environ['SMILEZOO_CACHE'])  # the run resets it
    cache = write_view_cache(tmp_path / 'cache', subjects=10, size=16).parent
    pack = tmp_path / 'pack'
    assert gc.main(['--pack-data', str(pack), '--dry-run', '--cache', str(cache)]) == 0
    manifest = json.loads((pack / 'manifest.json').read_text())
    assert manifest['profile'] == 'dry' and manifest['image_size'] == 16
    entries = torch.load(pack / 'prompt_embeddings.pt', weights_only=True)
    assert [e['text_encoder']['type'] for e in entries] == ['OpenCLIPTextEncoder',
                                                            'SentenceTransformerTextEncoder']
    for e in entries:
        assert e['embeddings'].shape[0] == len(e['prompts']) > 0

    out = tmp_path / 'out.json'
    assert gc.main(['--pack', str(pack), '--dry-run', '--out', str(out)]) == 0
    res = json.loads(out.read_text())
    assert res['complete'] and res['all_ok'] and res['mode'] == 'dry'
    assert res['prompt_cache_seeded_for'] == manifest['text_encoders']
    s = res['sections']
    for name in gc.SECTIONS:
        assert s[name]['status'] == 'ok', (name, s[name].get('error'))
    for name, backbone in (('speed_vit_b16', 'OpenCLIPVisionBackbone'),
                           ('speed_resnet50', 'TimmBackbone')):
        st = s[name]['settings']
        assert st['backbone'] == backbone and st['backbone_images_per_step'] == 2 * 3 * 3
        assert st['amp'] and st['dtype'] == 'bfloat16'
        assert st['optim_wrapper'] == 'AnyDeviceAmpOptimWrapper'
        for step in ('full_step', 'bare_backbone_step'):
            assert len(s[name][step]['times_s']) == 2 and s[name][step]['samples_per_s'] > 0
        assert s[name]['full_vs_bare_throughput'] > 0
    loader = s['dataloader']
    assert loader['loader']['samples_per_s'] > 0 and loader['loader']['num_workers'] == 1
    assert set(loader['loader_over_demand']) == {'speed_vit_b16', 'speed_resnet50'}
    train = s['train']
    assert train['steps_done'] == train['planned_steps'] >= 1 and train['view_size'] == 16
    assert 0 <= train['zero_shot_accuracy'] <= 100 and train['dtype'] == 'bfloat16'
    for ckpt in (False, True):
        mb = s['max_batch'][f'grad_checkpointing_{ckpt}']
        assert mb['max_batch_size'] == 4 and mb['reached_cap']  # the CPU has no OOM
        assert [t['batch_size'] for t in mb['tried']] == [2, 4]
    comp = s['compile']
    assert comp['compiled']['compile'] == {'backend': 'eager'} and comp['speedup'] > 0
    assert res['summary']['train']['zero_shot_accuracy'] == train['zero_shot_accuracy']
    assert res['summary']['speed_vit_b16']['full_samples_per_s'] == \
        s['speed_vit_b16']['full_step']['samples_per_s']

    # a run whose sections did not all end 'ok' exits non-zero and says why
    assert gc.main(['--pack', str(pack), '--dry-run', '--out', str(out), '--sections',
                    'dataloader', '--budget-s', '1']) == 1
    res = json.loads(out.read_text())
    assert res['sections']['dataloader']['status'] == 'skipped' and not res['all_ok']
    with pytest.raises(SystemExit, match='gpu_check_pack.sh'):
        gc.main(['--pack', str(tmp_path / 'no_pack'), '--dry-run'])
    with pytest.raises(SystemExit, match="is a 'dry' pack, this run needs a 'device' one"):
        gc.main(['--pack', str(pack), '--out', str(out)])


def test_a_section_out_of_time_keeps_its_figures_and_says_so(tmp_path):
    gc = load_gpu_check()
    out = tmp_path / 'o.json'
    result = dict(complete=False, sections={n: dict(status='pending')
                                            for n in ('slow', 'wrapped', 'broken')})

    slept_through = []  # a sleep that the section's alarm did not interrupt

    def slow(entry, deadline):
        entry['figure'] = 1.5  # measured before the budget ran out
        time.sleep(30)
        slept_through.append('slow')

    def wrapped(entry, deadline):  # what torch.compile does with the alarm
        try:
            time.sleep(30)
        except gc.SectionTimeout as e:
            raise RuntimeError('backend compiler failed') from e
        slept_through.append('wrapped')

    def broken(entry, deadline):
        raise ValueError('boom')

    for name, fn in (('slow', slow), ('wrapped', wrapped), ('broken', broken)):
        gc.run_section(result, name, 0.3, fn, str(out), torch.device('cpu'))
    assert slept_through == []  # the 0.3 s budget's alarm cut both 30 s sleeps short
    on_disk = json.loads(out.read_text())
    assert on_disk['complete'] is False
    sec = on_disk['sections']
    assert sec['slow']['status'] == 'timed_out' and sec['slow']['figure'] == 1.5
    assert sec['wrapped']['status'] == 'timed_out'
    assert sec['broken']['status'] == 'failed' and sec['broken']['error'] == 'ValueError: boom'
