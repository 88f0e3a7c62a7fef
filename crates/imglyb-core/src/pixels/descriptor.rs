//! Pixel types and image descriptors: NumPy's metadata for a block of memory, checked before
//! any of it reaches Java.
//!
//! A [`DType`] ties a NumPy dtype to an ImgLib2 type and to the Java primitive of the access
//! that reads it. An [`ImageDescriptor`] is an address, a dtype, a NumPy-order shape with byte
//! strides, and a read-only flag; constructing one validates everything that can be validated
//! without knowing the allocation (ranks, stride multiples, overflow), and it converts to
//! ImgLib2's axis order, where ImgLib2 dimension `d` is NumPy axis `n - 1 - d`.

use unsafe_access::{LayoutError, MAX_NDIM, StridedLayout};

use crate::jni::Prim;
use crate::jni::error::{Error, Result};

// The Java classes check dimensions against the contract; descriptors against unsafe-access.
const _: () = assert!(crate::contract::MAX_DIMENSIONS as usize == MAX_NDIM);

/// A pixel type imglyb can share between NumPy and ImgLib2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// `bool`: one byte, 0 or 1. ImgLib2 4.5 has no byte-backed boolean type, so it is shared as
    /// `UnsignedByteType`; Java must write only 0 or 1.
    Bool,
    /// `uint8`: `UnsignedByteType`.
    U8,
    /// `int8`: `ByteType`.
    I8,
    /// `uint16`: `UnsignedShortType`.
    U16,
    /// `int16`: `ShortType`.
    I16,
    /// `uint32`: `UnsignedIntType`.
    U32,
    /// `int32`: `IntType`.
    I32,
    /// `uint64`: `UnsignedLongType`.
    U64,
    /// `int64`: `LongType`.
    I64,
    /// `float32`: `FloatType`.
    F32,
    /// `float64`: `DoubleType`.
    F64,
    /// `complex64`: `ComplexFloatType` (two floats per pixel).
    C64,
    /// `complex128`: `ComplexDoubleType` (two doubles per pixel).
    C128,
}

impl DType {
    /// Every dtype, in the order of [`DType::code`].
    pub const ALL: [DType; 13] = [
        DType::Bool,
        DType::U8,
        DType::I8,
        DType::U16,
        DType::I16,
        DType::U32,
        DType::I32,
        DType::U64,
        DType::I64,
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
    ];

    /// The number the Java side knows this dtype by (its index in [`DType::ALL`]).
    pub fn code(self) -> i32 {
        use crate::contract as c;
        match self {
            DType::Bool => c::BOOL,
            DType::U8 => c::U8,
            DType::I8 => c::I8,
            DType::U16 => c::U16,
            DType::I16 => c::I16,
            DType::U32 => c::U32,
            DType::I32 => c::I32,
            DType::U64 => c::U64,
            DType::I64 => c::I64,
            DType::F32 => c::F32,
            DType::F64 => c::F64,
            DType::C64 => c::C64,
            DType::C128 => c::C128,
        }
    }

