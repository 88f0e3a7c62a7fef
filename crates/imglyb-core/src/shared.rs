//! Shared pixels: memory wrapped as ImgLib2 images ([`Jvm::wrap`]), images described as memory
//! ([`Jvm::describe`]), and images copied out ([`Jvm::copy_out`]).
//!
//! The Java side is `org.imglyb.Images` and `org.imglyb.Memory` (see `java/`). A wrapped block of
//! memory is one `Memory` object, held by every access of every image and view over it. The
//! caller's [`Owner`] waits in a table here under a `long` handle until a `Cleaner` finds the
//! `Memory` unreachable and calls `Memory.release0`; only then is the owner dropped, on the
//! cleaner's thread. Dropping must therefore never block on a lock the dropping thread could be
//! waiting for: the Python binding's owner is a reference whose decrement PyO3 defers until
//! the interpreter lock is next taken.
//!
//! Rust arrays ([`Jvm::wrap_array`], [`Jvm::wrap_shared_array`], with the `ndarray` feature)
//! are wrapped by moving them into the owner: a Rust borrow cannot outlive its scope, but Java
//! may keep an image for as long as it likes, so only an array Java itself keeps alive can be
//! shared safely. Moving an owned array does not move its heap buffer, so the pixels stay where
//! the descriptor says until the owner is dropped.

use std::collections::HashMap;
use std::ffi::c_void;
use std::panic::catch_unwind;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use jni::JNIEnv;
use jni::sys::{self, JNINativeMethod, jclass, jint, jlong, jobject};

use crate::bridge::{Bridge, check, class_for_name};
use crate::call::{Arg, Bytes, JObj, Value};
use crate::error::{Error, Result};
#[cfg(feature = "ndarray")]
use crate::image::Pixel;
use crate::image::{DType, ImageDescriptor};
use crate::jref::{JRef, jcall};
use crate::jvm::Jvm;
use crate::reflect::Prim;

const IMAGES_CLASS: &str = "org.imglyb.Images";
const MEMORY_CLASS: &str = "org.imglyb.Memory";

/// The Java type code of ARGB pixels (`Images.ARGB`); the other codes are [`DType::code`].
const ARGB_CODE: i64 = 13;

/// Keeps wrapped memory alive. It is dropped exactly once, on any thread, after Java can no
/// longer reach the memory (or right away when wrapping fails).
pub type Owner = Box<dyn Send>;

/// How ImgLib2 sees the pixels of wrapped memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixelType {
    /// The ImgLib2 type of the dtype ([`DType::imglib2_type`]).
    Dtype,
    /// `ARGBType`, over `uint32` or `int32` pixels.
    Argb,
}

/// An image as memory NumPy can view: what [`Jvm::describe`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedImage {
    /// The address of the pixel at the image's min.
    pub address: usize,
    /// The stored pixel type.
    pub dtype: DType,
    /// The image shows the pixels as `ARGBType`.
    pub argb: bool,
    /// NumPy-order shape.
    pub shape: Vec<usize>,
    /// NumPy-order strides in bytes.
    pub strides: Vec<isize>,
    /// Java refuses writes to this memory.
    pub read_only: bool,
}

/// The dtype and NumPy-order shape of an image to copy out: what [`Jvm::image_shape`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageShape {
    /// The pixel type of the copy.
    pub dtype: DType,
    /// The image's pixels are `ARGBType` (stored as `uint32`).
    pub argb: bool,
    /// NumPy-order shape.
    pub shape: Vec<usize>,
}

impl ImageShape {
    /// Bytes in a C-contiguous copy.
    pub fn bytes(&self) -> usize {
        self.shape.iter().product::<usize>() * self.dtype.itemsize()
    }
}

/// Owners waiting for Java to let go of their memory, by handle.
static OWNERS: LazyLock<Mutex<HashMap<i64, Owner>>> = LazyLock::new(Default::default);
static NEXT_HANDLE: AtomicI64 = AtomicI64::new(1);

fn hold(owner: Owner) -> i64 {
    let handle = NEXT_HANDLE.fetch_add(1, Ordering::Relaxed);
    OWNERS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(handle, owner);
    handle
}

/// Drops the owner of `handle`, if it is still held; releasing twice is harmless.
fn release(handle: i64) {
    let owner = OWNERS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&handle);
    // Dropped here, outside the lock.
    drop(owner);
}

