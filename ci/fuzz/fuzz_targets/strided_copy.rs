//! Geometry validation and strided copies in `unsafe-access`.
//!
//! Arbitrary shapes and strides must never panic `StridedLayout::new`, and an accepted layout's
//! `extent` and `fits_in` must agree with a brute-force walk. Small accepted layouts are then
//! copied with `copy_strided` between real buffers and every element is checked, so a wrong
//! offset shows up as a wrong value or as an out-of-bounds access under AddressSanitizer.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use unsafe_access::{StridedLayout, copy_strided};

#[derive(Arbitrary, Debug)]
struct Input {
    raw_shape: Vec<usize>,
    raw_strides: Vec<isize>,
    raw_itemsize: u8,
    offset: usize,
    alloc: usize,
    small_shape: [u8; 4],
    ndim: u8,
    src_steps: [i8; 4],
    dst_steps: [i8; 4],
    dst_c_order: bool,
    itemsize: u8,
}

/// Byte offsets of every element, by brute force.
fn offsets(l: &StridedLayout) -> Vec<isize> {
    let mut out = vec![0isize];
    for (&n, &s) in l.shape().iter().zip(l.strides()) {
        out = out
            .iter()
            .flat_map(|&o| (0..n as isize).map(move |i| o + i * s))
            .collect();
    }
    out
}

fn check_extent(l: &StridedLayout) {
    let (lo, hi) = l.extent();
    if l.is_empty() {
        assert_eq!((lo, hi), (0, 0));
        return;
    }
    if l.len() > 4096 {
        return;
    }
    let offs = offsets(l);
    let min = *offs.iter().min().unwrap();
    let max = *offs.iter().max().unwrap() + l.itemsize() as isize;
    assert_eq!((lo, hi), (min, max), "{l:?}");
    // `fits_in` is exactly "every element's bytes are inside the allocation".
    let start = -lo;
    if let Ok(start) = usize::try_from(start) {
        let need = usize::try_from(hi - lo).unwrap();
        assert!(l.fits_in(start, need));
        assert!(!l.fits_in(start, need - 1));
        if start > 0 {
            assert!(!l.fits_in(start - 1, need + 1) || lo == 0);
        }
    }
}

fuzz_target!(|input: Input| {
    // 1. Arbitrary geometry: refused or consistent, never a panic.
    if let Ok(l) = StridedLayout::new(
        &input.raw_shape,
        &input.raw_strides,
        input.raw_itemsize.into(),
    ) {
        let _ = l.extent();
        let _ = l.fits_in(input.offset, input.alloc);
        let _ = l.is_c_contiguous();
        let _ = l.strides_in_elements();
        check_extent(&l);
    }
    let _ = StridedLayout::c_contiguous(&input.raw_shape, input.raw_itemsize.into());

    // 2. Small layouts copied for real.
    let item = [1usize, 2, 4, 8, 16][usize::from(input.itemsize) % 5];
    let ndim = usize::from(input.ndim) % 5;
    let shape: Vec<usize> = input.small_shape[..ndim]
        .iter()
        .map(|&n| usize::from(n) % 6)
        .collect();
    let strides = |steps: &[i8; 4]| -> Vec<isize> {
        steps[..ndim]
            .iter()
            .map(|&k| isize::from(k) * item as isize)
            .collect()
    };
    let Ok(src) = StridedLayout::new(&shape, &strides(&input.src_steps), item) else {
        return;
    };
    let dst = if input.dst_c_order {
        StridedLayout::c_contiguous(&shape, item)
    } else {
        StridedLayout::new(&shape, &strides(&input.dst_steps), item)
    };
    let Ok(dst) = dst else { return };
    check_extent(&src);
    check_extent(&dst);
    let (slo, shi) = src.extent();
    let (dlo, dhi) = dst.extent();
    let src_buf: Vec<u8> = (0..(shi - slo) as usize)
        .map(|i| (i * 7 + 3) as u8)
        .collect();
    let mut dst_buf = vec![0u8; (dhi - dlo) as usize];
    let src0 = src_buf.as_ptr().wrapping_offset(-slo);
    let dst0 = dst_buf.as_mut_ptr().wrapping_offset(-dlo);
    // SAFETY: each buffer spans exactly its layout's extent around element 0, and the two
    // buffers are separate allocations.
    unsafe { copy_strided(src0, &src, dst0, &dst) }.unwrap();
    // Every element arrived, unless the destination overlaps itself (a zero stride), where the
    // last write wins.
    let (so, dof) = (offsets(&src), offsets(&dst));
    let mut sorted = dof.clone();
    sorted.sort_unstable();
    let distinct = sorted.windows(2).all(|w| w[1] - w[0] >= item as isize);
    if src.is_empty() || !distinct {
        return;
    }
    for (s, d) in so.iter().zip(&dof) {
        let s = (s - slo) as usize;
        let d = (d - dlo) as usize;
        assert_eq!(src_buf[s..s + item], dst_buf[d..d + item]);
    }
});
