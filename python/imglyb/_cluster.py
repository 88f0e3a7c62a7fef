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

import itertools
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Union

if TYPE_CHECKING:
    import numpy as np
else:
    from ._lazy import np

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
    "run_halo_block",
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
    """One task of dask's own overlap (``map_overlap``, where a chunk is thinner than the halo):
    ``func(*sources, target, **kwargs)`` over the blocks with the halos dask made."""
    assert block_info is not None
    location = [tuple(l) for l in block_info[None]["array-location"]]
    start = [lo for lo, _ in location]
    # A halo that the boundary left off at the array's edge (boundary="none").
    low = [d if (edge != "none" or s - d >= 0) else s for s, d in zip(start, halo)]
    origins = [[s - h for s, h in zip(start, low)]] * len(blocks)
    return _finish(block_func, blocks, origins, location, tuple(block_info[None]["chunk-location"]), out_dtype, kwargs)


def _call(
    block_func: Callable[..., Any],
    blocks: Sequence[np.ndarray],
    origins: Sequence[Sequence[int]],
    start: Sequence[int],
    out: np.ndarray,
    kwargs: dict,
) -> Optional[str]:
    """Calls ``block_func`` on the blocks as ImgLib2 images translated to ``origins`` (their
    first pixel's place in the whole array, NumPy order) and ``out`` translated to ``start``; the
    Java exception's text when it raised one."""
    Views = _imglyb.jimport("net.imglib2.view.Views")

    def translated(img: Any, origin: Sequence[int]) -> Any:
        return Views.translate(img, _imglyb.jarray("long", [int(o) for o in reversed(origin)]))

    sources = [translated(_wrap.to_imglib_proxy(np.ascontiguousarray(b)), o) for b, o in zip(blocks, origins)]
    target = translated(_imglyb.to_imglib(out), start)
    try:
        block_func(*sources, target, **kwargs)
    except _imglyb.JavaException as e:
        return getattr(e, "stacktrace", None) or str(e)  # the Java exception and its stack trace
    return None


def _hugepage_switch() -> Optional[Callable[[bool], bool]]:
    """NumPy's switch for transparent huge pages on its large allocations (private, NumPy 1.20+:
    ``numpy._core.multiarray`` from 2.0, ``numpy.core.multiarray`` before), or None."""
    import importlib

    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            switch = getattr(importlib.import_module(module), "_set_madvise_hugepage", None)
        except ImportError:
            continue
        if callable(switch):
            return switch
    return None


_set_madvise_hugepage = _hugepage_switch()

_HUGEPAGE_LOCK = threading.Lock()


def _block_buffer(shape: tuple[int, ...], dtype: Any, zeroed: bool) -> np.ndarray:
    """A new array for a block (a source with its halo, or an output block), allocated without
    NumPy's huge-page advice. NumPy asks the kernel for transparent huge pages on allocations of
    4 MiB and more; where the kernel then compacts memory on the first touch (THP ``defrag`` set
    to ``madvise``, as on the machine ci/bench runs on), touching a fresh 4 MiB block took from
    1.4 to 44 ms in a worker, against 1.7 to 1.9 ms without the advice. The switch is NumPy's
    global one, turned off only for this allocation."""
    make = np.zeros if zeroed else np.empty
    if _set_madvise_hugepage is None:
        return make(shape, dtype)
    with _HUGEPAGE_LOCK:
        was = _set_madvise_hugepage(False)
        try:
            return make(shape, dtype)
        finally:
            _set_madvise_hugepage(was)


def _finish(block_func: Callable[..., Any], blocks: Sequence[np.ndarray], origins: Sequence[Sequence[int]],
            location: Sequence[tuple[int, int]], chunk: Sequence[int], out_dtype: np.dtype, kwargs: dict) -> np.ndarray:
    """Runs one block's ``func`` in this process's JVM and returns the output block."""
    start = [lo for lo, _ in location]
    where = f"block {tuple(chunk)} (array location {[tuple(l) for l in location]})"
    _ensure_jvm()
    out = _block_buffer(tuple(hi - lo for lo, hi in location), out_dtype, zeroed=True)
    failure = _call(block_func, blocks, origins, start, out, kwargs)
    if failure is not None:
        # Raised here, outside the handler and away from the Java objects, so that the
        # exception, its context and its traceback pickle.
        raise JavaTaskError(f"imglyb.dask.map_blocks: {where} failed on worker {_worker_name()}: {failure}")
    return out


