"""The one progress bar of every long job (rich):
``<label> ━━━━━━━━ 3/10 <unit> 0:00:04 0:00:09`` (elapsed, remaining)."""


class ProgressBar:
    """``with ProgressBar('rendering views', total) as bar: ... bar.advance()``.

    Args:
        label: what is being done (plain text, drawn bold).
        total: steps in all, ``completed`` of them done before the bar starts.
        unit: the word after the count (e.g. 'subjects').
        enabled: False draws nothing (``advance`` still works).
        stderr: draw on stderr instead of stdout; ``console``: on this rich Console instead.
        transient: remove the bar when it ends.
    """

    def __init__(self, label: str, total: int, completed: int = 0, unit: str = '',
                 enabled: bool = True, stderr: bool = False, console=None, transient: bool = False):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        columns = [TextColumn('{task.description}', style='bold', markup=False), BarColumn(),
                   MofNCompleteColumn()] + ([TextColumn(unit, markup=False)] if unit else [])
        if console is None and stderr:
            console = Console(stderr=True)
        self._bar = Progress(*columns, TimeElapsedColumn(), TimeRemainingColumn(),
                             console=console, transient=transient, disable=not enabled)
        self._task = self._bar.add_task(label, total=total, completed=completed)

    def __enter__(self) -> 'ProgressBar':
        self._bar.start()
        return self

    def __exit__(self, *exc) -> bool:
        self._bar.stop()
        return False

    def advance(self, steps: int = 1) -> None:
        self._bar.advance(self._task, steps)

    def describe(self, label: str) -> None:
        """Show ``label`` instead of the current one."""
        self._bar.update(self._task, description=label)
