//! Geometry validation in `imglyb-core`: image descriptors from arbitrary NumPy metadata.
//!
//! `DType::from_typestr` and `ImageDescriptor::new` take what a Python object claims
//! (`__array_interface__`, a buffer export). Whatever they are given, they must refuse it with an
//! error or describe it consistently: ImgLib2 dimensions and pixel strides are the NumPy ones
//! reversed, every stride is a whole number of pixels, and the extent matches the layout.
#![no_main]

use arbitrary::Arbitrary;
use imglyb_core::{DType, ImageDescriptor};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    typestr: String,
    address: usize,
    shape: Vec<usize>,
    strides: Vec<isize>,
    read_only: bool,
}

fuzz_target!(|input: Input| {
    let Ok(dtype) = DType::from_typestr(&input.typestr) else {
        return;
    };
    assert_eq!(DType::from_typestr(dtype.typestr()).ok(), Some(dtype));
    let Ok(d) = ImageDescriptor::new(
        input.address,
        dtype,
        &input.shape,
        &input.strides,
        input.read_only,
    ) else {
        let _ = ImageDescriptor::c_contiguous(input.address, dtype, &input.shape, input.read_only);
        return;
    };
    let item = dtype.itemsize() as isize;
    let dims = d.imglib2_dimensions();
    let strides = d.imglib2_strides();
    assert_eq!(dims.len(), input.shape.len());
    for (k, (&n, &s)) in input.shape.iter().zip(&input.strides).enumerate() {
        let j = input.shape.len() - 1 - k;
        assert_eq!(dims[j], n as i64);
        assert_eq!(s % item, 0);
        assert_eq!(strides[j], (s / item) as i64);
    }
    assert_eq!(d.len(), input.shape.iter().product::<usize>());
    assert!(d.address() != 0 || d.is_empty());
    let (lo, hi) = d.extent();
    assert!(lo <= 0 && hi >= 0);
    if !d.is_empty() {
        assert!(hi - lo >= item);
    }
});