/// How many owners Java still holds (for tests of lifetimes).
pub fn owners_held() -> usize {
    OWNERS.lock().unwrap_or_else(|p| p.into_inner()).len()
}

/// Binds `org.imglyb.Memory`'s native methods. Called once, when the bridge is loaded.
pub(crate) fn register_natives(env: &mut JNIEnv, bridge: &Bridge) -> Result<()> {
    let class = class_for_name(
        env,
        Some(bridge),
        MEMORY_CLASS,
        bridge.loader.as_obj(),
        false,
    )?;
    let methods = [
        JNINativeMethod {
            name: c"buffer0".as_ptr().cast_mut(),
            signature: c"(JI)Ljava/nio/ByteBuffer;".as_ptr().cast_mut(),
            fnPtr: buffer0 as *mut c_void,
        },
        JNINativeMethod {
            name: c"release0".as_ptr().cast_mut(),
            signature: c"(J)V".as_ptr().cast_mut(),
            fnPtr: release0 as *mut c_void,
        },
        JNINativeMethod {
            name: c"allocate0".as_ptr().cast_mut(),
            signature: c"(J)J".as_ptr().cast_mut(),
            fnPtr: allocate0 as *mut c_void,
        },
        JNINativeMethod {
            name: c"free0".as_ptr().cast_mut(),
            signature: c"(J)V".as_ptr().cast_mut(),
            fnPtr: free0 as *mut c_void,
        },
    ];
    let raw = crate::jref::RawEnv::from_jni(env);
    // SAFETY: `class` is a live local reference to org.imglyb.Memory, and each entry names a
    // native method Memory declares, with a function of the matching JNI signature; the strings
    // are static.
    let rc = unsafe {
        jcall!(
            raw,
            RegisterNatives,
            class.as_raw(),
            methods.as_ptr(),
            methods.len() as jint
        )
    };
    if rc != 0 {
        let r: jni::errors::Result<()> = Err(jni::errors::Error::JavaException);
        return check(env, Some(bridge), r);
    }
    env.delete_local_ref(class)?;
    Ok(())
}

extern "system" fn buffer0(
    env: *mut sys::JNIEnv,
    _class: jclass,
    address: jlong,
    capacity: jint,
) -> jobject {
    // SAFETY: the JVM passes this thread's env to a native method. Memory only asks for buffers
    // inside memory it was given (wrapped or allocated), which stays valid while that Memory,
    // and so any buffer it holds, is reachable.
    let renv = unsafe { crate::jref::RawEnv::from_raw(env) };
    // SAFETY: as above; NewDirectByteBuffer only records the address and capacity.
    unsafe {
        jcall!(
            renv,
            NewDirectByteBuffer,
            address as *mut c_void,
            jlong::from(capacity)
        )
    }
}

extern "system" fn release0(_env: *mut sys::JNIEnv, _class: jclass, handle: jlong) {
    let _ = catch_unwind(|| release(handle));
}

extern "system" fn allocate0(_env: *mut sys::JNIEnv, _class: jclass, bytes: jlong) -> jlong {
    let Ok(bytes) = usize::try_from(bytes) else {
        return 0;
    };
    // SAFETY: calloc has no preconditions; a null result is reported to Java as 0.
    unsafe { libc::calloc(bytes.max(1), 1) as jlong }
}

extern "system" fn free0(_env: *mut sys::JNIEnv, _class: jclass, address: jlong) {
    // SAFETY: Memory calls free0 once, from its Cleaner, with an address allocate0 returned.
    unsafe { libc::free(address as *mut c_void) };
}

fn long_array(values: impl IntoIterator<Item = i64>) -> Arg {
    Arg::PrimArray(
        Prim::Long,
        Bytes::Owned(values.into_iter().flat_map(i64::to_ne_bytes).collect()),
    )
}

impl Jvm {
    /// Calls the static method `name` of `org.imglyb.Images` (each has one overload).
    fn images_call(&self, name: &str, args: &[Arg]) -> Result<Value> {
        let class = self.class_info(IMAGES_CLASS)?;
        let method = class
            .methods
            .get(name)
            .and_then(|g| g.overloads.first())
            .ok_or_else(|| Error::Internal(format!("{IMAGES_CLASS}.{name} is missing")))?;
        self.invoke(method, None, args)
    }

