"""The original imglyb 2.x's ``imglyb.imglib_ndarray`` names, for code written against it.

- :class:`ImgLibReferenceGuard` ``(rai)``: a NumPy array over an image's native memory that keeps
  the image alive. Now it is :func:`imglyb.to_numpy` ``(rai, copy=False)`` (whose views keep the
  image alive themselves), as an instance of this class with the image as ``.rai``.
- :class:`NumpyView` ``(rai)``: any ``RandomAccessibleInterval`` seen as a NumPy array whose
  values are the image's as they are now, both ways.

  - Over memory imglyb shares (wrapped arrays, imglib2-unsafe images and their views), it *is*
    that memory: every NumPy operation reads and writes the image directly.
  - Over other images (heap, cell, computed), NumPy cannot see the memory. Indexing, assignment,
    ufuncs (``view + 1``, ``view.sum()``, ``view.all()``) and NumPy functions (``np.all(view)``,
    ``np.mean(view)``) read the image through Java at each call (one bulk copy, never a Python
    call per pixel), and assignment (``view[1, 2] = 5``, ``view[0] = 0``) writes it through Java.
    The array's own buffer holds the values read last; it is read-only, so a method that
    would write it alone (``fill``, ``sort``) raises ``ValueError`` instead of losing the write.
    ``numpy.asarray(view)`` gives that buffer as last read; :meth:`NumpyView.refresh` reads it
    anew. What NumPy derives from such a view itself (``view.T``, ``view.reshape(...)``) is a
    read-only snapshot of those values.

Indexing a ``NumpyView`` with integers, slices and ``...`` gives ``NumpyView`` s of ImgLib2
views (``Views.hyperSlice``, ``Views.interval``...), as the image's own proxy does
(:mod:`imglyb.arraylike`); a fully indexed pixel is a NumPy scalar.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _imglyb, arraylike, interop


def _image(rai: Any) -> Any:
    img = interop.as_imglyb(rai)
    if not arraylike.is_image(img):
        raise TypeError(f"expected an ImgLib2 RandomAccessibleInterval, got {type(rai).__name__}")
    return img


def _basic(key: Any) -> bool:
    """Whether ``key`` is integers, slices and ``...`` only (what ImgLib2 views express)."""
    keys = key if isinstance(key, tuple) else (key,)
    return all(
        k is Ellipsis or isinstance(k, slice) or (isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)))
        for k in keys
    )


class ImgLibReferenceGuard(np.ndarray):
    """``imglyb.to_numpy(rai, copy=False)``: a view of the image's native memory, holding the
    image (``.rai``). ``ValueError`` for images NumPy cannot view (heap images): use
    :class:`NumpyView` or ``imglyb.to_numpy(rai)`` (a copy) for those."""

    rai: Any

    def __new__(cls, rai: Any) -> ImgLibReferenceGuard:
        view = _imglyb.to_numpy(_image(rai), copy=False)
        obj = view.view(cls)
        obj.rai = rai
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.rai = getattr(obj, "rai", None)


class NumpyView(np.ndarray):
    """A ``RandomAccessibleInterval`` as a NumPy array of its current values (module docs)."""

    rai: Any
    _image: Any
    _live: bool
    _buffer: np.ndarray

    def __new__(cls, rai: Any) -> NumpyView:
        img = _image(rai)
        try:
            memory = _imglyb.to_numpy(img, copy=False)
            live = True
        except ValueError:
            memory = np.array(_imglyb.to_numpy(img, copy=True), copy=True)
            live = False
        obj = memory.view(cls)
        if not live:
            obj.flags.writeable = False  # only refresh() writes the buffer, through _buffer
            obj._buffer = memory
        obj.rai, obj._image, obj._live = rai, img, live
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        # What NumPy derives from a view itself (view.T, view.reshape(...), a reduction): over
        # shared memory, more views of it; otherwise a read-only snapshot of the values last read.
        self.rai = getattr(obj, "rai", None)
        self._image = None
        self._live = True

    def refresh(self) -> NumpyView:
        """Reads the image's current values into this array's buffer (nothing to do for an
        image over shared memory); returns ``self``."""
        if not self._live and self._image is not None:
            self._buffer[...] = _imglyb.to_numpy(self._image, copy=True)
        return self

    def _current(self) -> np.ndarray:
        """The values now, as a plain array."""
        return self.refresh().view(np.ndarray)

    def __getitem__(self, key: Any) -> Any:
        if self._live:
            return super().__getitem__(key)
        if not _basic(key):
            # Fancy, boolean or newaxis indices: NumPy's, on the values as they are now.
            return self._current()[key]
        got = arraylike.getitem(self._image, key)
        return NumpyView(got) if isinstance(got, _imglyb.JavaObject) else got

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._live:
            super().__setitem__(key, value)
            return
        if not _basic(key):
            raise IndexError(
                "a NumpyView of an image NumPy cannot view takes integers, slices and '...' in "
                f"assignments, not {key!r}"
            )
        keys = key if isinstance(key, tuple) else (key,)
        if any(k is Ellipsis for k in keys):
            i = next(j for j, k in enumerate(keys) if k is Ellipsis)
            keys = keys[:i] + (slice(None),) * max(0, self.ndim - len(keys) + 1) + keys[i + 1 :]
        if len(keys) > self.ndim:
            raise IndexError(f"too many indices for an array of {self.ndim} dimensions")
        # Integers become one-pixel slices, so that one copy writes any region; NumPy's result
        # shape drops those axes, which the value is shaped by.
        picked: list[Any] = []
        dropped: list[int] = []
        for axis, k in enumerate(keys):
            if isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
                extent, i = self.shape[axis], int(k)
                if not -extent <= i < extent:
                    raise IndexError(f"index {i} is out of bounds for axis {axis} with size {extent}")
                i %= extent
                picked.append(slice(i, i + 1))
                dropped.append(axis)
            else:
                picked.append(k)
        region = arraylike.getitem(self._image, tuple(picked))
        if not isinstance(region, _imglyb.JavaObject):
            raise IndexError(f"cannot assign to {key!r}")
        shape = arraylike.shape(region)
        numpy_shape = tuple(n for axis, n in enumerate(shape) if axis not in dropped)
        values = np.broadcast_to(np.asarray(value, dtype=self.dtype), numpy_shape).reshape(shape)
        _imglyb.jimport("org.imglyb.Images").copyInto(_imglyb.to_imglib(np.ascontiguousarray(values)), region)
        self.refresh()

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        def plain(x: Any) -> Any:
            return x._current() if isinstance(x, NumpyView) and not x._live else (
                x.view(np.ndarray) if isinstance(x, NumpyView) else x)

        out = kwargs.get("out")
        if out is not None and any(isinstance(o, NumpyView) and not o._live for o in out):
            raise ValueError("a NumpyView of an image NumPy cannot view cannot be a ufunc's out=; assign the result instead")
        if out is not None:
            kwargs["out"] = tuple(plain(o) for o in out)
        return getattr(ufunc, method)(*(plain(x) for x in inputs), **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        def plain(x: Any) -> Any:
            if isinstance(x, NumpyView):
                return x._current() if not x._live else x.view(np.ndarray)
            if isinstance(x, (list, tuple)):
                return type(x)(plain(v) for v in x)
            return x

        return func(*plain(args), **{k: plain(v) for k, v in kwargs.items()})

    def __repr__(self) -> str:
        return f"NumpyView({np.array_repr(self._current() if not self._live else self.view(np.ndarray))})"

    def __str__(self) -> str:
        return str(self._current() if not self._live else self.view(np.ndarray))


__all__ = ["ImgLibReferenceGuard", "NumpyView"]
