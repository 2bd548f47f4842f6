"""smilezoo's registries: one per kind, each a child of mmengine's root registry, naming in
``locations`` the subpackages that register into it, imported lazily once
``default_scope='smilezoo'`` is set (``configs/_base_/default_runtime.py``; docs/architecture.md).
``MODELS`` holds every ``nn.Module`` kind (backbones, projectors, fusion heads, text encoders,
losses, data preprocessors, the algorithms); ``DATASETS`` also the raw-scan sources that
``tools/prepare_data.py`` reads.

``VISUALIZERS``, ``VIS_BACKENDS``, ``OPTIM_WRAPPER_CONSTRUCTORS`` have no members of smilezoo's
own: they exist so that mmengine's (Visualizer, LocalVisBackend, DefaultOptimWrapperConstructor)
are found under the 'smilezoo' scope without a "failed to search registry with scope 'smilezoo'"
warning.
"""
from mmengine.registry import (DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS,
                               DATASETS as MMENGINE_DATASETS, EVALUATOR as MMENGINE_EVALUATOR,
                               FUNCTIONS as MMENGINE_FUNCTIONS, HOOKS as MMENGINE_HOOKS,
                               LOOPS as MMENGINE_LOOPS, METRICS as MMENGINE_METRICS,
                               MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS, MODELS as MMENGINE_MODELS,
                               OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
                               OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS,
                               OPTIMIZERS as MMENGINE_OPTIMIZERS,
                               PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS,
                               TRANSFORMS as MMENGINE_TRANSFORMS,
                               VISBACKENDS as MMENGINE_VISBACKENDS,
                               VISUALIZERS as MMENGINE_VISUALIZERS, Registry)

MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['smilezoo.models'])
TRANSFORMS = Registry('transform', parent=MMENGINE_TRANSFORMS,
                      locations=['smilezoo.datasets.transforms', 'smilezoo.renderers'])
DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, locations=['smilezoo.datasets'])
DATA_SAMPLERS = Registry('data sampler', parent=MMENGINE_DATA_SAMPLERS,
                         locations=['smilezoo.datasets'])
FUNCTIONS = Registry('function', parent=MMENGINE_FUNCTIONS, locations=['smilezoo.datasets'])
METRICS = Registry('metric', parent=MMENGINE_METRICS, locations=['smilezoo.evaluation'])
EVALUATOR = Registry('evaluator', parent=MMENGINE_EVALUATOR, locations=['smilezoo.evaluation'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS,
                 locations=['smilezoo.engine', 'smilezoo.visualization.hooks'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['smilezoo.engine'])
MODEL_WRAPPERS = Registry('model_wrapper', parent=MMENGINE_MODEL_WRAPPERS,
                          locations=['smilezoo.engine'])
OPTIMIZERS = Registry('optimizer', parent=MMENGINE_OPTIMIZERS, locations=['smilezoo.engine'])
OPTIM_WRAPPERS = Registry('optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS,
                          locations=['smilezoo.engine'])
PARAM_SCHEDULERS = Registry('parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS,
                            locations=['smilezoo.engine'])
VISUALIZERS = Registry('visualizer', parent=MMENGINE_VISUALIZERS)
VIS_BACKENDS = Registry('vis_backend', parent=MMENGINE_VISBACKENDS)
OPTIM_WRAPPER_CONSTRUCTORS = Registry('optimizer wrapper constructor',
                                      parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS)