    /// NumPy's name: `"float32"`.
    pub fn numpy_name(self) -> &'static str {
        self.facts().0
    }

    /// NumPy's array-interface type string on this (little-endian) machine, such as `"<f4"`.
    pub fn typestr(self) -> &'static str {
        const TYPESTRS: [&str; 13] = [
            "|b1", "|u1", "|i1", "<u2", "<i2", "<u4", "<i4", "<u8", "<i8", "<f4", "<f8", "<c8",
            "<c16",
        ];
        TYPESTRS[self.code() as usize]
    }

    /// Bytes per pixel.
    pub fn itemsize(self) -> usize {
        self.facts().1
    }

    /// The ImgLib2 type's binary name.
    pub fn imglib2_type(self) -> &'static str {
        self.facts().2
    }

    /// The Java primitive of the access (`float` for both `float32` and `complex64`).
    pub fn access(self) -> Prim {
        self.facts().3
    }

    /// The Java primitive array type whose elements have this dtype's values exactly: `bool` is
    /// `boolean[]`, `int8` `byte[]`, `uint16` `char[]`, `int16` `short[]`, `int32` `int[]`,
    /// `int64` `long[]`, `float32` `float[]`, `float64` `double[]`; `None` for the rest (Java has
    /// no unsigned arrays but `char[]`, and no complex ones).
    pub fn java_array(self) -> Option<Prim> {
        Some(match self {
            DType::Bool => Prim::Boolean,
            DType::I8 => Prim::Byte,
            DType::U16 => Prim::Char,
            DType::I16 => Prim::Short,
            DType::I32 => Prim::Int,
            DType::I64 => Prim::Long,
            DType::F32 => Prim::Float,
            DType::F64 => Prim::Double,
            _ => return None,
        })
    }

    /// The dtype of a Java primitive array's elements, the inverse of [`DType::java_array`];
    /// `None` for `void`.
    pub fn of_java_array(prim: Prim) -> Option<DType> {
        DType::ALL
            .into_iter()
            .find(|d| d.java_array() == Some(prim))
    }

    /// Java primitives per pixel: 2 for complex types, else 1.
    pub fn components(self) -> usize {
        self.itemsize() / self.access().size()
    }

    /// This dtype's row of the contract's table ([`crate::contract::DTYPES`]).
    fn row(self) -> &'static crate::contract::DTypeRow {
        &crate::contract::DTYPES[self.code() as usize]
    }

    /// (NumPy name, bytes per pixel, ImgLib2 type, access primitive), from the contract's table.
    fn facts(self) -> (&'static str, usize, &'static str, Prim) {
        use crate::contract as c;
        let row = self.row();
        let prim = match row.primitive {
            c::P_BYTE => Prim::Byte,
            c::P_SHORT => Prim::Short,
            c::P_INT => Prim::Int,
            c::P_LONG => Prim::Long,
            c::P_FLOAT => Prim::Float,
            _ => Prim::Double,
        };
        let bytes = c::PRIMITIVE_BYTES[row.primitive as usize] * row.entities;
        (row.numpy, bytes as usize, row.imglib2, prim)
    }

    /// The dtype of a NumPy array-interface type string (`"<f4"`, `"|u1"`, `"|b1"`, `"<c16"`).
    ///
    /// `TypeMismatch` names the dtype and the fix for everything imglyb cannot share: object,
    /// strings, float16, structured and other kinds, and byte orders other than the machine's.
    pub fn from_typestr(typestr: &str) -> Result<DType> {
        let mut chars = typestr.chars();
        let (Some(order), Some(kind)) = (chars.next(), chars.next()) else {
            return Err(Error::TypeMismatch(format!(
                "{typestr:?} is not a NumPy type string"
            )));
        };
        // NumPy writes the object dtype without a size ("|O"), and datetimes with a unit
        // ("<M8[s]").
        let rest = chars.as_str();
        let rest = rest.split_once('[').map_or(rest, |(size, _)| size);
        let size: usize = if rest.is_empty() && kind == 'O' {
            8
        } else {
            rest.parse().map_err(|_| {
                Error::TypeMismatch(format!("{typestr:?} is not a NumPy type string"))
            })?
        };
        let refuse = |what: &str, fix: &str| {
            Err(Error::TypeMismatch(format!(
                "arrays of {what} (dtype {typestr:?}) cannot be shared with ImgLib2; {fix}"
            )))
        };
        let dtype = match (kind, size) {
            ('b', 1) => DType::Bool,
            ('u', 1) => DType::U8,
            ('i', 1) => DType::I8,
            ('u', 2) => DType::U16,
            ('i', 2) => DType::I16,
            ('u', 4) => DType::U32,
            ('i', 4) => DType::I32,
            ('u', 8) => DType::U64,
            ('i', 8) => DType::I64,
            ('f', 4) => DType::F32,
            ('f', 8) => DType::F64,
            ('c', 8) => DType::C64,
            ('c', 16) => DType::C128,
            ('f', 2) => return refuse("float16", "convert with arr.astype(np.float32)"),
            ('f', _) => {
                return refuse("extended precision", "convert with arr.astype(np.float64)");
            }
            ('c', _) => {
                // astype(np.float64) would drop the imaginary part: keep it.
                return refuse(
                    "extended-precision complex numbers",
                    "convert with arr.astype(np.complex128)",
                );
            }
            ('O', _) => {
                return refuse(
                    "Python objects",
                    "they hold references, not pixels; build a numeric array first",
                );
            }
            ('M', _) | ('m', _) => {
                return refuse(
                    "datetimes or timedeltas",
                    "share their integer counts with arr.view(np.int64)",
                );
            }
            ('U', _) | ('S', _) => {
                return refuse("strings", "encode them as numbers first");
            }
            ('V', _) => {
                return refuse(
                    "structured records",
                    "share one field at a time, e.g. arr['x'] (or a numeric view of it)",
                );
            }
            _ => {
                return refuse(
                    "this kind",
                    "use bool, (u)int8-64, float32/64 or complex64/128",
                );
            }
        };
        let native = if cfg!(target_endian = "little") {
            '<'
        } else {
            '>'
        };
        if size > 1 && order != '=' && order != '|' && order != native {
            return refuse(
                "non-native byte order",
                "convert with arr.astype(arr.dtype.newbyteorder('='))",
            );
        }
        Ok(dtype)
    }
}

