"""One contract for every language: the per-dtype table of ``imglyb_core::contract`` as Rust
exports it (``imglyb._imglyb.DTYPES``), as the embedded Java classes read it
(``org.imglyb.Contract``, generated from the same file) and as the Python package derives its
tables from it, checked against each other and against what images actually are."""

from __future__ import annotations

import numpy as np
import pytest

import imglyb
from imglyb import _contract, _imglyb, chunked, types
from conftest import imglib2_at_least

ROWS = _imglyb.DTYPES


@pytest.fixture(scope="module")
def java_contract():
    return imglyb.jimport("org.imglyb.Contract")


def test_rows_sit_at_their_codes_and_cover_every_code():
    assert [r[0] for r in ROWS] == list(range(len(ROWS)))
    names = [r[1] for r in ROWS]
    # Every NumPy dtype once, and ARGB as uint32 beside uint32 itself.
    assert names.count("uint32") == 2 and len(set(names)) == len(names) - 1
    for code, numpy, imglib2, volatile, primitive, entities in ROWS:
        assert imglib2.startswith("net.imglib2.type."), code
        assert volatile == "" or volatile.startswith("net.imglib2.type.volatiles.Volatile"), code
        assert 0 <= primitive <= 5 and entities in (1, 2), code
        # The row's storage holds the NumPy dtype exactly.
        assert np.dtype(numpy).itemsize == (1, 2, 4, 8, 4, 8)[primitive] * entities, code
    # Java's names of the storage primitives, in the rows' order; each names ImgLib2's access.
    assert _imglyb.PRIMITIVES == ("byte", "short", "int", "long", "float", "double")


def test_java_reads_the_same_table(java_contract):
    C = java_contract
    columns = [C.NUMPY, C.TYPE_CLASS, C.VOLATILE_CLASS, C.PRIMITIVE, C.ENTITIES]
    assert all(len(column) == len(ROWS) for column in columns)
    for code, numpy, imglib2, volatile, primitive, entities in ROWS:
        assert (C.NUMPY[code], C.TYPE_CLASS[code], C.VOLATILE_CLASS[code]) == (numpy, imglib2, volatile)
        assert (C.PRIMITIVE[code], C.ENTITIES[code]) == (primitive, entities)
    assert C.MAX_DIMENSIONS == _imglyb.MAX_DIMENSIONS == 32
    assert (C.BOOL, C.U8, C.F32, C.C128, C.ARGB) == (0, 1, 9, 12, 13)


def test_python_tables_are_derived_from_it():
    shared = {r[1]: r[0] for r in ROWS if not r[2].endswith(".ARGBType")}
    assert {dt.name: code for dt, code in _contract.CODES.items()} == shared
    assert {code: dt.name for code, dt in _contract.DTYPES.items()} == {c: n for n, c in shared.items()}
    assert _contract.MAX_DIMENSIONS == _imglyb.MAX_DIMENSIONS
    for code, numpy, imglib2, volatile, primitive, entities in ROWS:
        if imglib2.endswith(".ARGBType"):
            continue
        expected = "net.imglib2.type.logic.BitType" if numpy == "bool" else imglib2
        assert _contract.TYPE_CLASSES[np.dtype(numpy)] == imglib2
        assert types.for_np_dtype(numpy).getClass().getName() == expected
        assert _contract.VOLATILE_CLASSES[np.dtype(numpy)] == volatile
        assert _contract.STORAGE[np.dtype(numpy)] == (_imglyb.PRIMITIVES[primitive], entities)


@pytest.mark.parametrize("row", [r for r in ROWS if r[1] != "bool" and not r[2].endswith(".ARGBType")], ids=lambda r: r[1])
def test_each_shared_array_is_the_tables_type_and_back(row):
    code, numpy, imglib2, *_ = row
    arr = np.zeros((2, 3), numpy)
    img = imglyb.to_imglib(arr)
    assert img.firstElement().getClass().getName() == imglib2
    back = imglyb.to_numpy(img)
    assert back.dtype == np.dtype(numpy) and np.shares_memory(back, arr)


def test_argb_row_is_the_argb_image_type():
    row = next(r for r in ROWS if r[2].endswith(".ARGBType"))
    img = imglyb.to_imglib_argb(np.zeros((2, 2), np.uint32))
    assert img.firstElement().getClass().getName() == row[2]


def test_volatile_classes_exist_where_imglib2_has_them():
    if not imglib2_at_least(5):
        pytest.skip("ImgLib2 4.x has no volatile pixel types in its core jar")
    for code, numpy, imglib2, volatile, *_ in ROWS:
        if volatile:
            assert imglyb.jimport(volatile).__javaname__ == volatile, numpy
    assert types.for_np_dtype(np.float32, volatile=True).getClass().getName() == ROWS[9][3]
    with pytest.raises(TypeError, match="no volatile pixel type"):
        types.for_np_dtype(np.complex64, volatile=True)


def test_the_dimension_limit_is_the_contracts():
    limit = _imglyb.MAX_DIMENSIONS
    # A lazily loaded image (imglyb.chunked) of the most dimensions allowed, and one more.
    img = chunked.to_imglib(_ManyDims(limit))
    assert img.numDimensions() == limit
    with pytest.raises(ValueError, match=f"at most {limit} dimensions, got {limit + 1}"):
        chunked.to_imglib(_ManyDims(limit + 1))


class _ManyDims:
    """An array-like of ``n`` dimensions of one pixel each (NumPy 2 allows up to 64)."""

    def __init__(self, n: int):
        self.shape = (1,) * n
        self.dtype = np.dtype(np.float32)
        self.ndim = n

    def __getitem__(self, key):
        return np.zeros((1,) * len(self.shape), np.float32)
