"""Pictures: rendered-view grids, prediction cards, evaluation plots, log curves.

Each module is imported by its own path (matplotlib is imported lazily, Agg backend)."""
