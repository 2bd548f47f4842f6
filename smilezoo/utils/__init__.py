from .registry_hints import UnknownTypeError, build_with_hints, explain_unknown_types
from .setup_env import end_distributed, register_all_modules, setup_distributed_cpu

__all__ = ['UnknownTypeError', 'build_with_hints', 'explain_unknown_types',
           'end_distributed', 'register_all_modules', 'setup_distributed_cpu']