    /// Reads a Java `long[]`.
    fn read_longs(&self, array: &JRef) -> Result<Vec<i64>> {
        let n = self.array_len(array)?;
        let mut bytes = vec![0u8; n * 8];
        self.array_copy_out(array, Prim::Long, &mut bytes)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| i64::from_ne_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }

    /// Wraps the memory `image` describes as an ImgLib2 `Img`, with no copy: an
    /// `org.imglyb.StridedImg` for every layout (imglyb's own cursors; ImgLib2's
    /// `PrimitiveBlocks` copies from it as from an `ArrayImg`).
    /// Java reads and writes the memory directly; writes to a read-only image throw in Java, and
    /// positions outside the memory throw `IndexOutOfBoundsException`.
    ///
    /// `owner` is dropped once Java can no longer reach the memory, on whatever thread notices
    /// that (a Java cleaner thread), or before this returns an error. A 0-d descriptor is refused
    /// with `InvalidArgument`: ImgLib2 images have at least one dimension.
    ///
    /// # Safety
    /// Every byte `image` reaches must stay valid (and, unless the descriptor is read-only,
    /// writable by Java) until `owner` is dropped, and nothing may free or move it before then.
    /// Meanwhile Java may read (and, unless read-only, write) it from any thread at any time, so
    /// Rust must not hold references to it that assume otherwise (a `&mut`, or a `&` while Java
    /// may write), and a `bool` image read back in Rust must hold only 0 and 1.
    ///
    /// Memory that the owner itself keeps alive (as below, or an `ndarray` array moved into it,
    /// which is what `Jvm::wrap_array` does) meets this for as long as Java needs it. Memory
    /// that is only borrowed does not: Java may keep the image after the borrow ends, so the
    /// caller must keep the memory alive and untouched until the owner is dropped, however long
    /// that takes. This is why `ndarray` views have no safe `wrap`.
    ///
    /// # Example
    /// Pixels given as raw parts; the `Vec` that holds them is the owner.
    /// ```
    /// use imglyb_core::{DType, ImageDescriptor, Jvm, JvmConfig, PixelType};
    ///
    /// # fn main() -> imglyb_core::Result<()> {
    /// let jvm = Jvm::start(&JvmConfig::from_env())?;
    /// let mut pixels: Vec<u16> = (0..12).collect();
    /// // NumPy shape [3, 4] in C order: byte strides [8, 2].
    /// let address = pixels.as_mut_ptr() as usize;
    /// let image = ImageDescriptor::new(address, DType::U16, &[3, 4], &[8, 2], false)?;
    /// // SAFETY: `image` reaches only the Vec's 12 pixels. Moving the Vec into the owner does not
    /// // move its heap buffer, and nothing else reaches the buffer until Java drops the owner.
    /// let img = unsafe { jvm.wrap(&image, PixelType::Dtype, Box::new(pixels)) }?;
    /// assert_eq!(img.class.name(), "org.imglyb.StridedImg");
    /// assert_eq!(jvm.describe(&img.obj)?.map(|d| d.address), Some(address));
    /// # Ok(())
    /// # }
    /// ```
    pub unsafe fn wrap(
        &self,
        image: &ImageDescriptor,
        pixels: PixelType,
        owner: Owner,
    ) -> Result<JObj> {
        let handle = hold(owner);
        let wrapped = self.wrap_held(image, pixels, handle);
        if wrapped.is_err() {
            // Java releases the handle itself when it saw it; releasing again is harmless.
            release(handle);
        }
        wrapped
    }

