"""Worker processes that cannot hang their parent: a dead worker is reported with the task
it was running, Ctrl-C stops them without tracebacks.

``multiprocessing.Pool`` waits forever for a worker that died (SIGKILL, out of memory, a
segfault in a C extension); ``ProcessPoolExecutor`` notices, but cannot say which task it
had. Here each worker gets one task at a time over its own pipe, and the parent waits on
the pipes and the process sentinels together.
"""
import multiprocessing as mp
import os
import signal
import threading
import traceback
from contextlib import suppress
from multiprocessing.connection import wait
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple

from .progress import ProgressBar


class WorkerDied(RuntimeError):
    """A worker process ended while running ``tasks[index]``."""

    def __init__(self, index: Optional[int], pid: int, exitcode: Optional[int]):
        self.index, self.pid, self.exitcode = index, pid, exitcode
        super().__init__(f'worker process {pid} {describe_exit(exitcode)}')


class WorkerError(RuntimeError):
    """``fn`` raised in a worker (the worker's traceback is in ``details``)."""

    def __init__(self, index: Optional[int], message: str, details: str):
        self.index, self.details = index, details
        super().__init__(message)


def describe_exit(exitcode: Optional[int]) -> str:
    """'was killed by SIGKILL (out of memory?)', 'exited with code 3', ..."""
    if exitcode is None:
        return 'stopped answering'
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f'signal {-exitcode}'
        hint = {'SIGKILL': ' (out of memory, or killed)',
                'SIGSEGV': ' (a crash in native code)'}.get(name, '')
        return f'was killed by {name}{hint}'
    return f'exited with code {exitcode}'


def _worker_main(conn, fn, initializer, initargs):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    try:
        if initializer is not None:
            initializer(*initargs)
    except BaseException as e:  # noqa: B902 - reported to the parent
        conn.send(('error', None, f'{type(e).__name__}: {e}', traceback.format_exc()))
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # parent gone
            return
        if job is None:
            return
        index, task = job
        try:
            result = fn(task)
        except BaseException as e:  # noqa: B902
            conn.send(('error', index, f'{type(e).__name__}: {e}', traceback.format_exc()))
            return
        try:
            conn.send(('ok', index, result))
        except (BrokenPipeError, OSError):
            return


def run_in_workers(fn: Callable[[Any], Any], tasks: Sequence, workers: int,
                   initializer: Optional[Callable] = None, initargs: Tuple = (),
                   running: Optional[set] = None) -> Iterator[Tuple[int, Any]]:
    """Yield ``(i, fn(tasks[i]))`` in completion order from ``workers`` processes.

    Raises:
        WorkerDied: a worker ended while running ``tasks[e.index]``.
        WorkerError: ``fn`` (or the initializer) raised in a worker.
    Whatever ends the iteration (these, KeyboardInterrupt in the parent, the caller closing
    the generator) stops every worker before it returns. ``running``, when given, holds the
    indices being worked on (for the caller to look at after an interruption).
    """
    ctx = mp.get_context('fork' if 'fork' in mp.get_all_start_methods() else 'spawn')
    running = set() if running is None else running
    procs, conns, busy = [], [], []
    todo = iter(enumerate(tasks))
    main = threading.current_thread() is threading.main_thread()
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None  # inherited
        try:
            for _ in range(max(1, min(workers, len(tasks)))):
                here, there = ctx.Pipe()
                p = ctx.Process(target=_worker_main,
                                args=(there, fn, initializer, initargs), daemon=True)
                p.start()
                there.close()
                procs.append(p)
                conns.append(here)
                busy.append(None)
        finally:
            if main:
                signal.signal(signal.SIGINT, old)

        def feed(w):
            job = next(todo, None)
            busy[w] = None if job is None else job[0]
            if job is None:
                return
            running.add(job[0])
            try:
                conns[w].send(job)
            except (BrokenPipeError, OSError):
                procs[w].join(5)
                raise WorkerDied(job[0], procs[w].pid, procs[w].exitcode) from None

        for w in range(len(procs)):
            feed(w)
        while any(b is not None for b in busy):
            active = [w for w in range(len(procs)) if busy[w] is not None]
            ready = wait([conns[w] for w in active] + [procs[w].sentinel for w in active])
            for w in active:
                if conns[w] not in ready and procs[w].sentinel not in ready:
                    continue
                msg = None
                if conns[w] in ready:
                    with suppress(EOFError, OSError):
                        msg = conns[w].recv()
                if msg is None:  # its pipe closed or its process ended: the worker died
                    procs[w].join(5)
                    raise WorkerDied(busy[w], procs[w].pid, procs[w].exitcode)
                if msg[0] == 'error':
                    raise WorkerError(msg[1], msg[2], msg[3])
                running.discard(busy[w])
                yield busy[w], msg[2]
                feed(w)
        for c in conns:
            with suppress(BrokenPipeError, OSError):
                c.send(None)
        for p in procs:
            p.join(10)
    finally:
        _stop(procs)
        for c in conns:
            c.close()


def map_in_workers(fn: Callable[[Any], Any], tasks: Sequence, workers: int, label: str,
                   unit: str = '', progress: bool = True) -> List:
    """``[fn(t) for t in tasks]`` in up to ``workers`` processes (1, or a single task: in this
    process), under a :class:`ProgressBar` ``label``; results in task order. Raises as
    :func:`run_in_workers` does (in this process: what ``fn`` raised)."""
    results = [None] * len(tasks)
    n = min(int(workers), len(tasks), os.cpu_count() or 1)
    done = run_in_workers(fn, tasks, n) if n > 1 else ((i, fn(t)) for i, t in enumerate(tasks))
    with ProgressBar(label, len(tasks), unit=unit, enabled=progress) as bar:
        for i, res in done:
            results[i] = res
            bar.advance()
    return results


def _stop(procs) -> None:
    """SIGTERM (then SIGKILL) every worker still alive, and reap them."""
    for p in procs:
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(3)
        if p.is_alive():
            p.kill()
            p.join(3)
