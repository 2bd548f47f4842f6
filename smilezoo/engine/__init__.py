"""Training-engine glue around mmengine (hooks, checkpoint compatibility, AMP wrapper)."""
from .amp_optim_wrapper import AnyDeviceAmpOptimWrapper
from .checkpoint_compat import allow_mmengine_checkpoint_types
from .hooks import FiniteTrainingHook, NonFiniteTrainingError, StepSeedHook
from .preflight import check_training_batches
from .schedules import fit_param_schedulers

__all__ = ['AnyDeviceAmpOptimWrapper', 'FiniteTrainingHook', 'NonFiniteTrainingError',
           'StepSeedHook', 'allow_mmengine_checkpoint_types', 'check_training_batches',
           'fit_param_schedulers']

allow_mmengine_checkpoint_types()  # whoever imports the engine loads checkpoints weights-only
