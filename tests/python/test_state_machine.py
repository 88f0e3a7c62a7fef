"""A hypothesis state machine over the Python API: NumPy arrays, the ImgLib2 images wrapped from
them, Java views of those images and NumPy views of the views, all over the same memory, written
from either side and dropped in any order. After every step NumPy and Java must agree with a model.

The model keeps, for every memory buffer, a ``shadow``: a flat copy of the values the buffer must
hold (flat index = element of the C-ordered base array the buffer was made as). Every object knows
which shadow element each of its pixels is:

- a NumPy record an integer array ``idx`` of its shape (the same slicing applied to
  ``arange(base.size)``);
- a Java record an affine map from its ImgLib2 coordinates to the coordinates of the root image
  (the one ``to_imglib`` returned), ``root = A @ c + b``, its interval ``[mn, mx]``, and the root's
  own index map ``root_idx`` (``idx`` with axes reversed: NumPy axis ``n-1-d`` is ImgLib2
  dimension ``d``).

Each view operation updates the map as ImgLib2 defines it, independently of imglyb, and the
machine checks the view's interval against Java's. Values are small integers, exact in every
dtype used, so comparisons are exact.

Lifetimes: dropping the NumPy side of a pair while Java still holds an image (or a view of it),
or dropping the Java side while a NumPy view of Java memory lives, must leave the memory alive and
correct; the machine fills freshly allocated memory with a sentinel after collections so that
freed-too-early memory shows as a wrong value. When everything is dropped the memory must be
freed (checked at teardown).
"""

from __future__ import annotations

import functools
import gc
import itertools
import time
import weakref
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import imglyb

from conftest import run_python

DTYPES = [np.uint8, np.int16, np.int32, np.float32, np.float64]
MAX_NUMPY = 8  # live NumPy records
MAX_JAVA = 8  # live Java records
SENTINEL = 123  # never written by the machine: a freed buffer reused by a churn array shows it

# Out-of-bounds interval views of strided arrays: Java refuses every position outside the image
# (README, "Shared pixels"), and to_numpy must not make a view of the parent array around the
# slice (it did; see test_to_numpy_of_interval_beyond_a_strided_image below, fixed since).
CHECK_OUT_OF_BOUNDS_VIEWS = True


def _step(f):
    """Marks the machine unclean while a rule runs; the invariant marks it clean again. Teardown
    checks for leaks only after a clean run: a failing step's traceback still holds its objects."""

    @functools.wraps(f)
    def wrapper(self, *args, **kwargs):
        self.clean = False
        return f(self, *args, **kwargs)

    return wrapper


class J:
    """Java classes, looked up after the session fixture started the JVM."""

    Views = None
    Pixels = None
    System = None

    @classmethod
    def load(cls):
        if cls.Views is None:
            cls.Views = imglyb.jimport("net.imglib2.view.Views")
            cls.Pixels = imglyb.jimport("imglyb.fixtures.Pixels")
            cls.System = imglyb.jimport("java.lang.System")


def L(values) -> object:
    return imglyb.jarray("long", [int(v) for v in values])


def value_range(dtype) -> tuple[int, int]:
    return (0, 99) if np.dtype(dtype).kind == "u" else (-50, 99)


@dataclass
class Buffer:
    """One block of memory and the values it must hold."""

    shadow: np.ndarray  # flat, the buffer's dtype
    owner: weakref.ref  # the Python object owning the memory
    name: str
    records: set = field(default_factory=set)  # keys of live records over it


@dataclass
class NumpyRec:
    key: str
    buf: Buffer
    arr: np.ndarray
    idx: np.ndarray  # same shape as arr: shadow index of each element
    how: str


@dataclass
class JavaRec:
    key: str
    buf: Buffer
    obj: object
    root_idx: np.ndarray  # ImgLib2 order: shadow index of each pixel of the root image
    A: np.ndarray  # root coordinates = A @ c + b
    b: np.ndarray
    mn: np.ndarray
    mx: np.ndarray
    writable: bool
    how: str
    jidx: np.ndarray = None  # ImgLib2 order, shape dims: shadow index of each pixel
    probe: int = 0

    @property
    def n(self) -> int:
        return len(self.mn)

    @property
    def dims(self) -> tuple:
        return tuple(int(v) for v in self.mx - self.mn + 1)

    def compute(self):
        """The shadow index of every pixel, checked to lie inside the root image."""
        if self.n == 0:
            root = self.b.reshape(-1, 1)
        else:
            coords = np.indices(self.dims).reshape(self.n, -1) + self.mn.reshape(-1, 1)
            root = self.A @ coords + self.b.reshape(-1, 1)
        shape = np.array(self.root_idx.shape).reshape(-1, 1)
        assert ((root >= 0) & (root < shape)).all(), f"model error: {self.how} leaves the root image"
        self.jidx = self.root_idx[tuple(root)].reshape(self.dims)

    def shadow_index(self, pos) -> int:
        return int(self.jidx[tuple(np.asarray(pos) - self.mn)])

    def flat(self) -> np.ndarray:
        """Shadow indices in ImgLib2's flat order (dimension 0 fastest)."""
        return self.jidx.ravel(order="F")