mod sealed {
    /// Keeps [`Pixel`](super::Pixel) implemented by this crate only.
    pub trait Sealed {}
}

/// A Rust element type whose memory is laid out exactly as one NumPy dtype: the element types of
/// Rust arrays imglyb can share with ImgLib2.
///
/// Implemented for `bool`, `u8`, `i8`, `u16`, `i16`, `u32`, `i32`, `u64`, `i64`, `f32` and
/// `f64`, and sealed: nothing else can implement it, so `size_of::<Self>()` is always
/// `Self::DTYPE.itemsize()`. Complex dtypes have no Rust element type here.
///
/// `bool` is shared as `UnsignedByteType`: any byte other than 0 or 1 is not a valid `bool`, so
/// Rust must never read a `bool` Java wrote anything else to.
pub trait Pixel: sealed::Sealed + Copy + Send + Sync + 'static {
    /// The dtype of this element type.
    const DTYPE: DType;
}

macro_rules! pixels {
    ($($t:ty => $d:ident),* $(,)?) => {$(
        impl sealed::Sealed for $t {}
        impl Pixel for $t {
            const DTYPE: DType = DType::$d;
        }
    )*};
}

pixels! {
    bool => Bool, u8 => U8, i8 => I8, u16 => U16, i16 => I16, u32 => U32, i32 => I32,
    u64 => U64, i64 => I64, f32 => F32, f64 => F64,
}

/// Byte strides of strides counted in elements of `itemsize` bytes (as `ndarray` counts them),
/// axis for axis; `InvalidArgument` when one does not fit in `isize`.
#[cfg(any(feature = "ndarray", test))]
pub(crate) fn byte_strides(strides_in_elements: &[isize], itemsize: usize) -> Result<Vec<isize>> {
    let size = isize::try_from(itemsize)
        .map_err(|_| Error::InvalidArgument(format!("item size {itemsize} overflows isize")))?;
    strides_in_elements
        .iter()
        .enumerate()
        .map(|(axis, &s)| {
            s.checked_mul(size).ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "stride {s} of axis {axis} overflows isize in bytes ({itemsize} per element)"
                ))
            })
        })
        .collect()
}

/// NumPy's description of pixel memory, validated: what `wrap` hands to Java.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDescriptor {
    address: usize,
    dtype: DType,
    layout: StridedLayout,
    read_only: bool,
}

