//! Strided memory geometry and copies.
//!
//! A [`StridedLayout`] is NumPy's view of memory: a shape, one byte stride per axis (which may be
//! negative or zero) and an item size. Axis order is C/NumPy order (the last axis varies fastest
//! in a C-contiguous block). Offsets are in bytes relative to the pointer of element
//! `[0, 0, …, 0]`.
//!
//! # Rationale
//! Everything that reaches memory through a layout first asks [`StridedLayout::extent`] which
//! bytes it can touch, so a caller can refuse a layout that leaves its allocation before any
//! pointer is formed. Arithmetic is checked: a shape whose byte span does not fit in `isize`
//! is an error, never a wrap-around.
//!
//! # Limitations
//! Overlapping destination layouts (a zero or aliasing stride in the destination) are accepted
//! by [`copy_strided`], as with NumPy: the last write wins.

use std::fmt;

/// The most axes a layout may have (NumPy's limit).
pub const MAX_NDIM: usize = 32;

/// Why a layout or a copy was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayoutError {
    /// `shape` and `strides` have different lengths.
    RankMismatch {
        /// Length of the shape.
        shape: usize,
        /// Length of the strides.
        strides: usize,
    },
    /// More than [`MAX_NDIM`] axes.
    TooManyDimensions(usize),
    /// An item size of zero.
    ZeroItemSize,
    /// The element count or byte span does not fit in `isize`.
    Overflow,
    /// Source and destination of a copy differ in shape or item size.
    Incompatible,
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::RankMismatch { shape, strides } => {
                write!(f, "shape has {shape} axes but strides has {strides}")
            }
            LayoutError::TooManyDimensions(n) => {
                write!(f, "{n} dimensions; at most {MAX_NDIM} are supported")
            }
            LayoutError::ZeroItemSize => f.write_str("item size is zero"),
            LayoutError::Overflow => f.write_str("the array's size in bytes overflows isize"),
            LayoutError::Incompatible => {
                f.write_str("source and destination differ in shape or item size")
            }
        }
    }
}

impl std::error::Error for LayoutError {}

/// Shape, byte strides and item size of a strided block of memory (NumPy axis order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StridedLayout {
    shape: Vec<usize>,
    strides: Vec<isize>,
    itemsize: usize,
}

impl StridedLayout {
    /// A layout; fails when the ranks differ, there are more than [`MAX_NDIM`] axes, the item
    /// size is zero, or the element count or byte extent overflows `isize`.
    pub fn new(shape: &[usize], strides: &[isize], itemsize: usize) -> Result<Self, LayoutError> {
        if shape.len() != strides.len() {
            return Err(LayoutError::RankMismatch {
                shape: shape.len(),
                strides: strides.len(),
            });
        }
        if shape.len() > MAX_NDIM {
            return Err(LayoutError::TooManyDimensions(shape.len()));
        }
        if itemsize == 0 {
            return Err(LayoutError::ZeroItemSize);
        }
        let layout = StridedLayout {
            shape: shape.to_vec(),
            strides: strides.to_vec(),
            itemsize,
        };
        layout.checked_extent().ok_or(LayoutError::Overflow)?;
        let bytes = layout
            .checked_len()
            .and_then(|n| n.checked_mul(itemsize))
            .ok_or(LayoutError::Overflow)?;
        isize::try_from(bytes).map_err(|_| LayoutError::Overflow)?;
        Ok(layout)
    }

    /// The C-contiguous layout of `shape`.
    pub fn c_contiguous(shape: &[usize], itemsize: usize) -> Result<Self, LayoutError> {
        let mut strides = vec![0isize; shape.len()];
        let mut step = itemsize as isize;
        for d in (0..shape.len()).rev() {
            strides[d] = step;
            step = step
                .checked_mul(isize::try_from(shape[d].max(1)).map_err(|_| LayoutError::Overflow)?)
                .ok_or(LayoutError::Overflow)?;
        }
        Self::new(shape, &strides, itemsize)
    }