def java_values(rec: JavaRec) -> np.ndarray:
    """Every pixel of a Java image as Java reads it, in flat order."""
    if rec.n == 0:
        # ImgLib2 cannot iterate a 0-d interval (AbstractInterval.dimension(0) throws), so a
        # hyperSlice of a 1-d image is read through its random access.
        return np.array([rec.obj.randomAccess().get().getRealDouble()])
    return np.asarray(J.Pixels.read(rec.obj))


class ImglybMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        J.load()
        self.numpy: dict[str, NumpyRec] = {}
        self.java: dict[str, JavaRec] = {}
        self.buffers: list[Buffer] = []  # every buffer made, for the leak check at teardown
        self.counter = itertools.count()
        self.churn: list[np.ndarray] = []
        self.clean = False

    # --- model bookkeeping ---------------------------------------------------------------

    def _key(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def _add_numpy(self, buf: Buffer, arr: np.ndarray, idx: np.ndarray, how: str) -> NumpyRec:
        assert arr.shape == idx.shape
        rec = NumpyRec(self._key("np"), buf, arr, idx, how)
        self.numpy[rec.key] = rec
        buf.records.add(rec.key)
        return rec

    def _add_java(self, rec: JavaRec) -> JavaRec:
        rec.compute()
        n = rec.n
        assert rec.obj.numDimensions() == n, rec.how
        got = ([rec.obj.min(d) for d in range(n)], [rec.obj.max(d) for d in range(n)])
        assert got == (rec.mn.tolist(), rec.mx.tolist()), f"{rec.how}: Java interval {got}, model {rec.mn}..{rec.mx}"
        self.java[rec.key] = rec
        rec.buf.records.add(rec.key)
        return rec

    def _wrap(self, src: NumpyRec, how: str) -> JavaRec:
        """to_imglib of a live array: a root image."""
        img = imglyb.to_imglib(src.arr)
        assert img.getClass().getName() == "org.imglyb.img.StridedImg"
        n = src.arr.ndim
        dims = np.array(src.arr.shape[::-1], dtype=np.int64)
        assert [img.dimension(d) for d in range(n)] == dims.tolist()
        return self._add_java(JavaRec(
            self._key("j"), src.buf, img, src.idx.T, np.eye(n, dtype=np.int64), np.zeros(n, np.int64),
            np.zeros(n, np.int64), dims - 1, bool(src.arr.flags.writeable), how,
        ))

    # --- rules: creating ------------------------------------------------------------------

    @initialize(data=st.data())
    @_step
    def first_array(self, data):
        self.wrap_new(data)

    @precondition(lambda self: len(self.numpy) < MAX_NUMPY and len(self.java) < MAX_JAVA)
    @rule(data=st.data())
    @_step
    def wrap_new(self, data):
        """A new array (C order, Fortran order, strided, reversed or transposed slice of a larger
        base) and to_imglib of it."""
        dtype = data.draw(st.sampled_from(DTYPES), label="dtype")
        shape = data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=3), label="shape")
        n = len(shape)
        steps = data.draw(st.lists(st.sampled_from([1, 2, -1, 3, -2]), min_size=n, max_size=n), label="steps")
        starts = data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n), label="starts")
        perm = data.draw(st.permutations(range(n)), label="transpose")
        readonly = data.draw(st.integers(0, 5), label="readonly") == 0
        seed = data.draw(st.integers(0, 2**16), label="seed")
        # Before the transpose, axis perm[i] of the slice has length shape[i].
        sliced_shape = [0] * n
        for i in range(n):
            sliced_shape[perm[i]] = shape[i]
        base_shape, slices = [], []
        for length, step, start in zip(sliced_shape, steps, starts):
            span = (length - 1) * abs(step) + 1
            base_shape.append(start + span + (1 if step != 1 else 0))
            if step > 0:
                slices.append(slice(start, start + span, step))
            else:
                slices.append(slice(start + span - 1, start - 1 if start else None, step))
        slices = tuple(slices)
        lo, hi = value_range(dtype)
        base = np.random.default_rng(seed).integers(lo, hi + 1, base_shape).astype(dtype)
        arr = base[slices].transpose(perm)
        idx = np.arange(base.size).reshape(base_shape)[slices].transpose(perm)
        assert arr.shape == tuple(shape)
        if readonly:
            arr.flags.writeable = False
        buf = Buffer(base.ravel().copy(), weakref.ref(base), f"{np.dtype(dtype).name}{base_shape}")
        self.buffers.append(buf)
        how = f"{buf.name}[{slices}].transpose({perm}){' read-only' if readonly else ''}"
        rec = self._add_numpy(buf, arr, idx, how)
        self._wrap(rec, f"to_imglib({rec.key})")

    @precondition(lambda self: self.numpy and len(self.java) < MAX_JAVA)
    @rule(data=st.data())
    @_step
    def wrap_existing(self, data):
        """to_imglib of a live array, also of a NumPy view of Java memory (from to_numpy)."""
        src = self.numpy[data.draw(st.sampled_from(sorted(self.numpy)), label="array")]
        if src.arr.ndim == 0:
            with pytest.raises(ValueError, match="0-d"):
                imglyb.to_imglib(src.arr)
            return
        self._wrap(src, f"to_imglib({src.key})")

    @precondition(lambda self: (self.java or self.numpy) and len(self.java) < MAX_JAVA)
    @rule(data=st.data())
    @_step
    def view(self, data):
        """A Java view of a live image, or of a live array that ImgLib2 wraps as it is passed."""
        sources = [k for k, r in self.java.items() if r.n >= 1] + [k for k, r in self.numpy.items() if r.arr.ndim >= 1]
        if not sources:
            return
        key = data.draw(st.sampled_from(sorted(sources)), label="source")
        if key in self.numpy:
            # Passing the array where ImgLib2 wants an image wraps it: the model is a root image.
            src_np = self.numpy[key]
            n = src_np.arr.ndim
            dims = np.array(src_np.arr.shape[::-1], dtype=np.int64)
            src = JavaRec(key, src_np.buf, src_np.arr, src_np.idx.T, np.eye(n, dtype=np.int64), np.zeros(n, np.int64),
                          np.zeros(n, np.int64), dims - 1, bool(src_np.arr.flags.writeable), f"{key} (ndarray)")
        else:
            src = self.java[key]
        n = src.n
        ops = ["interval", "hyperSlice", "invertAxis", "subsample", "zeroMin", "translate"]
        if n >= 2:
            ops += ["rotate", "permute"]
        op = data.draw(st.sampled_from(ops), label="op")
        V = J.Views
        A, b, mn, mx = src.A.copy(), src.b.copy(), src.mn.copy(), src.mx.copy()
        if op == "interval":
            lo = np.array([data.draw(st.integers(int(mn[d]), int(mx[d]))) for d in range(n)], np.int64)
            hi = np.array([data.draw(st.integers(int(lo[d]), int(mx[d]))) for d in range(n)], np.int64)
            obj = V.interval(src.obj, L(lo), L(hi))
            mn, mx = lo, hi
            how = f"interval({src.how}, {lo.tolist()}, {hi.tolist()})"
        elif op == "hyperSlice":
            d = data.draw(st.integers(0, n - 1))
            pos = data.draw(st.integers(int(mn[d]), int(mx[d])))
            obj = V.hyperSlice(src.obj, d, pos)
            b = b + A[:, d] * pos
            A, mn, mx = np.delete(A, d, axis=1), np.delete(mn, d), np.delete(mx, d)
            how = f"hyperSlice({src.how}, {d}, {pos})"
        elif op == "invertAxis":
            d = data.draw(st.integers(0, n - 1))
            obj = V.invertAxis(src.obj, d)
            A[:, d] = -A[:, d]
            mn[d], mx[d] = -src.mx[d], -src.mn[d]
            how = f"invertAxis({src.how}, {d})"
        elif op == "subsample":
            step = data.draw(st.integers(1, 3))
            obj = V.subsample(src.obj, step)
            # ImgLib2's SubsampleIntervalView starts at the source's min and has min 0.
            b = b + A @ mn
            A = A * step
            dims = mx - mn + 1
            mn, mx = np.zeros(n, np.int64), (dims + step - 1) // step - 1
            how = f"subsample({src.how}, {step})"
        elif op == "zeroMin":
            obj = V.zeroMin(src.obj)
            b = b + A @ mn
            mn, mx = np.zeros(n, np.int64), mx - mn
            how = f"zeroMin({src.how})"
        elif op == "translate":
            t = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), np.int64)
            obj = V.translate(src.obj, L(t))
            b = b - A @ t
            mn, mx = mn + t, mx + t
            how = f"translate({src.how}, {t.tolist()})"
        else:
            f, t = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
            if op == "rotate":
                # view[f] = -source[t], view[t] = source[f]
                obj = V.rotate(src.obj, f, t)
                A[:, f], A[:, t] = -src.A[:, t], src.A[:, f]
                mn[f], mx[f] = -src.mx[t], -src.mn[t]
                mn[t], mx[t] = src.mn[f], src.mx[f]
            else:
                obj = V.permute(src.obj, f, t)
                A[:, [f, t]] = A[:, [t, f]]
                mn[[f, t]], mx[[f, t]] = mn[[t, f]], mx[[t, f]]
            how = f"{op}({src.how}, {f}, {t})"
        self._add_java(JavaRec(self._key("j"), src.buf, obj, src.root_idx, A, b, mn, mx, src.writable, how))

    @precondition(lambda self: CHECK_OUT_OF_BOUNDS_VIEWS and self.java and len(self.java) < MAX_JAVA)
    @rule(data=st.data())
    @_step
    def view_beyond_bounds(self, data):
        """An interval reaching past a strided image, which Java refuses to read, must not become
        a NumPy view of the memory around the image (a bug this machine found, fixed since)."""
        key = data.draw(st.sampled_from(sorted(self.java)), label="image")
        src = self.java[key]
        if src.n == 0:
            return
        d = data.draw(st.integers(0, src.n - 1))
        hi = src.mx.copy()
        hi[d] += data.draw(st.integers(1, 3))
        obj = J.Views.interval(src.obj, L(src.mn), L(hi))
        try:
            java_read = J.Pixels.read(obj)
        except imglyb.JavaException as e:
            assert "IndexOutOfBounds" in e.java_class
            java_read = None
        try:
            out = imglyb.to_numpy(obj)
        except (ValueError, imglyb.JavaException):
            out = None
        if java_read is None:
            assert out is None, f"to_numpy of {src.how} beyond {hi.tolist()} read pixels Java refuses: {out}"
        else:
            assert out is not None and out.ravel().tolist() == np.asarray(java_read).tolist()

    @precondition(lambda self: self.java and len(self.numpy) < MAX_NUMPY)
    @rule(data=st.data())
    @_step
    def to_numpy(self, data):
        """to_numpy of a live image or view: a view of the same memory (copy=None or False), or an
        independent copy (copy=True); both with the model's values."""
        rec = self.java[data.draw(st.sampled_from(sorted(self.java)), label="image")]
        copy = data.draw(st.sampled_from([None, False, True]), label="copy")
        out = imglyb.to_numpy(rec.obj, copy=copy)
        expected_idx = rec.jidx.T
        assert out.shape == expected_idx.shape, rec.how
        assert out.dtype == rec.buf.shadow.dtype, rec.how
        np.testing.assert_array_equal(out, rec.buf.shadow[expected_idx], err_msg=rec.how)
        same = [self.numpy[k] for k in sorted(rec.buf.records) if k in self.numpy]
        if copy is True:
            assert out.flags.writeable
            for other in same:
                assert not np.shares_memory(out, other.arr), (rec.how, other.how)
            buf = Buffer(out.ravel().copy(), weakref.ref(out), f"copy of {rec.key}")
            self.buffers.append(buf)
            self._add_numpy(buf, out, np.arange(out.size).reshape(out.shape), f"to_numpy({rec.key}, copy=True)")
            return
        assert out.flags.writeable == rec.writable, rec.how
        for other in same:
            overlap = np.intersect1d(expected_idx, other.idx).size > 0
            assert np.shares_memory(out, other.arr) == overlap, (rec.how, other.how, overlap)
        self._add_numpy(rec.buf, out, expected_idx, f"to_numpy({rec.key}, copy={copy})")

    # --- rules: writing -------------------------------------------------------------------

    @precondition(lambda self: self.numpy)
    @rule(data=st.data())
    @_step
    def write_numpy(self, data):
        """A value at one index, or a slice assignment, from NumPy."""
        rec = self.numpy[data.draw(st.sampled_from(sorted(self.numpy)), label="array")]
        lo, hi = value_range(rec.arr.dtype)
        value = data.draw(st.integers(lo, hi), label="value")
        if data.draw(st.booleans(), label="slice"):
            index = []
            for length in rec.arr.shape:
                start = data.draw(st.integers(0, length - 1))
                stop = data.draw(st.integers(start + 1, length))
                step = data.draw(st.sampled_from([1, 2, -1]))
                index.append(slice(start, stop, step) if step > 0 else slice(stop - 1, start - 1 if start else None, -1))
        else:
            index = [data.draw(st.integers(0, length - 1)) for length in rec.arr.shape]
        index = tuple(index)
        if not rec.arr.flags.writeable:
            with pytest.raises(ValueError, match="read-only"):
                rec.arr[index] = value
            return
        rec.arr[index] = value
        rec.buf.shadow[rec.idx[index]] = value

    @precondition(lambda self: self.java)
    @rule(data=st.data())
    @_step
    def write_java(self, data):
        """A value at one position through the image's or view's random access, read back."""
        rec = self.java[data.draw(st.sampled_from(sorted(self.java)), label="image")]
        pos = [data.draw(st.integers(int(rec.mn[d]), int(rec.mx[d]))) for d in range(rec.n)]
        lo, hi = value_range(rec.buf.shadow.dtype)
        value = data.draw(st.integers(lo, hi), label="value")
        ra = rec.obj.randomAccess()
        if rec.n:
            ra.setPosition(L(pos))
        i = rec.shadow_index(pos)
        if not rec.writable:
            # Each JavaException here leaked a JNI local reference (found by this machine, fixed
            # since; test_java_exceptions_leak_no_local_references).
            with pytest.raises(imglyb.JavaException) as e:
                ra.get().setReal(float(value))
            assert e.value.java_class == "java.lang.UnsupportedOperationException", rec.how
        else:
            ra.get().setReal(float(value))
            rec.buf.shadow[i] = value
        assert ra.get().getRealDouble() == float(rec.buf.shadow[i]), rec.how

    @precondition(lambda self: any(r.n >= 1 for r in self.java.values()))
    @rule(data=st.data())
    @_step
    def fill_java(self, data):
        """Every pixel of an image or view written by a Java cursor, in flat order."""
        rec = self.java[data.draw(st.sampled_from(sorted(k for k, r in self.java.items() if r.n >= 1)), label="image")]
        seed = data.draw(st.integers(0, 2**16), label="seed")
        lo, hi = value_range(rec.buf.shadow.dtype)
        values = np.random.default_rng(seed).integers(lo, hi + 1, rec.jidx.size)
        if not rec.writable:
            with pytest.raises(imglyb.JavaException) as e:
                J.Pixels.write(rec.obj, imglyb.jarray("double", values.astype(float).tolist()))
            assert e.value.java_class == "java.lang.UnsupportedOperationException", rec.how
            return
        J.Pixels.write(rec.obj, imglyb.jarray("double", values.astype(float).tolist()))
        rec.buf.shadow[rec.flat()] = values

    # --- rules: dropping ------------------------------------------------------------------

    def _drop(self, key: str):
        rec = self.numpy.pop(key, None) or self.java.pop(key)
        rec.buf.records.discard(key)

    def _collect(self, how: str):
        """Collects on Python's side ("python") or both sides ("both"), then allocates memory of
        the recent buffers' sizes filled with SENTINEL, so that memory freed while still
        reachable is likely reused and shows as a wrong value."""
        if how == "none":
            return
        # The machine makes no reference cycles, so the young generations suffice (a full
        # collection costs some 30 ms under hypothesis); teardown also runs full ones.
        gc.collect(1)
        if how == "both":
            J.System.gc()
            time.sleep(0.005)  # the cleaner thread releases what Java dropped
            imglyb.jvm_started()  # lets PyO3 apply deferred decrements
            gc.collect(1)
            self.churn = [np.full(b.shadow.size, SENTINEL, b.shadow.dtype) for b in self.buffers[-6:]]

    @precondition(lambda self: self.numpy or self.java)
    @rule(data=st.data())
    @_step
    def delete(self, data):
        """Drops one Python reference (an array, or a Java image or view), sometimes collecting."""
        self._drop(data.draw(st.sampled_from(sorted(self.numpy) + sorted(self.java)), label="drop"))
        self._collect(data.draw(st.sampled_from(["none", "python", "both"]), label="collect"))

    @precondition(lambda self: self.numpy or self.java)
    @rule(data=st.data())
    @_step
    def keep_only(self, data):
        """The lifetime rule: drops every record over one buffer but one (an array, an image, a
        Java view of a dropped array, or a NumPy view of Java memory whose image was dropped)
        and collects on both sides; the survivor alone must keep the memory alive and correct."""
        key = data.draw(st.sampled_from(sorted(self.numpy) + sorted(self.java)), label="keep")
        buf = (self.numpy.get(key) or self.java[key]).buf
        for other in sorted(buf.records - {key}):
            self._drop(other)
        self._collect("both")

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def numpy_and_java_agree_and_memory_lives(self):
        """Every live array and every live Java image or view has the model's values (Java reads
        every pixel with a cursor, and one more through its random access); memory lives while
        anything reaches it."""
        for rec in self.numpy.values():
            np.testing.assert_array_equal(rec.arr, rec.buf.shadow[rec.idx], err_msg=f"{rec.key} = {rec.how}")
        for rec in self.java.values():
            expected = rec.buf.shadow[rec.flat()].astype(np.float64)
            got = java_values(rec)
            np.testing.assert_array_equal(got, expected, err_msg=f"{rec.key} = {rec.how}")
            if rec.n:  # a different position each step
                rec.probe = (rec.probe + 7) % rec.jidx.size
                pos = np.array(np.unravel_index(rec.probe, rec.dims, order="F")) + rec.mn
                ra = rec.obj.randomAccess()
                ra.setPosition(L(pos))
                assert ra.get().getRealDouble() == float(rec.buf.shadow[rec.shadow_index(pos)]), f"{rec.key} = {rec.how} at {pos}"
        for buf in self.buffers:
            if buf.records:
                assert buf.owner() is not None, f"{buf.name} freed while {sorted(buf.records)} reach it"
        self.clean = True

    def teardown(self):
        """Once nothing reaches the memory, it is freed (after collections on both sides)."""
        self.numpy.clear()
        self.java.clear()
        self.churn = []
        for buf in self.buffers:
            buf.records.clear()
        if not self.clean:
            return  # a step failed: its traceback still holds objects, so nothing can be freed
        for i in range(200):
            gc.collect(2 if i % 10 == 9 else 1)
            imglyb.jvm_started()
            if all(buf.owner() is None for buf in self.buffers):
                return
            J.System.gc()
            time.sleep(0.01)
        leaked = [buf.name for buf in self.buffers if buf.owner() is not None]
        raise AssertionError(f"memory still alive after everything was dropped: {leaked}")


