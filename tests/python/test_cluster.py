"""Java work on a dask cluster (imglyb.dask): real dask.distributed LocalClusters with worker
processes, each starting its own JVM, and Java filters (tests/java/imglyb/fixtures/Filters.java)
run zero-copy on each worker's blocks.

The reference for every filter is the same Java filter run once over the whole array in this
process's JVM, on the array padded as dask pads it (``boundary="reflect"`` is NumPy's
``"symmetric"``)."""

from __future__ import annotations

import os
import signal
import textwrap
import threading
import time

import numpy as np
import pytest

import imglyb
from conftest import run_python

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")
import imglyb.dask  # noqa: E402  (needs distributed)
from imglyb import _cluster  # noqa: E402  (its start counter)

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("IMGLYB_TEST_CLUSTER"),
        reason="real LocalClusters take minutes: ci/test runs them once, with IMGLYB_TEST_CLUSTER=1",
    ),
    pytest.mark.timeout(300),
    # distributed's comms can leave a socket to the garbage collector when a cluster closes.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def mean3(source, target):
    """A user's block function: ImgLib2 code from Python, run in a worker's JVM."""
    imglyb.jimport("imglyb.fixtures.Filters").mean3(source, target)


def mean3_extended(source, target):
    """The same filter over a block without a halo: it mirrors the block at its own edges."""
    Views = imglyb.jimport("net.imglib2.view.Views")
    imglyb.jimport("imglyb.fixtures.Filters").mean3(Views.extendMirrorDouble(source), target)


def fill_pid(source, target):
    imglyb.jimport("imglyb.fixtures.Filters").fill(target, float(os.getpid()))


def fail(source, target):
    imglyb.jimport("imglyb.fixtures.Filters").fail(source, target)


def slow_mean3(source, target):
    time.sleep(0.3)
    mean3(source, target)


def whole_array_mean3(arr: np.ndarray) -> np.ndarray:
    """The filter over the whole array in this process's JVM, edges padded as dask's reflect."""
    padded = np.pad(arr, 1, mode="symmetric")
    Views = imglyb.jimport("net.imglib2.view.Views")
    source = Views.translate(imglyb.to_imglib(padded), imglyb.jarray("long", [-1] * arr.ndim))
    out = np.zeros_like(arr)
    imglyb.jimport("imglyb.fixtures.Filters").mean3(source, imglyb.to_imglib(out))
    return out


@pytest.fixture(scope="module")
def volume(tmp_path_factory):
    """A zarr volume read with uneven dask chunks."""
    path = tmp_path_factory.mktemp("cluster") / "in.zarr"
    data = np.random.default_rng(7).random((18, 40, 52), dtype=np.float32)
    z = zarr.open_array(str(path), mode="w", shape=data.shape, chunks=(6, 16, 16), dtype="float32")
    z[...] = data
    x = da.from_zarr(str(path)).rechunk(((5, 7, 6), (9, 20, 11), (30, 22)))
    return data, x


@pytest.fixture(scope="module")
def client(fixture_classes):
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", memory_limit="3GiB"
    )
    client = distributed.Client(cluster)
    imglyb.dask.register(client, classpath=[fixture_classes])
    yield client
    client.close()
    cluster.close()


def test_the_threaded_scheduler_runs_the_blocks_in_this_jvm(volume):
    data, x = volume
    expected = whole_array_mean3(data)
    got = imglyb.dask.map_blocks(mean3, x, depth=1, dtype="float32").compute(scheduler="threads")
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_a_halo_of_depth_1_equals_the_whole_array_filter_at_every_pixel(client, volume):
    data, x = volume
    expected = whole_array_mean3(data)
    result = imglyb.dask.map_blocks(mean3, x, depth=1, dtype="float32")
    assert result.chunks == x.chunks
    got = client.compute(result).result()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    # Without a halo the blocks see only themselves: the borders differ, the insides agree.
    flat = client.compute(imglyb.dask.map_blocks(mean3_extended, x, depth=0, boundary="none", dtype="float32")).result()
    differs = ~np.isclose(flat, expected, rtol=1e-6, atol=1e-6)
    assert differs[4:6].any() and differs[:, 8:10].any(), "block borders should differ without a halo"
    assert not differs[1:4, 1:8, 1:29].any(), "inside a block the filter needs no halo"