# Halos without dask's overlap layer. dask.array.map_overlap makes about ten tasks per block (a
# slice of each neighbour, concatenations, the boundary), which cost 20 ms per block on a
# LocalCluster, ten times a 4 MiB block's Java filter. Here each input block has one task that
# cuts off the faces its neighbours need (copies of depth-thick slabs: what crosses between
# workers is those, never whole blocks), and each output block one task that assembles its
# source with its halo (the one copy) and runs func.


def _faces(block: np.ndarray, halo: tuple[int, ...]) -> dict:
    """The parts of ``block`` its neighbours need, by side: for each axis, -1 (its first
    ``halo`` elements), +1 (its last) or 0 (all of it), not 0 on every axis."""
    out = {}
    for side in itertools.product((-1, 0, 1), repeat=block.ndim):
        if not any(side) or any(s != 0 and h == 0 for s, h in zip(side, halo)):
            continue
        index = tuple(
            slice(None) if s == 0 else slice(0, h) if s < 0 else slice(n - h, n)
            for s, h, n in zip(side, halo, block.shape)
        )
        out[side] = np.ascontiguousarray(block[index])
    return out


def _fill_edge(padded: np.ndarray, axis: int, width: int, low: bool, edge: Any, extent: list) -> None:
    """Fills ``width`` planes of ``padded`` at one end of ``axis`` with dask's boundary ``edge``
    (reflect repeats the edge pixel, as NumPy's ``symmetric``; nearest; a constant), from the
    planes next to them, over ``extent`` on the other axes: in place, with no new array."""
    size = padded.shape[axis]

    def at(planes: slice) -> tuple:
        return tuple(planes if a == axis else extent[a] for a in range(padded.ndim))

    target = at(slice(0, width) if low else slice(size - width, size))
    if edge == "reflect":
        padded[target] = np.flip(padded[at(slice(width, 2 * width) if low else slice(size - 2 * width, size - width))], axis)
    elif edge == "nearest":
        padded[target] = padded[at(slice(width, width + 1) if low else slice(size - width - 1, size - width))]
    else:
        padded[target] = edge


class _HaloSpec:
    """What one output block's task needs besides the data: where it is and what surrounds it."""

    def __init__(self, location: list[tuple[int, int]], chunk: tuple[int, ...], halo: tuple[int, ...],
                 below: tuple[bool, ...], above: tuple[bool, ...], neighbours: list[tuple[int, ...]],
                 boundaries: tuple[Any, ...], sources: int, task: dict) -> None:
        self.location = location
        self.chunk = chunk
        self.halo = halo
        self.below = below  # a neighbour block (or the periodic wrap) before it, by axis
        self.above = above
        self.neighbours = neighbours  # offsets of the neighbour blocks whose faces come in, in order
        self.boundaries = boundaries
        self.sources = sources
        self.task = task


def _with_halo(center: np.ndarray, faces: dict, spec: _HaloSpec) -> tuple[np.ndarray, list[int]]:
    """``center`` with its halo: neighbours' faces where there are neighbours, the boundary at
    the array's edges. Returns the array and the halo's width before the block on each axis."""
    n = center.ndim
    if not any(spec.halo):
        return center, [0] * n  # no halo: the block itself, not a copy
    halo = spec.halo
    # Where the halo comes from: a neighbour's faces, or the boundary at the array's edges
    # ("none" leaves it off there; "periodic" makes every side a neighbour's).
    open_edge = [spec.boundaries[a] in ("none", "periodic") for a in range(n)]
    edge_lo = [0 if b or open_edge[a] else halo[a] for a, b in enumerate(spec.below)]
    edge_hi = [0 if b or open_edge[a] else halo[a] for a, b in enumerate(spec.above)]
    lo = [h if b else e for h, b, e in zip(halo, spec.below, edge_lo)]
    hi = [h if b else e for h, b, e in zip(halo, spec.above, edge_hi)]
    padded = _block_buffer(tuple(c + a + b for c, a, b in zip(center.shape, lo, hi)), center.dtype, zeroed=False)
    padded[tuple(slice(lo[a], lo[a] + center.shape[a]) for a in range(n))] = center
    for offset, face in faces.items():
        padded[tuple(
            slice(lo[a] - halo[a], lo[a]) if o < 0 else slice(lo[a], lo[a] + center.shape[a]) if o == 0 else slice(lo[a] + center.shape[a], lo[a] + center.shape[a] + halo[a])
            for a, o in enumerate(offset)
        )] = face
    # The array's edges, axis by axis: each axis over the ones before it whole and the ones after
    # it without their edge halos, as padding axis by axis would (corners as dask makes them).
    for a in range(n):
        extent = [slice(None) if b < a else slice(edge_lo[b], padded.shape[b] - edge_hi[b]) for b in range(n)]
        if edge_lo[a]:
            _fill_edge(padded, a, edge_lo[a], True, spec.boundaries[a], extent)
        if edge_hi[a]:
            _fill_edge(padded, a, edge_hi[a], False, spec.boundaries[a], extent)
    return padded, lo