SETTINGS = settings(
    max_examples=80,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def test_numpy_and_java_always_agree():
    run_state_machine_as_test(ImglybMachine, settings=SETTINGS)


def test_to_numpy_of_interval_beyond_a_strided_image():
    """Java refuses every position outside a sliced image (README: "the parent array around a
    slice is never reached"); to_numpy of an interval reaching past it must not read the parent.
    It returned a writable view (and copy=True a copy) of the parent's pixels."""
    J.load()
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    img = imglyb.to_imglib(base[:, ::2])  # ImgLib2 dims (3, 4)
    beyond = J.Views.interval(img, L([0, 0]), L([3, 1]))  # x = 3 is outside the image
    with pytest.raises(imglyb.JavaException, match="IndexOutOfBounds"):
        J.Pixels.read(beyond)
    with pytest.raises((ValueError, imglyb.JavaException)):
        imglyb.to_numpy(beyond)  # was [[0, 2, 4, 6], [6, 8, 10, 12]], 6 and 12 from the parent


def test_java_exceptions_leak_no_local_references():
    """A Java exception raised into Python must not leave a JNI local reference behind on the
    calling thread (an attached thread never returns to Java, so such references are never freed:
    each pins the exception's description, about 400 bytes of Java heap per exception).
    -Xcheck:jni reported "JNI local refs: 33, exceeds capacity: 32" after about 31 exceptions,
    66 after 64, and so on, until the bridge's exception description (bridge.rs) freed its String[]."""
    r = run_python("""
        import imglyb
        imglyb.start_jvm(options=["-Xcheck:jni"])
        parse = imglyb.jimport("java.lang.Integer").parseInt
        for _ in range(100):
            try:
                parse("x")
            except imglyb.JavaException:
                pass
        print("ok")
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("ok")
    assert "JNI local refs" not in r.stdout + r.stderr, r.stdout + r.stderr
