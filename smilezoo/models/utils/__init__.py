from .distributed import all_gather_cat, all_reduce_sum, is_dist, rank

__all__ = ['all_gather_cat', 'all_reduce_sum', 'is_dist', 'rank']