    /// Wraps an owned array as an ImgLib2 `Img` of its dtype that Java may read and write, with
    /// no copy; ImgLib2 dimension `d` is the array's axis `n - 1 - d`.
    ///
    /// Java owns the array from here on: it is dropped, on a Java cleaner thread, once no Java
    /// object reaches its pixels any more. Rust cannot see them meanwhile, which is what makes
    /// this safe; use [`Jvm::describe`] or [`Jvm::copy_out`] to read them back.
    ///
    /// The crate docs have an example, and `examples/wrap_array.rs` a longer one in which
    /// ImgLib2 writes into a wrapped `Array3<f32>`.
    #[cfg(feature = "ndarray")]
    pub fn wrap_array<A: Pixel, D: ndarray::Dimension + 'static>(
        &self,
        mut array: ndarray::Array<A, D>,
    ) -> Result<JObj> {
        let image = ImageDescriptor::from_view_mut(&mut array.view_mut())?;
        // SAFETY: `image` reaches only elements of `array`'s heap buffer, which moving `array`
        // into the owner does not move. The owner is the only way to the buffer from here on
        // and frees it when dropped, which `wrap` does only after Java can no longer reach the
        // memory; until then nothing in Rust reads or writes it.
        unsafe { self.wrap(&image, PixelType::Dtype, Box::new(array)) }
    }

    /// Wraps a shared array as a read-only ImgLib2 `Img` of its dtype, with no copy: Java's
    /// writes throw, and Rust keeps reading the array's other clones meanwhile.
    ///
    /// The clone passed in is dropped once no Java object reaches the pixels; until then the
    /// data is shared, so writing to another clone makes that clone copy it first (as
    /// `ArcArray` always does) and Java keeps seeing the pixels as they were.
    ///
    /// ```
    /// use imglyb_core::ndarray::{ArcArray, Array2};
    /// use imglyb_core::{Jvm, JvmConfig};
    ///
    /// # fn main() -> imglyb_core::Result<()> {
    /// let jvm = Jvm::start(&JvmConfig::from_env())?;
    /// let a: ArcArray<u8, _> = Array2::from_elem((2, 3), 7).into_shared();
    /// let img = jvm.wrap_shared_array(a.clone())?;
    /// let shared = jvm.describe(&img.obj)?.expect("a wrapped array");
    /// assert_eq!((shared.address, shared.read_only), (a.as_ptr() as usize, true));
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "ndarray")]
    pub fn wrap_shared_array<A: Pixel, D: ndarray::Dimension + 'static>(
        &self,
        array: ndarray::ArcArray<A, D>,
    ) -> Result<JObj> {
        let image = ImageDescriptor::from_view(&array.view())?;
        // SAFETY: `image` is read-only and reaches only elements of `array`'s shared buffer,
        // which the owner keeps alive and in place until Java can no longer reach it. While
        // the owner holds its clone the buffer is shared, so no other clone writes to it in
        // place, and Java refuses to.
        unsafe { self.wrap(&image, PixelType::Dtype, Box::new(array)) }
    }

    fn wrap_held(&self, image: &ImageDescriptor, pixels: PixelType, handle: i64) -> Result<JObj> {
        if image.layout().ndim() == 0 {
            return Err(Error::InvalidArgument(
                "a 0-d array has no axes for an ImgLib2 image; give it one axis of length 1 \
                 for a one-pixel image"
                    .into(),
            ));
        }
        let dtype = image.dtype();
        let code = match pixels {
            PixelType::Dtype => i64::from(dtype.code()),
            PixelType::Argb if matches!(dtype, DType::U32 | DType::I32) => ARGB_CODE,
            PixelType::Argb => {
                return Err(Error::TypeMismatch(format!(
                    "ARGB images need uint32 or int32 pixels (one packed 0xAARRGGBB value each), \
                     got {}; use arr.view(np.uint32) on 4-byte pixels, or to_imglib for other types",
                    dtype.numpy_name()
                )));
            }
        };
        let (lo, hi) = image.extent();
        let itemsize = dtype.itemsize() as isize;
        let base = image
            .address()
            .checked_add_signed(lo)
            .ok_or_else(|| Error::InvalidArgument("the array's memory wraps around".into()))?;
        let args = [
            Arg::Long(base as i64),
            Arg::Long((hi - lo) as i64),
            Arg::Int(code as i32),
            long_array(image.imglib2_dimensions()),
            long_array(image.imglib2_strides()),
            Arg::Long((-lo / itemsize) as i64),
            Arg::Bool(image.read_only()),
            Arg::Long(handle),
        ];
        match self.images_call("wrap", &args)? {
            Value::Object(o) => Ok(o),
            other => Err(Error::Internal(format!("Images.wrap returned {other:?}"))),
        }
    }

    /// Describes `image` as memory when NumPy can view it without a copy: an image imglyb
    /// wrapped or allocated (`org.imglyb.SharedImgFactory`), or a view over one whose transform
    /// is plain strides (`Views.interval`, `zeroMin`, `offset`, `permute`, `invertAxis`,
    /// `rotate`, `subsample`, `hyperSlice`). `None` for anything else.
    ///
    /// The memory stays valid while `image` (or anything else that reaches it) is alive in
    /// Java: hold a global reference for as long as the view is used. Java may write to it
    /// meanwhile (unless `read_only`), so reading it from Rust is `unsafe` and needs the caller
    /// to know that no Java thread writes at the same time.
    ///
    /// `examples/wrap_array.rs` reads a wrapped array back as an `ndarray` view through this.
    pub fn describe(&self, image: &Arc<JRef>) -> Result<Option<SharedImage>> {
        let array = match self.images_call("describe", &[Arg::Object(image.clone())])? {
            Value::Object(o) => o,
            Value::Null => return Ok(None),
            other => {
                return Err(Error::Internal(format!(
                    "Images.describe returned {other:?}"
                )));
            }
        };
        let v = self.read_longs(&array.obj)?;
        let bad = || Error::Internal(format!("Images.describe returned {v:?}"));
        let n = usize::try_from(*v.get(3).ok_or_else(bad)?).map_err(|_| bad())?;
        if v.len() != 4 + 2 * n {
            return Err(bad());
        }
        let (dtype, argb) = dtype_of_code(v[1]).ok_or_else(bad)?;
        Ok(Some(SharedImage {
            address: v[0] as usize,
            dtype,
            argb,
            shape: v[4..4 + n].iter().rev().map(|&d| d as usize).collect(),
            strides: v[4 + n..].iter().rev().map(|&s| s as isize).collect(),
            read_only: v[2] != 0,
        }))
    }

    /// The dtype and shape of a copy of `image` (any `RandomAccessibleInterval` whose pixel type
    /// has a NumPy dtype). Java's refusal becomes [`Error::TypeMismatch`].
    pub fn image_shape(&self, image: &Arc<JRef>) -> Result<ImageShape> {
        let array = match self.images_call("shape", &[Arg::Object(image.clone())]) {
            Ok(Value::Object(o)) => o,
            Ok(other) => return Err(Error::Internal(format!("Images.shape returned {other:?}"))),
            Err(Error::Java(t)) if t.class_name == "java.lang.IllegalArgumentException" => {
                return Err(Error::TypeMismatch(
                    t.message
                        .clone()
                        .unwrap_or_default()
                        .trim_start_matches("imglyb: ")
                        .to_owned(),
                ));
            }
            Err(e) => return Err(e),
        };
        let v = self.read_longs(&array.obj)?;
        let bad = || Error::Internal(format!("Images.shape returned {v:?}"));
        let n = usize::try_from(*v.get(1).ok_or_else(bad)?).map_err(|_| bad())?;
        if v.len() != 2 + n {
            return Err(bad());
        }
        let (dtype, argb) = dtype_of_code(v[0]).ok_or_else(bad)?;
        Ok(ImageShape {
            dtype,
            argb,
            shape: v[2..].iter().rev().map(|&d| d as usize).collect(),
        })
    }

    /// Copies `image` into C-contiguous memory of the dtype and shape [`Jvm::image_shape`]
    /// gave. A heap `ArrayImg` is one `memcpy` out of its Java array, in a JNI critical region;
    /// anything else is copied by ImgLib2 cursors in Java, straight into `dst`.
    ///
    /// # Safety
    /// `dst` must be valid for writes of `shape.bytes()` bytes for the duration of the call.
    ///
    /// # Example
    /// An image made in Java, `ArrayImgs.floats(new float[] {...}, 3, 2)`, called through
    /// [`Jvm::invoke`], has no memory to describe, so it is copied out.
    /// ```
    /// use imglyb_core::reflect::Prim;
    /// use imglyb_core::{Arg, Bytes, DType, Jvm, JvmConfig, Value};
    ///
    /// # fn main() -> imglyb_core::Result<()> {
    /// let jvm = Jvm::start(&JvmConfig::from_env())?;
    /// let array_imgs = jvm.class_info("net.imglib2.img.array.ArrayImgs")?;
    /// let floats = array_imgs.methods["floats"]
    ///     .overloads
    ///     .iter()
    ///     .find(|m| m.params.iter().map(|p| p.name.as_str()).eq(["[F", "[J"]))
    ///     .expect("ArrayImgs.floats(float[], long...)");
    /// let pixels: Vec<u8> = (0..6).flat_map(|v| (v as f32).to_ne_bytes()).collect();
    /// let dimensions: Vec<u8> = [3i64, 2].iter().flat_map(|d| d.to_ne_bytes()).collect();
    /// let args = [
    ///     Arg::PrimArray(Prim::Float, Bytes::Owned(pixels)),
    ///     Arg::PrimArray(Prim::Long, Bytes::Owned(dimensions)),
    /// ];
    /// let Value::Object(img) = jvm.invoke(floats, None, &args)? else {
    ///     panic!("ArrayImgs.floats returned no image");
    /// };
    /// assert!(jvm.describe(&img.obj)?.is_none()); // pixels on the Java heap
    ///
    /// let shape = jvm.image_shape(&img.obj)?;
    /// assert_eq!((shape.dtype, shape.shape.as_slice()), (DType::F32, &[2, 3][..]));
    /// let mut copy = vec![0f32; 6];
    /// // SAFETY: `copy` holds 6 floats, which is `shape.bytes()` bytes.
    /// unsafe { jvm.copy_out(&img.obj, &shape, copy.as_mut_ptr().cast())? };
    /// assert_eq!(copy, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    /// # Ok(())
    /// # }
    /// ```
    pub unsafe fn copy_out(
        &self,
        image: &Arc<JRef>,
        shape: &ImageShape,
        dst: *mut u8,
    ) -> Result<()> {
        let bytes = shape.bytes();
        if bytes == 0 {
            return Ok(());
        }
        let code = if shape.argb {
            ARGB_CODE
        } else {
            i64::from(shape.dtype.code())
        };
        let args = [
            Arg::Object(image.clone()),
            Arg::Long(dst as i64),
            Arg::Long(bytes as i64),
            Arg::Int(code as i32),
        ];
        match self.images_call("copyOut", &args)? {
            Value::Null => Ok(()),
            Value::Object(array) => {
                // SAFETY: the caller promised `bytes` writable bytes at `dst`.
                let dst = unsafe { std::slice::from_raw_parts_mut(dst, bytes) };
                self.array_copy_out(&array.obj, shape.dtype.access(), dst)
            }
            other => Err(Error::Internal(format!(
                "Images.copyOut returned {other:?}"
            ))),
        }
    }
}

