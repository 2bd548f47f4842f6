"""smilezoo's registries: one per kind, each a child of mmengine's root registry.

Every registry names the subpackage(s) that define its members in ``locations``,
so a lookup such as ``MODELS.build(dict(type='SmileVLM'))`` imports them lazily
once ``default_scope='smilezoo'`` is set (see ``configs/_base_/default_runtime.py``).

- ``MODELS``: every ``nn.Module`` kind: backbones, projectors, fusion heads,
  text encoders, losses, data preprocessors and the algorithms themselves.
- ``TRANSFORMS``: data-pipeline steps, view renderers included.
- ``DATASETS``: training-time datasets and the raw-scan sources that
  ``tools/prepare_data.py`` reads.
- ``METRICS``: evaluation metrics.
- ``HOOKS``: the training hooks (``smilezoo.engine``) and the evaluation-pictures
  hook (``smilezoo.visualization.hooks``).
- ``VISUALIZERS``, ``VIS_BACKENDS``, ``OPTIM_WRAPPER_CONSTRUCTORS``: no members
  of smilezoo's own; they exist so that mmengine's (Visualizer, LocalVisBackend,
  DefaultOptimWrapperConstructor) are found under the 'smilezoo' scope without a
  "failed to search registry with scope 'smilezoo'" warning.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry

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
