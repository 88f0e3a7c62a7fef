"""Java work on a dask cluster: a JVM in every worker, configured once from the client, and each
block shared zero-copy with the worker's ImgLib2. The public face is :mod:`imglyb.dask`.

What runs where:

- The client builds the graph. Nothing here starts a JVM in the client: the output's dtype and
  meta are given to dask, so ``func`` is never called to infer them.
- :func:`register` installs :class:`ImglybPlugin` on every current and future worker. Its
  ``setup`` (on the worker) writes the jars the worker cannot see into its local directory and
  records the settings; the worker's JVM starts on the first task that needs it.
- Each task (:func:`run_block`) starts the worker's JVM if needed, wraps the source blocks (with
  their halos) and a new output block as ImgLib2 images translated to their place in the whole
  array, calls ``func``, and returns the output block: only NumPy arrays and plain exceptions
  travel back to the scheduler.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Optional, Sequence, Union

import numpy as np

try:
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - depends on the environment (the cause stays chained)
    raise ImportError(
        "imglyb.dask runs Java on dask.distributed workers and needs dask and distributed: "
        "pip install 'dask[distributed]'"
    )

from . import _imglyb, _jvm, _wrap, config

__all__ = [
    "ImglybPlugin",
    "JavaTaskError",
    "WorkerSettings",
    "client_settings",
    "map_blocks",
    "register",
    "run_block",
    "task_threads",
]

#: The name the plugin is registered under (one per cluster; registering again replaces it).
PLUGIN_NAME = "imglyb"

#: The share of a worker's memory limit given to its JVM heap when no ``-Xmx`` is configured.
DEFAULT_HEAP_FRACTION = 0.5


class JavaTaskError(RuntimeError):
    """A block's Java work failed on a worker: the message names the block, the worker and the
    Java exception with its stack trace. A plain exception, so the scheduler can pickle it."""


class WorkerSettings:
    """The client's imglyb configuration as a worker needs it: classpath entries, each with its
    bytes when it is a file (so that a worker that cannot see it gets a copy), JVM options, the
    Java home, and the heap share."""

    def __init__(self, classpath: list[tuple[str, Optional[bytes]]], options: list[str], java_home: Optional[str], heap_fraction: float):
        self.classpath = classpath
        self.options = options
        self.java_home = java_home
        self.heap_fraction = heap_fraction


def _expand(entries: Sequence[str]) -> list[str]:
    """Classpath entries with ``folder/*`` as the jars in the folder (sorted)."""
    out: list[str] = []
    for entry in entries:
        if os.path.basename(entry) == "*":
            folder = os.path.dirname(entry) or "."
            out.extend(os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".jar"))
        else:
            out.append(entry)
    return out


def client_settings(
    classpath: Sequence[Union[str, "os.PathLike[str]"]] = (),
    options: Sequence[str] = (),
    java_home: Optional[Union[str, "os.PathLike[str]"]] = None,
    heap_fraction: float = DEFAULT_HEAP_FRACTION,
) -> WorkerSettings:
    """What the workers get: ``classpath`` and ``options``, then :mod:`imglyb.config`'s and the
    environment's (``IMGLYB_CLASSPATH``, ``IMGLYB_JAVA_OPTIONS``), and ``java_home`` (else
    ``JAVA_HOME`` or the worker's own search). Reads the client's files; starts nothing."""
    entries = [os.fspath(e) for e in classpath] + config.get_classpath()
    entries += [e for e in os.environ.get("IMGLYB_CLASSPATH", "").split(os.pathsep) if e]
    shipped: list[tuple[str, Optional[bytes]]] = []
    for entry in _expand(entries):
        path = os.path.abspath(entry)
        data = None
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
        shipped.append((path, data))
    opts = list(options) + config.get_options() + os.environ.get("IMGLYB_JAVA_OPTIONS", "").split()
    home = os.fspath(java_home) if java_home is not None else None
    if not 0 < heap_fraction <= 1:
        raise ValueError(f"heap_fraction must be in (0, 1], not {heap_fraction}")
    return WorkerSettings(shipped, opts, home, heap_fraction)


class ImglybPlugin(WorkerPlugin):
    """Configures a worker's imglyb from the client's settings; the JVM starts on the first task
    that needs it (:func:`run_block`)."""

    name = PLUGIN_NAME

    def __init__(self, settings: WorkerSettings):
        self.settings = settings

    def setup(self, worker: Any) -> None:
        folder = os.path.join(worker.local_directory, "imglyb-jars")
        classpath: list[str] = []
        for path, data in self.settings.classpath:
            if data is not None and not (os.path.isfile(path) and os.path.getsize(path) == len(data)):
                # Not on a shared file system (or not the same file): the client's copy.
                os.makedirs(folder, exist_ok=True)
                local = os.path.join(folder, f"{len(classpath):03d}-{os.path.basename(path)}")
                with open(local, "wb") as f:
                    f.write(data)
                path = local
            classpath.append(path)
        options = list(self.settings.options)
        limit = getattr(getattr(worker, "memory_manager", None), "memory_limit", None)
        if limit and not any(o.startswith("-Xmx") for o in options):
            options.append(f"-Xmx{max(64, int(limit * self.settings.heap_fraction) >> 20)}m")
        if limit and not any(o.startswith("-Dimglyb.gcThreshold=") for o in options):
            # Blocks shared with Java are freed once Java's collector finds them unreachable; it
            # is asked to look each time an eighth of the worker's memory limit was shared, so
            # the blocks of finished tasks never pile up to the limit (the default, an eighth of
            # the machine's memory, is for one process per machine).
            options.append(f"-Dimglyb.gcThreshold={max(16 << 20, int(limit) // 8)}")
        _WORKER.update(classpath=classpath, options=options, java_home=self.settings.java_home, address=worker.address)


# The settings a plugin recorded in this worker process (empty in the client).
_WORKER: dict[str, Any] = {}
_START = threading.Lock()
# JVMs this module started in this process (one at most: a process holds one JVM).
_STARTS = [0]


def _worker_name() -> str:
    return _WORKER.get("address") or f"process {os.getpid()}"


def _ensure_jvm() -> None:
    """This process's JVM: on a registered worker, started with the client's settings; elsewhere
    (dask's threaded scheduler), the process's own, as configured there."""
    if _imglyb.jvm_started():
        return
    if not _WORKER:
        _jvm.ensure_jvm()
        _STARTS[0] += _imglyb.jvm_started()
        return
    with _START:
        if _imglyb.jvm_started():
            return
        try:
            _jvm.start_jvm(classpath=_WORKER["classpath"], options=_WORKER["options"], java_home=_WORKER["java_home"])
            _STARTS[0] += 1
        except Exception as e:
            raise JavaTaskError(f"imglyb: the JVM of worker {_worker_name()} could not start: {type(e).__name__}: {e}") from None


def task_threads() -> int:
    """The threads a task's Java code should use: the worker's ``nthreads`` on a
    ``dask.distributed`` worker (one per task slot, so a worker does not use every core of the
    node), else this machine's CPU count."""
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return max(1, (os.cpu_count() or 1))


def _normalize_depth(depth: Union[int, Sequence[int], dict], ndim: int) -> tuple[int, ...]:
    if isinstance(depth, dict):
        out = tuple(int(depth.get(axis, 0)) for axis in range(ndim))
    elif isinstance(depth, (int, np.integer)):
        out = (int(depth),) * ndim
    else:
        out = tuple(int(d) for d in depth)
        if len(out) != ndim:
            raise ValueError(f"depth has {len(out)} entries for {ndim} axes")
    if any(d < 0 for d in out):
        raise ValueError(f"depth must not be negative, got {out}")
    return out


def run_block(
    *blocks: np.ndarray,
    block_func: Callable[..., Any],
    halo: tuple[int, ...],
    edge: Any,
    out_dtype: np.dtype,
    kwargs: dict,
    block_info: Optional[dict] = None,
) -> np.ndarray:
    """One task: ``func(*sources, target, **kwargs)`` in this process's JVM, over the blocks
    (with halos) as ImgLib2 images in global coordinates; returns the output block."""
    assert block_info is not None
    location = block_info[None]["array-location"]
    start = [lo for lo, _ in location]
    core = tuple(hi - lo for lo, hi in location)
    where = f"block {tuple(block_info[None]['chunk-location'])} (array location {[tuple(l) for l in location]})"
    _ensure_jvm()
    out = np.zeros(core, out_dtype)
    failure = _call(block_func, blocks, start, halo, edge, out, kwargs)
    if failure is not None:
        # Raised here, outside the handler and away from the Java objects, so that the
        # exception, its context and its traceback pickle.
        raise JavaTaskError(f"imglyb.dask.map_blocks: {where} failed on worker {_worker_name()}: {failure}")
    return out


def _call(
    block_func: Callable[..., Any],
    blocks: Sequence[np.ndarray],
    start: Sequence[int],
    halo: Sequence[int],
    edge: Any,
    out: np.ndarray,
    kwargs: dict,
) -> Optional[str]:
    """Calls ``block_func`` on the blocks as translated ImgLib2 images; the Java exception's
    text when it raised one."""
    Views = _imglyb.jimport("net.imglib2.view.Views")

    def translated(img: Any, origin: Sequence[int]) -> Any:
        return Views.translate(img, _imglyb.jarray("long", [int(o) for o in reversed(origin)]))

    sources = []
    for block in blocks:
        # A halo that the boundary left off at the array's low edge (boundary="none").
        low = [d if (edge != "none" or s - d >= 0) else s for s, d in zip(start, halo)]
        origin = [s - h for s, h in zip(start, low)]
        sources.append(translated(_wrap.to_imglib_proxy(np.ascontiguousarray(block)), origin))
    target = translated(_imglyb.to_imglib(out), start)
    try:
        block_func(*sources, target, **kwargs)
    except _imglyb.JavaException as e:
        return getattr(e, "stacktrace", None) or str(e)  # the Java exception and its stack trace
    return None


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
    import dask.array as da

    if not arrays:
        raise TypeError("map_blocks needs at least one array")
    xs = [a if isinstance(a, da.Array) else da.asarray(a) for a in arrays]
    first = xs[0]
    if any(x.shape != first.shape for x in xs[1:]):
        raise ValueError("the arrays of map_blocks must have one shape")
    xs = [x.rechunk(first.chunks) for x in xs]
    out_dtype = np.dtype(first.dtype if dtype is None else dtype)
    if chunks is not None and tuple(tuple(c) for c in da.core.normalize_chunks(chunks, first.shape)) != first.chunks:
        xs = [x.rechunk(chunks) for x in xs]
    halo = _normalize_depth(depth, first.ndim)
    task = {"block_func": func, "halo": halo, "edge": boundary, "out_dtype": out_dtype, "kwargs": kwargs}
    return da.map_overlap(
        run_block,
        *xs,
        depth={axis: d for axis, d in enumerate(halo)},
        boundary=boundary,
        trim=False,
        chunks=xs[0].chunks,
        dtype=out_dtype,
        meta=np.empty((0,) * first.ndim, out_dtype),
        align_arrays=False,
        **task,
    )


def register(
    client: Any,
    classpath: Sequence[Union[str, "os.PathLike[str]"]] = (),
    options: Sequence[str] = (),
    java_home: Optional[Union[str, "os.PathLike[str]"]] = None,
    heap_fraction: float = DEFAULT_HEAP_FRACTION,
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
    plugin = ImglybPlugin(client_settings(classpath, options, java_home, heap_fraction))
    register_plugin = getattr(client, "register_plugin", None) or client.register_worker_plugin
    register_plugin(plugin, name=PLUGIN_NAME)