impl ImageDescriptor {
    /// A descriptor of the pixels at `address`: `shape` and byte `strides` in NumPy order.
    ///
    /// Refused with `InvalidArgument`: ranks that differ, more than 32 dimensions, a stride that
    /// is not a multiple of the item size, sizes that overflow, and a null address for a
    /// non-empty image. It does not check that the memory exists; whoever made the address
    /// (NumPy, a C caller) vouches for that.
    ///
    /// ```
    /// use imglyb_core::{DType, ImageDescriptor};
    ///
    /// let pixels = [0f32; 12];
    /// let address = pixels.as_ptr() as usize;
    /// // A transposed view of a C-order [3, 4] array: shape [4, 3], byte strides [4, 16].
    /// let d = ImageDescriptor::new(address, DType::F32, &[4, 3], &[4, 16], true)?;
    /// assert_eq!(d.imglib2_dimensions(), [3, 4]); // reversed: ImgLib2 dimension 0 is axis 1
    /// assert_eq!(d.imglib2_strides(), [4, 1]); // in pixels, reversed
    /// assert_eq!(d.extent(), (0, 48));
    /// assert!(!d.is_c_contiguous());
    ///
    /// // A stride that does not step whole pixels is refused.
    /// assert!(ImageDescriptor::new(address, DType::F32, &[6], &[2], true).is_err());
    /// # Ok::<(), imglyb_core::Error>(())
    /// ```
    pub fn new(
        address: usize,
        dtype: DType,
        shape: &[usize],
        strides: &[isize],
        read_only: bool,
    ) -> Result<Self> {
        let itemsize = dtype.itemsize();
        let layout = StridedLayout::new(shape, strides, itemsize).map_err(|e| match e {
            LayoutError::TooManyDimensions(n) => Error::InvalidArgument(format!(
                "{n} dimensions: ImgLib2 images from NumPy support at most {MAX_NDIM}"
            )),
            other => Error::InvalidArgument(format!("invalid array layout: {other}")),
        })?;
        if let Some((axis, s)) = strides
            .iter()
            .enumerate()
            .find(|(_, s)| s.unsigned_abs() % itemsize != 0)
        {
            return Err(Error::InvalidArgument(format!(
                "stride {s} of axis {axis} is not a multiple of the item size {itemsize} \
                 ({}): ImgLib2 addresses whole pixels; copy the array first, e.g. \
                 np.ascontiguousarray(arr)",
                dtype.numpy_name()
            )));
        }
        if address == 0 && !layout.is_empty() {
            return Err(Error::InvalidArgument(
                "the array's data pointer is null".into(),
            ));
        }
        Ok(ImageDescriptor {
            address,
            dtype,
            layout,
            read_only,
        })
    }

    /// A C-contiguous descriptor: the byte strides follow from `shape` and the dtype's item size,
    /// last axis fastest. Refused as [`ImageDescriptor::new`] refuses.
    ///
    /// ```
    /// use imglyb_core::{DType, ImageDescriptor};
    ///
    /// let pixels = [0u16; 24];
    /// let address = pixels.as_ptr() as usize;
    /// let d = ImageDescriptor::c_contiguous(address, DType::U16, &[2, 3, 4], false)?;
    /// assert_eq!(d.layout().strides(), [24, 8, 2]);
    /// assert_eq!(d.imglib2_strides(), [1, 4, 12]);
    /// # Ok::<(), imglyb_core::Error>(())
    /// ```
    pub fn c_contiguous(
        address: usize,
        dtype: DType,
        shape: &[usize],
        read_only: bool,
    ) -> Result<Self> {
        let layout = StridedLayout::c_contiguous(shape, dtype.itemsize())
            .map_err(|e| Error::InvalidArgument(format!("invalid array layout: {e}")))?;
        Self::new(address, dtype, shape, layout.strides(), read_only)
    }

    /// A descriptor of `view`'s pixels, read-only: Java may read them but its writes throw.
    ///
    /// The address is that of element `[0, 0, ...]` (`view.as_ptr()`), and `ndarray`'s strides,
    /// counted in elements and possibly negative or zero, become byte strides; the axis order
    /// stays `ndarray`'s, which is NumPy's. Empty and 0-d views are described as NumPy describes
    /// them (0 pixels, and 1 pixel with no axes). This only describes memory: handing it to Java
    /// is [`Pixels::wrap`](super::Pixels::wrap)'s job, whose safety contract outlives the borrow.
    #[cfg(feature = "ndarray")]
    pub fn from_view<A: Pixel, D: ndarray::Dimension>(
        view: &ndarray::ArrayView<'_, A, D>,
    ) -> Result<Self> {
        Self::of_elements::<A>(view.as_ptr() as usize, view.shape(), view.strides(), true)
    }

