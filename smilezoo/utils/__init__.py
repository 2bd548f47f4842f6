from .setup_env import register_all_modules, setup_distributed_cpu

__all__ = ['register_all_modules', 'setup_distributed_cpu']