def run_halo_block(spec: _HaloSpec, *parts: Any) -> np.ndarray:
    """One output block: each source's block and its neighbours' faces (as :func:`_halo_graph`
    orders them) assembled with the halo, then ``func`` over them in this process's JVM."""
    sources, origins = [], []
    per_source = 1 + len(spec.neighbours)
    for k in range(spec.sources):
        center, *neighbour_faces = parts[k * per_source:(k + 1) * per_source]
        faces = {o: f[tuple(-x for x in o)] for o, f in zip(spec.neighbours, neighbour_faces)}
        block, before = _with_halo(center, faces, spec)
        sources.append(block)
        origins.append([lo - b for (lo, _), b in zip(spec.location, before)])
    task = spec.task
    return _finish(task["block_func"], sources, origins, spec.location, spec.chunk, task["out_dtype"], task["kwargs"])


def _halo_graph(xs: list, halo: tuple[int, ...], boundary: Any, task: dict) -> Any:
    """The output dask array of :func:`map_blocks` over same-chunked ``xs``, or None when a
    chunk is thinner than the halo (dask's own overlap then rechunks)."""
    import dask.array as da
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    first = xs[0]
    n = first.ndim
    chunks = first.chunks
    boundaries = tuple(boundary.get(a, "none") if isinstance(boundary, dict) else boundary for a in range(n))
    for a in range(n):
        if halo[a] and min(chunks[a]) < halo[a]:
            return None
        if isinstance(boundaries[a], str) and boundaries[a] not in ("reflect", "periodic", "nearest", "none"):
            raise ValueError(f"unknown boundary {boundaries[a]!r}: 'reflect', 'periodic', 'nearest', 'none' or a number")
    grid = tuple(len(c) for c in chunks)
    starts = [np.concatenate([[0], np.cumsum(c)]).astype(int).tolist() for c in chunks]
    token = tokenize(xs, halo, boundaries, task)
    name = f"imglyb-map-blocks-{token}"
    face_names = [f"imglyb-faces-{k}-{token}" for k in range(len(xs))]
    graph: dict = {}
    needs_faces = any(halo)
    if needs_faces:
        for k, x in enumerate(xs):
            for index in itertools.product(*(range(g) for g in grid)):
                graph[(face_names[k], *index)] = (_faces, (x.name, *index), halo)
    for index in itertools.product(*(range(g) for g in grid)):
        below, above = [], []
        for a in range(n):
            wrap = boundaries[a] == "periodic"
            below.append(bool(halo[a]) and (index[a] > 0 or wrap))
            above.append(bool(halo[a]) and (index[a] < grid[a] - 1 or wrap))
        neighbours = []
        if needs_faces:
            for offset in itertools.product((-1, 0, 1), repeat=n):
                if not any(offset):
                    continue
                if all((o == 0) or (o < 0 and below[a]) or (o > 0 and above[a]) for a, o in enumerate(offset)):
                    neighbours.append(offset)
        location = [(starts[a][i], starts[a][i + 1]) for a, i in enumerate(index)]
        spec = _HaloSpec(location, index, halo, tuple(below), tuple(above), neighbours, boundaries, len(xs), task)
        parts: list = []
        for k, x in enumerate(xs):
            parts.append((x.name, *index))
            for offset in neighbours:
                parts.append((face_names[k], *((i + o) % g for i, o, g in zip(index, offset, grid))))
        graph[(name, *index)] = (run_halo_block, spec, *parts)
    layers = HighLevelGraph.from_collections(name, graph, dependencies=xs)
    return da.Array(layers, name, chunks, meta=np.empty((0,) * n, task["out_dtype"]))


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
    fast = _halo_graph(xs, halo, boundary, {"block_func": func, "out_dtype": out_dtype, "kwargs": kwargs})
    if fast is not None:
        return fast
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