    /// A descriptor of `view`'s pixels that Java may write, as [`ImageDescriptor::from_view`]
    /// describes them otherwise.
    #[cfg(feature = "ndarray")]
    pub fn from_view_mut<A: Pixel, D: ndarray::Dimension>(
        view: &mut ndarray::ArrayViewMut<'_, A, D>,
    ) -> Result<Self> {
        // The pointer first: ndarray asks for strides read after `as_mut_ptr`.
        let address = view.as_mut_ptr() as usize;
        Self::of_elements::<A>(address, view.shape(), view.strides(), false)
    }

    /// A descriptor of `A` pixels with NumPy-order `shape` and strides counted in elements.
    #[cfg(feature = "ndarray")]
    fn of_elements<A: Pixel>(
        address: usize,
        shape: &[usize],
        strides_in_elements: &[isize],
        read_only: bool,
    ) -> Result<Self> {
        let strides = byte_strides(strides_in_elements, A::DTYPE.itemsize())?;
        Self::new(address, A::DTYPE, shape, &strides, read_only)
    }

    /// Address of element `[0, 0, ...]`.
    pub fn address(&self) -> usize {
        self.address
    }

    /// The pixel type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Whether Java must refuse writes.
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// The NumPy-order geometry.
    pub fn layout(&self) -> &StridedLayout {
        &self.layout
    }

    /// Number of pixels.
    pub fn len(&self) -> usize {
        self.layout.len()
    }

    /// Whether there are no pixels.
    pub fn is_empty(&self) -> bool {
        self.layout.is_empty()
    }

    /// ImgLib2-order dimensions: NumPy's shape reversed.
    pub fn imglib2_dimensions(&self) -> Vec<i64> {
        self.layout
            .shape()
            .iter()
            .rev()
            .map(|&n| n as i64)
            .collect()
    }

    /// ImgLib2-order strides in pixels: NumPy's byte strides reversed and divided by the item
    /// size (exact, as [`ImageDescriptor::new`] checked).
    pub fn imglib2_strides(&self) -> Vec<i64> {
        let itemsize = self.dtype.itemsize() as isize;
        self.layout
            .strides()
            .iter()
            .rev()
            .map(|&s| (s / itemsize) as i64)
            .collect()
    }

    /// The byte range reachable from the address, as `(lowest, one past the highest)` offsets;
    /// `(0, 0)` when empty. Negative strides reach below the address.
    pub fn extent(&self) -> (isize, isize) {
        self.layout.extent()
    }