    /// Extent along each axis.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Byte strides, one per axis.
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// Bytes per element.
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether there are no elements (some axis has extent 0).
    pub fn is_empty(&self) -> bool {
        self.shape.contains(&0)
    }

    fn checked_len(&self) -> Option<usize> {
        self.shape
            .iter()
            .try_fold(1usize, |acc, &n| acc.checked_mul(n))
    }

    fn checked_extent(&self) -> Option<(isize, isize)> {
        if self.is_empty() {
            return Some((0, 0));
        }
        let (mut lo, mut hi) = (0isize, 0isize);
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            let span = s.checked_mul(isize::try_from(n - 1).ok()?)?;
            if span < 0 {
                lo = lo.checked_add(span)?;
            } else {
                hi = hi.checked_add(span)?;
            }
        }
        let hi = hi.checked_add(isize::try_from(self.itemsize).ok()?)?;
        // The span must fit `isize` too, as any Rust allocation must (found by ci/fuzz: two
        // axes of large strides of opposite signs, each fitting alone).
        hi.checked_sub(lo)?;
        Some((lo, hi))
    }

    /// The byte range `[start, end)`, relative to element `[0, …, 0]`, that the elements
    /// occupy; `(0, 0)` when there are no elements. `start` is negative when an axis has a
    /// negative stride.
    pub fn extent(&self) -> (isize, isize) {
        self.checked_extent()
            .expect("checked when the layout was made")
    }

    /// Whether every element lies inside an allocation of `alloc_len` bytes in which element
    /// `[0, …, 0]` sits at byte `offset`.
    pub fn fits_in(&self, offset: usize, alloc_len: usize) -> bool {
        let (lo, hi) = self.extent();
        if lo == hi {
            return offset <= alloc_len;
        }
        let Ok(offset) = isize::try_from(offset) else {
            return false;
        };
        let (Some(start), Some(end)) = (offset.checked_add(lo), offset.checked_add(hi)) else {
            return false;
        };
        start >= 0 && usize::try_from(end).is_ok_and(|end| end <= alloc_len)
    }

    /// Whether the layout is C-contiguous (axes of extent 1 may have any stride).
    pub fn is_c_contiguous(&self) -> bool {
        self.contiguous(self.shape.len())
    }

    /// Strides in elements, or `None` when some stride is not a multiple of the item size.
    pub fn strides_in_elements(&self) -> Option<Vec<isize>> {
        let item = self.itemsize as isize;
        self.strides
            .iter()
            .map(|&s| (s % item == 0).then_some(s / item))
            .collect()
    }

    /// Whether the last `k` axes form one C-contiguous run.
    fn contiguous(&self, k: usize) -> bool {
        let mut step = self.itemsize as isize;
        for d in (self.shape.len() - k..self.shape.len()).rev() {
            if self.shape[d] != 1 && self.strides[d] != step {
                return false;
            }
            step *= self.shape[d] as isize;
        }
        true
    }
}

