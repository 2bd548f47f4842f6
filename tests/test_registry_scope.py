"""Under ``default_scope='smilezoo'`` the parts a Runner builds from mmengine's
registries (visualizer, vis backend, optimiser-wrapper constructor) are found
through smilezoo's child registries, without mmengine's "Failed to search
registry with scope 'smilezoo'" warning that every tool used to print."""
import mmengine.logging
import mmengine.optim  # noqa: F401 - registers DefaultOptimWrapperConstructor
import mmengine.visualization  # noqa: F401 - registers Visualizer, LocalVisBackend
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS, VISUALIZERS, init_default_scope

import smilezoo.registry  # noqa: F401 - the child registries


def test_runner_parts_build_under_the_smilezoo_scope_without_a_scope_warning(monkeypatch,
                                                                             tmp_path):
    said = []
    monkeypatch.setattr(mmengine.logging, 'print_log',
                        lambda msg, *args, **kwargs: said.append(str(msg)))
    init_default_scope('smilezoo')
    vis = VISUALIZERS.build(dict(type='Visualizer', name='registry_scope_test',
                                 vis_backends=[dict(type='LocalVisBackend')],
                                 save_dir=str(tmp_path)))
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='DefaultOptimWrapperConstructor',
        optim_wrapper_cfg=dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))))
    assert type(vis).__name__ == 'Visualizer' and len(vis._vis_backends) == 1
    assert type(constructor).__name__ == 'DefaultOptimWrapperConstructor'
    assert [m for m in said if 'Failed to search registry' in m] == []