#[cfg(feature = "ndarray")]
impl Jvm {
    /// Copies `image` (any ImgLib2 image whose pixel type has a dtype) into a new C-order
    /// array of `A` pixels, NumPy axis order (ImgLib2 dimension `d` is axis `n - 1 - d`): the
    /// safe way to read pixels back in Rust. `A` must be the image's dtype (`u32` for ARGB
    /// images), or the copy is refused with [`Error::TypeMismatch`]. As [`Jvm::copy_out`], a
    /// heap `ArrayImg` is one `memcpy` and anything else is copied by ImgLib2 cursors in Java.
    pub fn copy_to_array<A: Pixel>(&self, image: &Arc<JRef>) -> Result<ndarray::ArrayD<A>> {
        let shape = self.image_shape(image)?;
        if shape.dtype != A::DTYPE {
            return Err(Error::TypeMismatch(format!(
                "the image's pixels are {} ({}), not {}",
                shape.dtype.numpy_name(),
                if shape.argb {
                    "ARGBType"
                } else {
                    shape.dtype.imglib2_type()
                },
                A::DTYPE.numpy_name()
            )));
        }
        let n: usize = shape.shape.iter().product();
        let mut pixels: Vec<A> = Vec::with_capacity(n);
        // SAFETY: `pixels` has room for `n` elements of `A`, whose size is the dtype's item
        // size, so `shape.bytes()` bytes; nothing else touches the buffer during the call.
        unsafe { self.copy_out(image, &shape, pixels.as_mut_ptr().cast())? };
        if A::DTYPE == DType::Bool {
            // SAFETY: the first `n` bytes were just written; a Rust `bool` must be 0 or 1, so
            // any other byte a Java writer left is read as `true`.
            let bytes =
                unsafe { std::slice::from_raw_parts_mut(pixels.as_mut_ptr().cast::<u8>(), n) };
            for b in bytes {
                *b = u8::from(*b != 0);
            }
        }
        // SAFETY: `copy_out` succeeded, so Java wrote all `n` elements (every pixel of the
        // image), and for `bool` each byte is now 0 or 1: all are valid values of `A`.
        unsafe { pixels.set_len(n) };
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape.shape), pixels)
            .map_err(|e| Error::Internal(format!("copy_to_array: {e}")))
    }
}

fn dtype_of_code(code: i64) -> Option<(DType, bool)> {
    if code == ARGB_CODE {
        return Some((DType::U32, true));
    }
    DType::ALL
        .iter()
        .find(|d| i64::from(d.code()) == code)
        .map(|&d| (d, false))
}