def copy_out(source, target, seen):
    """Records the source block as Java sees it: its pixels (halo included) and its minimum."""
    origin = tuple(int(source.min(d)) for d in reversed(range(source.numDimensions())))
    start = tuple(int(target.min(d)) for d in reversed(range(target.numDimensions())))
    seen[start] = (imglyb.to_numpy(source, copy=True), origin)


@pytest.mark.parametrize(
    "shape, chunks, depth, boundary",
    [
        ((20, 30), ((7, 7, 6), (10, 10, 10)), 2, "reflect"),
        ((20, 30), ((7, 7, 6), (10, 10, 10)), 2, "nearest"),
        ((20, 30), ((7, 7, 6), (10, 10, 10)), 2, "periodic"),
        ((20, 30), ((7, 7, 6), (10, 10, 10)), 2, "none"),
        ((20, 30), ((7, 7, 6), (10, 10, 10)), (0, 3), 0.5),
        ((20, 30), ((7, 7, 6), (10, 10, 10)), 2, {0: "periodic", 1: "reflect"}),
        ((9, 12, 10), ((3, 3, 3), (5, 5, 2), (4, 4, 2)), (1, 2, 1), {0: "none", 1: 2.0, 2: "nearest"}),
        ((9, 12, 10), ((3, 3, 3), (5, 5, 2), (4, 4, 2)), (1, 2, 2), "reflect"),  # a chunk thinner than the halo
        # Chunks exactly as thick as the halo, one chunk on an axis (an edge at both ends), and an
        # edge beside an open side ("none"): the boundary's planes come from the block alone.
        ((6, 8), ((2, 2, 2), (8,)), 2, "reflect"),
        ((6, 8), ((2, 2, 2), (4, 4)), 2, {0: "none", 1: "reflect"}),
        ((6, 8), ((2, 2, 2), (4, 4)), (2, 1), {0: "nearest", 1: -1.5}),
    ],
)
def test_each_blocks_halo_is_the_one_dask_overlap_makes(shape, chunks, depth, boundary):
    """imglyb.dask assembles halos itself (two tasks per block, not dask's ten): every source
    block, halo and minimum included, equals dask.array.overlap's block of the same array."""
    data = np.random.default_rng(3).random(shape, dtype=np.float32)
    x = da.from_array(data, chunks=chunks)
    seen: dict = {}
    imglyb.dask.map_blocks(copy_out, x, depth=depth, boundary=boundary, seen=seen).compute(scheduler="sync")
    halo = _cluster._normalize_depth(depth, len(shape))
    expected = da.overlap.overlap(x, depth=dict(enumerate(halo)), boundary=boundary)
    blocks = [range(len(c)) for c in x.chunks]
    for index in np.ndindex(*[len(b) for b in blocks]):
        start = tuple(sum(x.chunks[a][:i]) for a, i in enumerate(index))
        got, origin = seen[start]
        want = np.asarray(expected.blocks[index].compute(scheduler="sync"))
        np.testing.assert_array_equal(got, want, err_msg=f"block {index}")
        # Global coordinates: the source starts where the block starts, less the halo before it
        # (none at the array's low edge with boundary "none").
        edge = [boundary.get(a, "none") if isinstance(boundary, dict) else boundary for a in range(len(shape))]
        before = [0 if (i == 0 and e == "none") else h for i, e, h in zip(index, edge, halo)]
        assert origin == tuple(st - b for st, b in zip(start, before)), (index, origin, start, before)