    /// Whether the pixels are C-contiguous (an ImgLib2 `ArrayImg` can use them as they are).
    pub fn is_c_contiguous(&self) -> bool {
        self.layout.is_c_contiguous()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtype_table_matches_numpy() {
        for (ts, d, size) in [
            ("|b1", DType::Bool, 1),
            ("|u1", DType::U8, 1),
            ("|i1", DType::I8, 1),
            ("<u2", DType::U16, 2),
            ("<i2", DType::I16, 2),
            ("<u4", DType::U32, 4),
            ("<i4", DType::I32, 4),
            ("<u8", DType::U64, 8),
            ("=i8", DType::I64, 8),
            ("<f4", DType::F32, 4),
            ("<f8", DType::F64, 8),
            ("<c8", DType::C64, 8),
            ("<c16", DType::C128, 16),
        ] {
            assert_eq!(DType::from_typestr(ts).unwrap(), d, "{ts}");
            assert_eq!(d.itemsize(), size);
            assert_eq!(d.components() * d.access().size(), size);
            assert!(d.imglib2_type().starts_with("net.imglib2.type."));
        }
        assert_eq!(DType::C64.components(), 2);
        assert_eq!(
            DType::F32.imglib2_type(),
            "net.imglib2.type.numeric.real.FloatType"
        );
        assert_eq!(
            DType::U16.imglib2_type(),
            "net.imglib2.type.numeric.integer.UnsignedShortType"
        );
        let codes: Vec<i32> = DType::ALL.iter().map(|d| d.code()).collect();
        assert_eq!(codes, (0..13).collect::<Vec<_>>());
    }

    #[test]
    fn unsupported_dtypes_name_the_dtype_and_the_fix() {
        for (ts, needle) in [
            ("<f2", "astype(np.float32)"),
            ("|O8", "Python objects"),
            ("<U3", "strings"),
            ("|S5", "strings"),
            ("|V12", "structured"),
            (">f4", "newbyteorder"),
            ("<f16", "extended precision"),
            ("<c32", "astype(np.complex128)"),
            ("<M8[s]", "datetimes"),
            ("|O", "Python objects"),
            ("", "type string"),
        ] {
            let err = DType::from_typestr(ts).unwrap_err();
            let Error::TypeMismatch(text) = &err else {
                panic!("{ts}: {err:?}")
            };
            assert!(text.contains(needle), "{ts}: {text}");
        }
        // One byte has no byte order.
        assert_eq!(DType::from_typestr(">u1").unwrap(), DType::U8);
    }

    #[test]
    fn descriptors_convert_to_imglib2_order() {
        // arr[z=2, y=3, x=4] float32, C order.
        let d = ImageDescriptor::c_contiguous(0x1000, DType::F32, &[2, 3, 4], false).unwrap();
        assert_eq!(d.imglib2_dimensions(), [4, 3, 2]);
        assert_eq!(d.imglib2_strides(), [1, 4, 12]);
        assert!(d.is_c_contiguous());
        assert_eq!(d.len(), 24);
        // A transposed, reversed view: negative strides survive, in pixels.
        let t = ImageDescriptor::new(0x1000, DType::F64, &[4, 3], &[-8, 32], true).unwrap();
        assert_eq!(t.imglib2_strides(), [4, -1]);
        assert!(!t.is_c_contiguous() && t.read_only());
        assert_eq!(t.extent(), (-24, 72));
    }

    #[test]
    fn pixels_have_their_dtypes_size() {
        fn check<A: Pixel>(d: DType) {
            assert_eq!(A::DTYPE, d);
            assert_eq!(std::mem::size_of::<A>(), d.itemsize(), "{}", d.numpy_name());
        }
        check::<bool>(DType::Bool);
        check::<u8>(DType::U8);
        check::<i8>(DType::I8);
        check::<u16>(DType::U16);
        check::<i16>(DType::I16);
        check::<u32>(DType::U32);
        check::<i32>(DType::I32);
        check::<u64>(DType::U64);
        check::<i64>(DType::I64);
        check::<f32>(DType::F32);
        check::<f64>(DType::F64);
    }

    #[test]
    fn element_strides_become_byte_strides() {
        assert_eq!(byte_strides(&[12, 4, 1], 4).unwrap(), [48, 16, 4]);
        assert_eq!(byte_strides(&[-3, 0, 1], 8).unwrap(), [-24, 0, 8]);
        assert_eq!(byte_strides(&[], 2).unwrap(), [] as [isize; 0]);
        assert_eq!(byte_strides(&[isize::MIN], 1).unwrap(), [isize::MIN]);
        for bad in [isize::MAX / 2 + 1, isize::MIN / 2 - 1] {
            let err = byte_strides(&[1, bad], 2).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidArgument(t) if t.contains("axis 1")),
                "{err:?}"
            );
        }
    }

    #[cfg(feature = "ndarray")]
    #[test]
    fn ndarray_views_are_described_as_numpy_would() {
        use ndarray::{Array, Array2, arr0, s};

        // C order: float32 [2, 3, 4] has byte strides [48, 16, 4].
        let mut a = Array::from_shape_fn((2, 3, 4), |(z, y, x)| (z * 12 + y * 4 + x) as f32);
        let base = a.as_ptr() as usize;
        let d = ImageDescriptor::from_view(&a.view()).unwrap();
        assert_eq!(
            (d.address(), d.dtype(), d.read_only()),
            (base, DType::F32, true)
        );
        assert_eq!(d.layout().shape(), [2, 3, 4]);
        assert_eq!(d.layout().strides(), [48, 16, 4]);
        assert_eq!(
            (d.imglib2_dimensions(), d.imglib2_strides()),
            (vec![4, 3, 2], vec![1, 4, 12])
        );
        assert!(d.is_c_contiguous());
        let w = ImageDescriptor::from_view_mut(&mut a.view_mut()).unwrap();
        assert_eq!((w.address(), w.read_only()), (base, false));

        // Fortran order: the same memory with the axes reversed.
        let f = a.view().reversed_axes();
        let d = ImageDescriptor::from_view(&f).unwrap();
        assert_eq!((d.address(), d.layout().shape()), (base, &[4, 3, 2][..]));
        assert_eq!(d.layout().strides(), [4, 16, 48]);
        assert_eq!(d.imglib2_strides(), [12, 4, 1]);
        assert!(!d.is_c_contiguous());

        // Steps and a negative step: element [0, 0] is the last of row 0.
        let m = Array2::<u16>::zeros((4, 5));
        let v = m.slice(s![..;2, ..;-1]);
        let d = ImageDescriptor::from_view(&v).unwrap();
        assert_eq!(d.address(), m.as_ptr() as usize + 4 * 2);
        assert_eq!(d.layout().shape(), [2, 5]);
        assert_eq!(d.layout().strides(), [20, -2]);
        assert_eq!(d.imglib2_strides(), [-1, 10]);
        assert_eq!(d.extent(), (-8, 22));

        // 0-d: one pixel, no axes.
        let z = arr0(7i64);
        let d = ImageDescriptor::from_view(&z.view()).unwrap();
        assert_eq!((d.len(), d.layout().shape().len()), (1, 0));
        assert_eq!(d.address(), z.as_ptr() as usize);

        // Zero-size: no pixels, and ndarray's zero strides are kept.
        let e = Array2::<f64>::zeros((0, 3));
        let d = ImageDescriptor::from_view(&e.view()).unwrap();
        assert!(d.is_empty());
        assert_eq!(d.imglib2_dimensions(), [3, 0]);
        assert_eq!(d.extent(), (0, 0));

        // A broadcast view repeats one pixel with stride 0.
        let row = ndarray::arr1(&[true, false]);
        let b = row.broadcast((3, 2)).unwrap();
        let d = ImageDescriptor::from_view(&b).unwrap();
        assert_eq!(
            (d.dtype(), d.layout().strides()),
            (DType::Bool, &[0, 1][..])
        );
    }

    #[test]
    fn bad_layouts_are_refused() {
        let err = ImageDescriptor::new(0x1000, DType::I32, &[3], &[6], false).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument(t) if t.contains("not a multiple")),
            "{err:?}"
        );
        let shape = [1usize; 33];
        let strides = [4isize; 33];
        let err = ImageDescriptor::new(0x1000, DType::I32, &shape, &strides, false).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument(t) if t.contains("at most 32")),
            "{err:?}"
        );
        let err = ImageDescriptor::new(0x1000, DType::I32, &[2, 2], &[4], false).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)));
        let err = ImageDescriptor::new(0, DType::U8, &[2], &[1], false).unwrap_err();
        assert!(matches!(&err, Error::InvalidArgument(t) if t.contains("null")));
        // Empty and 0-d arrays are fine.
        assert!(
            ImageDescriptor::new(0, DType::U8, &[0, 5], &[5, 1], false)
                .unwrap()
                .is_empty()
        );
        let scalar = ImageDescriptor::new(0x1000, DType::U8, &[], &[], false).unwrap();
        assert_eq!((scalar.len(), scalar.imglib2_dimensions().len()), (1, 0));
        let err =
            ImageDescriptor::new(0x1000, DType::U64, &[usize::MAX / 4], &[8], false).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)));
    }
}
