"""Java work on a dask cluster: every worker runs ImgLib2 zero-copy on its own blocks.

::

    from dask.distributed import Client, LocalCluster
    import imglyb.dask

    client = Client(LocalCluster(n_workers=2, threads_per_worker=1))
    imglyb.dask.register(client)                       # a JVM in every worker, on first use
    out = imglyb.dask.map_blocks(my_java_filter, volume, depth=1, dtype="float32")
    out.to_zarr("out.zarr")

:func:`register` gives every current and future worker the client's imglyb configuration; each
worker starts its own JVM on the first task that needs one. :func:`map_blocks` runs a Python
function that calls Java (through :func:`imglyb.jimport`) on each block, with the source blocks
and the output block shared with ImgLib2 without a copy, in the whole array's coordinates. The
same call works without a cluster, on dask's threaded scheduler, in this process's JVM. See
``docs/cluster.md``.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional, Sequence, Union

from . import _cluster
from ._cluster import JavaTaskError

__all__ = ["JavaTaskError", "map_blocks", "register", "task_threads"]


def register(
    client: Any,
    classpath: Sequence[Union[str, "os.PathLike[str]"]] = (),
    options: Sequence[str] = (),
    java_home: Optional[Union[str, "os.PathLike[str]"]] = None,
    heap_fraction: float = _cluster.DEFAULT_HEAP_FRACTION,
) -> None:
    """Install imglyb on every current and future worker of ``client`` (a ``distributed.Client``).

    Each worker's JVM starts lazily, on the first task that needs it, with the client's
    configuration: ``classpath`` and ``options`` given here, then :mod:`imglyb.config`'s
    (``add_classpath``, ``add_fiji``, ``add_options``) and the environment's
    (``IMGLYB_CLASSPATH``, ``IMGLYB_JAVA_OPTIONS``), and ``java_home``. Jars are sent with the
    plugin: a worker that does not see a jar at the client's path (no shared file system) writes
    the client's copy into its local directory, and a worker that joins later gets them too.
    Without an ``-Xmx`` option the heap is ``heap_fraction`` of the worker's memory limit.

    Raises:
        ValueError: ``heap_fraction`` is not in (0, 1].
    """
    _cluster.register(client, classpath, options, java_home, heap_fraction)


def map_blocks(
    func: Callable[..., Any],
    *arrays: Any,
    depth: Union[int, Sequence[int], dict] = 0,
    boundary: Any = "reflect",
    dtype: Any = None,
    chunks: Any = None,
    **kwargs: Any,
) -> Any:
    """A lazy dask array whose blocks ``func`` fills in Java, like ``dask.array.map_overlap``.

    For each output block, ``func(*sources, target, **kwargs)`` runs in a worker's JVM (or this
    process's, without a cluster). Each source is the block of one of ``arrays`` with a halo of
    ``depth`` pixels (an int, or one per NumPy axis, or a dict by axis), and ``target`` the
    output block, all shared with ImgLib2 without a copy and translated to their place in the
    whole array: ``Views.interval(source, target)`` is the block, and the halo lies around it.
    ``func`` writes ``target``. ``boundary`` fills the halo at the array's edges as in dask
    (``"reflect"``, ``"periodic"``, ``"nearest"``, a constant, or ``"none"`` for no halo there).

    ``dtype`` is the output's (default: the first array's); ``chunks`` rechunks the arrays first.
    ``func`` is pickled to the workers, and is never called to build the graph, so the client
    needs no JVM. Use :func:`task_threads` to size the Java threads ``func`` starts.

    Raises (when computed):
        JavaTaskError: ``func`` raised a Java exception, or a worker's JVM could not start; the
            message names the block and the worker and carries the Java stack trace.
    """
    return _cluster.map_blocks(func, *arrays, depth=depth, boundary=boundary, dtype=dtype, chunks=chunks, **kwargs)


def task_threads() -> int:
    """The threads a task's Java code should use: the worker's ``nthreads`` on a
    ``dask.distributed`` worker (one per task slot, so a worker does not use every core of the
    node), else this machine's CPU count."""
    return _cluster.task_threads()