def test_every_block_runs_in_a_worker_process_and_each_worker_starts_one_jvm(client, volume):
    _, x = volume
    pids = np.unique(client.compute(imglyb.dask.map_blocks(fill_pid, x, dtype="float64")).result())
    workers = client.run(os.getpid)
    assert set(pids.astype(int)) <= set(workers.values()), (pids, workers)
    assert os.getpid() not in set(pids.astype(int))
    starts = client.run(lambda: _cluster._STARTS[0])
    assert all(n == 1 for n in starts.values()), starts


def test_a_java_exception_names_the_block_and_carries_the_stack_trace(client, volume):
    _, x = volume
    with pytest.raises(imglyb.dask.JavaTaskError) as e:
        client.compute(imglyb.dask.map_blocks(fail, x, dtype="float32")).result()
    message = str(e.value)
    assert "block (" in message and "array location" in message, message
    assert "java.lang.IllegalStateException: no filter for the block at" in message, message
    assert "at imglyb.fixtures.Filters.fail" in message, message  # the Java stack trace
    assert "on worker tcp://" in message, message


def test_a_worker_killed_mid_computation_is_replaced_and_the_result_is_complete(client, volume):
    data, x = volume
    expected = whole_array_mean3(data)
    future = client.compute(imglyb.dask.map_blocks(slow_mean3, x, depth=1, dtype="float32"))
    victim = next(iter(client.run(os.getpid).values()))

    def kill():
        time.sleep(1.0)
        os.kill(victim, signal.SIGKILL)

    threading.Thread(target=kill, daemon=True).start()
    got = future.result(timeout=240)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    assert victim not in client.run(os.getpid).values()


def test_a_users_jar_added_on_the_client_reaches_the_workers_and_the_client_starts_no_jvm(fixture_classes, tmp_path):
    jar = tmp_path / "filters.jar"
    import zipfile

    with zipfile.ZipFile(jar, "w") as z:
        for path in __import__("pathlib").Path(fixture_classes).rglob("*.class"):
            z.write(path, path.relative_to(fixture_classes).as_posix())
    code = f"""
        import numpy as np, dask.array as da, distributed
        import imglyb, imglyb.dask
        imglyb.config.add_classpath({str(jar)!r})

        def mean3(source, target):
            imglyb.jimport("imglyb.fixtures.Filters").mean3(source, target)

        if __name__ == "__main__":
            cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0")
            client = distributed.Client(cluster)
            imglyb.dask.register(client)
            x = da.ones((20, 30), chunks=(7, 11), dtype="float32")
            y = imglyb.dask.map_blocks(mean3, x, depth=1)   # the graph: no JVM in the client
            assert not imglyb.jvm_started()
            out = client.compute(y).result()
            assert np.allclose(out, 1.0), out
            assert not imglyb.jvm_started(), "the client started a JVM"
            print("ok")
            client.close(); cluster.close()
    """
    script = tmp_path / "client.py"
    script.write_text(textwrap.dedent(code))
    r = run_python(f"import runpy; runpy.run_path({str(script)!r}, run_name='__main__')", timeout=240)
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stdout + r.stderr


def test_bad_arguments_are_refused_before_anything_runs(volume):
    _, x = volume
    with pytest.raises(ValueError, match="depth has 2 entries for 3 axes"):
        imglyb.dask.map_blocks(mean3, x, depth=(1, 1))
    with pytest.raises(ValueError, match="must have one shape"):
        imglyb.dask.map_blocks(mean3, x, x[:, :, :5])
    with pytest.raises(TypeError, match="at least one array"):
        imglyb.dask.map_blocks(mean3)
    with pytest.raises(ValueError, match="heap_fraction"):
        imglyb.dask.register(object(), heap_fraction=0)


def allocate_too_much(source, target):
    imglyb.jimport("imglyb.fixtures.Filters").allocate(4 << 30)