/// Copies every element of `src` to the same position in `dst`.
///
/// The innermost axes that are C-contiguous in both layouts are copied as one `memcpy` run, so a
/// copy between contiguous blocks is a single `memcpy`; only the remaining outer axes are
/// walked.
///
/// # Safety
/// - Every byte in `src_layout.extent()` around `src` must be readable, and every byte in
///   `dst_layout.extent()` around `dst` writable, for the duration of the call.
/// - The two regions must not overlap.
pub unsafe fn copy_strided(
    src: *const u8,
    src_layout: &StridedLayout,
    dst: *mut u8,
    dst_layout: &StridedLayout,
) -> Result<(), LayoutError> {
    if src_layout.shape != dst_layout.shape || src_layout.itemsize != dst_layout.itemsize {
        return Err(LayoutError::Incompatible);
    }
    if src_layout.is_empty() {
        return Ok(());
    }
    let ndim = src_layout.ndim();
    // The longest run of innermost axes contiguous in both layouts.
    let inner = (0..=ndim)
        .rev()
        .find(|&k| src_layout.contiguous(k) && dst_layout.contiguous(k))
        .unwrap_or(0);
    let outer = ndim - inner;
    let run = src_layout.itemsize * src_layout.shape[outer..].iter().product::<usize>();
    let shape = &src_layout.shape[..outer];
    let mut index = vec![0usize; outer];
    let (mut s_off, mut d_off) = (0isize, 0isize);
    loop {
        // SAFETY: `index` is inside `shape`, so both offsets lie inside the layouts' extents,
        // which the caller guarantees are readable (src) and writable (dst) and disjoint; `run`
        // bytes from there stay inside the extents because the inner axes are contiguous.
        unsafe {
            std::ptr::copy_nonoverlapping(src.offset(s_off), dst.offset(d_off), run);
        }
        // Odometer over the outer axes, last axis fastest.
        let mut d = outer;
        loop {
            if d == 0 {
                return Ok(());
            }
            d -= 1;
            index[d] += 1;
            s_off += src_layout.strides[d];
            d_off += dst_layout.strides[d];
            if index[d] < shape[d] {
                break;
            }
            s_off -= src_layout.strides[d] * shape[d] as isize;
            d_off -= dst_layout.strides[d] * shape[d] as isize;
            index[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte offsets of every element, by brute force (the reference for extent and copies).
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

    #[test]
    fn extent_matches_brute_force() {
        let cases: &[(&[usize], &[isize], usize)] = &[
            (&[3, 4], &[16, 4], 4),
            (&[3, 4], &[4, 12], 4),
            (&[3, 4], &[-16, 4], 4),
            (&[2, 3, 5], &[-8, 80, -16], 8),
            (&[5], &[0], 2),
            (&[], &[], 4),
        ];
        for &(shape, strides, item) in cases {
            let l = StridedLayout::new(shape, strides, item).unwrap();
            let offs = offsets(&l);
            let lo = *offs.iter().min().unwrap();
            let hi = *offs.iter().max().unwrap() + item as isize;
            assert_eq!(l.extent(), (lo, hi), "{shape:?} {strides:?}");
        }
        // Each end fits isize, their distance does not.
        let wide = StridedLayout::new(&[3, 4], &[-(1 << 60), 3 << 60], 1);
        assert_eq!(wide, Err(LayoutError::Overflow));
        let empty = StridedLayout::new(&[3, 0], &[8, 4], 4).unwrap();
        assert_eq!(empty.extent(), (0, 0));
        assert!(empty.fits_in(0, 0));
    }

    #[test]
    fn fits_in_checks_both_ends() {
        // arr[::-1] of 10 float32: element 0 sits at byte 36.
        let rev = StridedLayout::new(&[10], &[-4], 4).unwrap();
        assert!(rev.fits_in(36, 40));
        assert!(!rev.fits_in(32, 40));
        assert!(!rev.fits_in(36, 39));
        let c = StridedLayout::c_contiguous(&[3, 4], 4).unwrap();
        assert!(c.fits_in(0, 48));
        assert!(!c.fits_in(4, 48));
        assert!(!c.fits_in(usize::MAX, usize::MAX));
    }

    #[test]
    fn bad_layouts_are_refused() {
        assert_eq!(
            StridedLayout::new(&[2], &[4, 4], 4),
            Err(LayoutError::RankMismatch {
                shape: 1,
                strides: 2
            })
        );
        assert_eq!(
            StridedLayout::new(&[1; 33], &[4; 33], 4),
            Err(LayoutError::TooManyDimensions(33))
        );
        assert_eq!(
            StridedLayout::new(&[2], &[4], 0),
            Err(LayoutError::ZeroItemSize)
        );
        assert_eq!(
            StridedLayout::new(&[usize::MAX / 2, 4], &[4, 1], 1),
            Err(LayoutError::Overflow)
        );
        assert_eq!(
            StridedLayout::new(&[1 << 40, 1 << 40], &[1, 1], 1),
            Err(LayoutError::Overflow)
        );
    }

    #[test]
    fn contiguity_and_element_strides() {
        let c = StridedLayout::c_contiguous(&[2, 3, 4], 8).unwrap();
        assert_eq!(c.strides(), &[96, 32, 8]);
        assert!(c.is_c_contiguous());
        assert_eq!(c.strides_in_elements(), Some(vec![12, 4, 1]));
        let f = StridedLayout::new(&[2, 3], &[8, 16], 8).unwrap();
        assert!(!f.is_c_contiguous());
        let odd = StridedLayout::new(&[2], &[6], 4).unwrap();
        assert_eq!(odd.strides_in_elements(), None);
        // Axes of extent 1 do not break contiguity, whatever their stride.
        assert!(
            StridedLayout::new(&[1, 4], &[999, 2], 2)
                .unwrap()
                .is_c_contiguous()
        );
    }

    /// Copies `src` (values 0..n as u32 laid out by `layout` inside a buffer, element 0 at
    /// `base`) into a C-contiguous buffer and checks each element against brute force.
    fn check_copy(shape: &[usize], strides: &[isize], base: usize, buf_len: usize) {
        let layout = StridedLayout::new(shape, strides, 4).unwrap();
        assert!(layout.fits_in(base * 4, buf_len * 4));
        let src: Vec<u32> = (0..buf_len as u32).collect();
        let dst_layout = StridedLayout::c_contiguous(shape, 4).unwrap();
        let mut dst = vec![u32::MAX; layout.len()];
        // SAFETY: the source layout fits in `src` (asserted above) and the destination is a
        // C-contiguous buffer of exactly `len` elements; the buffers are distinct.
        unsafe {
            copy_strided(
                src.as_ptr().cast::<u8>().add(base * 4),
                &layout,
                dst.as_mut_ptr().cast(),
                &dst_layout,
            )
            .unwrap();
        }
        let expected: Vec<u32> = offsets(&layout)
            .iter()
            .map(|&o| src[(base as isize + o / 4) as usize])
            .collect();
        assert_eq!(dst, expected, "{shape:?} {strides:?}");
    }

    #[test]
    fn copies_match_brute_force() {
        check_copy(&[3, 4], &[16, 4], 0, 12); // contiguous: one memcpy
        check_copy(&[4, 3], &[4, 16], 0, 12); // transposed
        check_copy(&[3, 2], &[16, 8], 0, 12); // arr[:, ::2]
        check_copy(&[3, 4], &[-16, 4], 8, 12); // arr[::-1]
        check_copy(&[3, 4], &[16, -4], 3, 12); // arr[:, ::-1]
        check_copy(&[2, 2, 3], &[48, 16, 4], 0, 24); // inner rows contiguous, outer gap
        check_copy(&[5], &[0], 2, 3); // broadcast
        check_copy(&[], &[], 1, 2); // 0-d
        check_copy(&[0, 3], &[12, 4], 0, 0); // empty
    }

    #[test]
    fn copy_refuses_mismatched_layouts() {
        let a = StridedLayout::c_contiguous(&[2, 3], 4).unwrap();
        let b = StridedLayout::c_contiguous(&[3, 2], 4).unwrap();
        let c = StridedLayout::c_contiguous(&[2, 3], 8).unwrap();
        let src = [0u8; 48];
        let mut dst = [0u8; 48];
        for other in [&b, &c] {
            // SAFETY: the layouts are rejected before any memory is touched.
            let r = unsafe { copy_strided(src.as_ptr(), &a, dst.as_mut_ptr(), other) };
            assert_eq!(r, Err(LayoutError::Incompatible));
        }
    }
}
