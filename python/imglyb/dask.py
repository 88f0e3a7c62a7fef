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

from ._cluster import JavaTaskError, map_blocks, register, task_threads

__all__ = ["JavaTaskError", "map_blocks", "register", "task_threads"]