def test_a_block_out_of_java_heap_fails_with_the_error_named_and_the_worker_carries_on(fixture_classes, volume):
    _, x = volume
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", memory_limit="2GiB"
    ) as cluster, distributed.Client(cluster) as client:
        imglyb.dask.register(client, classpath=[fixture_classes])  # heap: half of 2 GiB
        pid = next(iter(client.run(os.getpid).values()))
        with pytest.raises(imglyb.dask.JavaTaskError, match="java.lang.OutOfMemoryError"):
            client.compute(imglyb.dask.map_blocks(allocate_too_much, x[:5, :9, :30], dtype="float32")).result()
        ok = client.compute(imglyb.dask.map_blocks(fill_pid, x, dtype="float64")).result()
        assert set(np.unique(ok).astype(int)) == {pid}, "the same worker should carry on"


def _mean3_numpy(padded: np.ndarray) -> np.ndarray:
    """The 3x3 (3x3x3, ...) mean of the inside of an array padded by one pixel on every side."""
    import itertools

    inner = [n - 2 for n in padded.shape]
    total = np.zeros(inner, np.float64)
    for offset in itertools.product((0, 1, 2), repeat=padded.ndim):
        total += padded[tuple(slice(o, o + n) for o, n in zip(offset, inner))]
    return (total / 3**padded.ndim).astype(np.float32)


@pytest.mark.timeout(900)
def test_a_volume_larger_than_the_workers_memory_goes_zarr_to_zarr(fixture_classes, tmp_path):
    """2.25 GiB in and 2.25 GiB out (a 24576 x 24576 float32 plane), through two workers of
    1 GiB each (2 GiB together; a worker with its JVM idles at about 0.55 GiB, so less pauses it
    for good); every output block checked against NumPy."""
    shape, chunks = (24576, 24576), (1024, 1024)
    src = da.random.default_rng(3).random(shape, chunks=chunks, dtype=np.float32)
    src.to_zarr(str(tmp_path / "in.zarr"))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", memory_limit="1GiB"
    ) as cluster, distributed.Client(cluster) as client:
        imglyb.dask.register(client, classpath=[fixture_classes], options=["-Xmx128m"])
        x = da.from_zarr(str(tmp_path / "in.zarr"))
        imglyb.dask.map_blocks(mean3, x, depth=1, dtype="float32").to_zarr(str(tmp_path / "out.zarr"))
        assert len(client.run(os.getpid)) == 2, "no worker was lost for memory"
    z_in, z_out = zarr.open_array(str(tmp_path / "in.zarr")), zarr.open_array(str(tmp_path / "out.zarr"))
    for r0 in range(0, shape[0], chunks[0]):
        lo, hi = max(r0 - 1, 0), min(r0 + chunks[0] + 1, shape[0])
        rows = ((1 if r0 == 0 else 0), (1 if r0 + chunks[0] == shape[0] else 0))
        padded = np.pad(z_in[lo:hi], (rows, (1, 1)), mode="symmetric")
        np.testing.assert_allclose(z_out[r0 : r0 + chunks[0]], _mean3_numpy(padded), rtol=1e-5, atol=1e-6)


def test_a_worker_whose_jvm_cannot_start_fails_its_tasks_naming_the_worker(fixture_classes, tmp_path, volume):
    _, x = volume
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", memory_limit="2GiB"
    ) as cluster, distributed.Client(cluster) as client:
        imglyb.dask.register(client, classpath=[fixture_classes], java_home=str(tmp_path / "no-java"))
        address = next(iter(client.scheduler_info()["workers"]))
        with pytest.raises(imglyb.dask.JavaTaskError) as e:
            client.compute(imglyb.dask.map_blocks(mean3, x[:5, :9, :30], depth=1)).result()
        message = str(e.value)
        assert f"the JVM of worker {address} could not start" in message, message
        assert "JVMNotFoundError" in message and "no-java" in message, message
        # The process still holds no JVM, and later tasks fail the same clear way.
        assert client.run(lambda: imglyb.jvm_started()) == {address: False}
