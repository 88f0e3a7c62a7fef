//! Shared pixels: memory wrapped as ImgLib2 images ([`Pixels::wrap`]), images described as
//! memory ([`Pixels::describe`]), and images copied out ([`Pixels::copy_out`]).
//!
//! The Java side is `org.imglyb.Images` and `org.imglyb.memory.Memory` (see `java/`). A wrapped block of
//! memory is one `Memory` object, held by every access of every image and view over it. The
//! caller's [`Owner`] waits in a table here under a `long` handle until a `Cleaner` finds the
//! `Memory` unreachable and calls `Memory.release0`; only then is the owner dropped, on the
//! cleaner's thread. Dropping must therefore never block on a lock the dropping thread could be
//! waiting for: the Python binding's owner is a reference whose decrement PyO3 defers until
//! the interpreter lock is next taken.
//!
//! Rust arrays ([`Pixels::wrap_array`], [`Pixels::wrap_shared_array`], with the `ndarray` feature)
//! are wrapped by moving them into the owner: a Rust borrow cannot outlive its scope, but Java
//! may keep an image for as long as it likes, so only an array Java itself keeps alive can be
//! shared safely. Moving an owned array does not move its heap buffer, so the pixels stay where
//! the descriptor says until the owner is dropped.

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock};

use jni::sys::{self, JNINativeMethod, jclass, jint, jlong, jobject, jsize, jvalue};

#[cfg(feature = "ndarray")]
use super::descriptor::Pixel;
use super::descriptor::{DType, ImageDescriptor};
use unsafe_access::StridedLayout;

use crate::jni::error::{Error, Result};
use crate::jni::natives;
use crate::jni::{FieldId, Frame, JRef, MethodId, RawEnv, jcall, with_prim};
use crate::runtime::Jvm;

const IMAGES_CLASS: &str = "org.imglyb.Images";
const MEMORY_CLASS: &str = "org.imglyb.memory.Memory";

/// The Java type code of ARGB pixels; the other codes are [`DType::code`].
const ARGB_CODE: i64 = crate::contract::ARGB as i64;

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

/// An image as memory NumPy can view: what [`Pixels::describe`] returns.
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

/// The dtype and NumPy-order shape of an image to copy out: what [`Pixels::image_shape`]
/// returns.
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
    /// Bytes in a C-contiguous copy, or `usize::MAX` when that would be more than `isize::MAX`
    /// (a view over a huge virtual interval), which no allocation can hold and
    /// [`Pixels::copy_out`] refuses.
    pub fn bytes(&self) -> usize {
        self.checked_bytes().unwrap_or(usize::MAX)
    }

    /// Bytes in a C-contiguous copy, or `None` when that would be more than `isize::MAX`.
    pub fn checked_bytes(&self) -> Option<usize> {
        if self.shape.contains(&0) {
            return Some(0); // empty, however large the other extents
        }
        self.shape
            .iter()
            .try_fold(self.dtype.itemsize(), |n, &d| n.checked_mul(d))
            .filter(|&n| isize::try_from(n).is_ok())
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

/// Binds `org.imglyb.memory.Memory`'s native methods to `class`.
fn register_natives(frame: &Frame, class: &JRef) -> Result<()> {
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
    // SAFETY: `class` is org.imglyb.memory.Memory, and each entry names a native method Memory
    // declares, with a function of the matching JNI signature; the strings are static.
    unsafe { natives::register(frame, class, &methods) }
}

extern "system" fn buffer0(
    env: *mut sys::JNIEnv,
    _class: jclass,
    address: jlong,
    capacity: jint,
) -> jobject {
    let body = |env: RawEnv| {
        // SAFETY: Memory only asks for buffers inside memory it was given (wrapped or
        // allocated), which stays valid while that Memory, and so any buffer it holds, is
        // reachable; NewDirectByteBuffer only records the address and capacity.
        Ok(unsafe {
            jcall!(
                env,
                NewDirectByteBuffer,
                address as *mut c_void,
                jlong::from(capacity)
            )
        })
    };
    // SAFETY: the JVM passes this thread's env to a native method.
    unsafe { natives::boundary(env, std::ptr::null_mut(), body) }
}

extern "system" fn release0(env: *mut sys::JNIEnv, _class: jclass, handle: jlong) {
    // SAFETY: the JVM passes this thread's env to a native method.
    unsafe {
        natives::boundary(env, (), |_| {
            release(handle);
            Ok(())
        })
    }
}

extern "system" fn allocate0(env: *mut sys::JNIEnv, _class: jclass, bytes: jlong) -> jlong {
    let body = |_| {
        let Ok(bytes) = usize::try_from(bytes) else {
            return Ok(0);
        };
        // SAFETY: calloc has no preconditions; a null result is reported to Java as 0.
        Ok(unsafe { libc::calloc(bytes.max(1), 1) as jlong })
    };
    // SAFETY: the JVM passes this thread's env to a native method.
    unsafe { natives::boundary(env, 0, body) }
}

extern "system" fn free0(env: *mut sys::JNIEnv, _class: jclass, address: jlong) {
    let body = |_| {
        // SAFETY: Memory calls free0 once, from its Cleaner, with an address allocate0 returned.
        unsafe { libc::free(address as *mut c_void) };
        Ok(())
    };
    // SAFETY: the JVM passes this thread's env to a native method.
    unsafe { natives::boundary(env, (), body) }
}

/// The pixels layer's Java side: `org.imglyb.Images`, called through method ids resolved once,
/// and `org.imglyb.memory.Memory`, whose native methods are bound here.
#[derive(Debug)]
pub struct Pixels {
    images: JRef,
    rai: JRef,
    class_name: MethodId,
    shared: SharedFields,
    shape_fields: ShapeFields,
    wrap: MethodId,
    describe: MethodId,
    shape: MethodId,
    copy_out: MethodId,
}

static PIXELS: OnceLock<Pixels> = OnceLock::new();

/// The static methods of `Images` this layer calls, with their JNI descriptors.
const WRAP_SIG: &std::ffi::CStr = c"(JJI[J[JJZJ)Lnet/imglib2/img/Img;";
const DESCRIBE_SIG: &std::ffi::CStr = c"(Ljava/lang/Object;)Lorg/imglyb/Images$Shared;";
const SHAPE_SIG: &std::ffi::CStr = c"(Ljava/lang/Object;)Lorg/imglyb/Images$Shape;";

/// Field ids of `Images.Shared`, what `Images.describe` returns.
#[derive(Debug)]
struct SharedFields {
    _class: JRef,
    address: FieldId,
    code: FieldId,
    read_only: FieldId,
    dims: FieldId,
    byte_strides: FieldId,
}

/// Field ids of `Images.Shape`, what `Images.shape` returns.
#[derive(Debug)]
struct ShapeFields {
    _class: JRef,
    code: FieldId,
    dims: FieldId,
}

const COPY_OUT_SIG: &std::ffi::CStr = c"(Ljava/lang/Object;JJI)Ljava/lang/Object;";

impl Pixels {
    /// The pixels layer over `jvm`, set up on first use: `Memory`'s natives are bound and the
    /// ids of `Images` resolved. [`Error::ImgLib2NotFound`] when the JVM has no ImgLib2.
    pub fn get(jvm: &Jvm) -> Result<&'static Pixels> {
        if let Some(p) = PIXELS.get() {
            return Ok(p);
        }
        if !jvm.imglib2_available() {
            return Err(Error::ImgLib2NotFound {
                classpath: jvm
                    .settings()
                    .classpath
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect(),
            });
        }
        static SETUP: Mutex<()> = Mutex::new(());
        let _guard = SETUP.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = PIXELS.get() {
            return Ok(p);
        }
        let mut frame = Frame::attach()?;
        let rai = jvm
            .loader()
            .class("net.imglib2.RandomAccessibleInterval", false)?;
        let class_class = frame.find_class(c"java/lang/Class")?;
        let get_name = frame.method_id(&class_class, c"getName", c"()Ljava/lang/String;")?;
        let memory = jvm.loader().class(MEMORY_CLASS, false)?;
        register_natives(&frame, &memory)?;
        let images = jvm.loader().class(IMAGES_CLASS, true)?;
        let id = |name: &std::ffi::CStr, sig: &std::ffi::CStr| {
            frame.static_method_id(&images, name, sig)
        };
        let shared_class = jvm.loader().class("org.imglyb.Images$Shared", false)?;
        let shared = SharedFields {
            address: frame.field_id(&shared_class, c"address", c"J")?,
            code: frame.field_id(&shared_class, c"code", c"I")?,
            read_only: frame.field_id(&shared_class, c"readOnly", c"Z")?,
            dims: frame.field_id(&shared_class, c"dims", c"[J")?,
            byte_strides: frame.field_id(&shared_class, c"byteStrides", c"[J")?,
            _class: shared_class,
        };
        let shape_class = jvm.loader().class("org.imglyb.Images$Shape", false)?;
        let shape_fields = ShapeFields {
            code: frame.field_id(&shape_class, c"code", c"I")?,
            dims: frame.field_id(&shape_class, c"dims", c"[J")?,
            _class: shape_class,
        };
        let pixels = Pixels {
            shared,
            shape_fields,
            rai,
            class_name: get_name,
            wrap: id(c"wrap", WRAP_SIG)?,
            describe: id(c"describe", DESCRIBE_SIG)?,
            shape: id(c"shape", SHAPE_SIG)?,
            copy_out: id(c"copyOut", COPY_OUT_SIG)?,
            images,
        };
        Ok(PIXELS.get_or_init(|| pixels))
    }

    /// `Ok` when `image` is an ImgLib2 image (a `net.imglib2.RandomAccessibleInterval`), else
    /// [`Error::TypeMismatch`] naming its class.
    pub fn check_image(&self, image: &JRef) -> Result<()> {
        let mut frame = Frame::attach()?;
        let env = frame.env();
        if env.instance_of(image.as_raw(), self.rai.as_raw()) {
            return Ok(());
        }
        // SAFETY: `image` is a live global reference.
        let class = unsafe { jcall!(env, GetObjectClass, image.as_raw()) };
        let class = frame.checked_local(class)?;
        // SAFETY: `class_name` is Class.getName(), called on a Class with no arguments.
        let name = unsafe {
            jcall!(
                env,
                CallObjectMethodA,
                class,
                self.class_name.raw(),
                std::ptr::null()
            )
        };
        let name = frame.checked_local(name)?;
        let name = crate::jni::strings::read_rust_string(env, name);
        Err(Error::TypeMismatch(format!(
            "the object is a {name}, not an ImgLib2 image (net.imglib2.RandomAccessibleInterval)"
        )))
    }

    /// The pixels layer, if it was set up.
    pub fn current() -> Option<&'static Pixels> {
        PIXELS.get()
    }

    /// Calls a static `Images` method returning an object: a local reference kept in `frame`.
    fn call_object(&self, frame: &mut Frame, id: MethodId, args: &[jvalue]) -> Result<jobject> {
        let env = frame.env();
        // SAFETY: `id` is one of the static methods of `images` resolved in `get`, and every
        // caller passes arguments of the types its descriptor (the *_SIG constants) names.
        let r = unsafe {
            jcall!(
                env,
                CallStaticObjectMethodA,
                self.images.as_raw(),
                id.raw(),
                args.as_ptr()
            )
        };
        frame.checked_local(r)
    }

    /// Wraps the memory `image` describes as an ImgLib2 `Img`, with no copy: an
    /// `org.imglyb.img.StridedImg` for every layout (imglyb's own cursors; ImgLib2's
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
    /// which is what `Pixels::wrap_array` does) meets this for as long as Java needs it. Memory
    /// that is only borrowed does not: Java may keep the image after the borrow ends, so the
    /// caller must keep the memory alive and untouched until the owner is dropped, however long
    /// that takes. This is why `ndarray` views have no safe `wrap`.
    ///
    /// # Example
    /// Pixels given as raw parts; the `Vec` that holds them is the owner.
    /// ```
    /// use imglyb_core::{DType, ImageDescriptor, Jvm, JvmConfig, PixelType, Pixels};
    ///
    /// # fn main() -> imglyb_core::Result<()> {
    /// let jvm = Jvm::start(&JvmConfig::from_env())?;
    /// let layer = Pixels::get(jvm)?;
    /// let mut pixels: Vec<u16> = (0..12).collect();
    /// // NumPy shape [3, 4] in C order: byte strides [8, 2].
    /// let address = pixels.as_mut_ptr() as usize;
    /// let image = ImageDescriptor::new(address, DType::U16, &[3, 4], &[8, 2], false)?;
    /// // SAFETY: `image` reaches only the Vec's 12 pixels. Moving the Vec into the owner does not
    /// // move its heap buffer, and nothing else reaches the buffer until Java drops the owner.
    /// let img = unsafe { layer.wrap(&image, PixelType::Dtype, Box::new(pixels)) }?;
    /// assert_eq!(layer.describe(&img)?.map(|d| d.address), Some(address));
    /// # Ok(())
    /// # }
    /// ```
    pub unsafe fn wrap(
        &self,
        image: &ImageDescriptor,
        pixels: PixelType,
        owner: Owner,
    ) -> Result<JRef> {
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
    /// this safe; use [`Pixels::describe`] or [`Pixels::copy_out`] to read them back.
    ///
    /// The crate docs have an example, and `examples/wrap_array.rs` a longer one in which
    /// ImgLib2 writes into a wrapped `Array3<f32>`.
    #[cfg(feature = "ndarray")]
    pub fn wrap_array<A: Pixel, D: ndarray::Dimension + 'static>(
        &self,
        mut array: ndarray::Array<A, D>,
    ) -> Result<JRef> {
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
    /// use imglyb_core::{Jvm, JvmConfig, Pixels};
    ///
    /// # fn main() -> imglyb_core::Result<()> {
    /// let pixels = Pixels::get(Jvm::start(&JvmConfig::from_env())?)?;
    /// let a: ArcArray<u8, _> = Array2::from_elem((2, 3), 7).into_shared();
    /// let img = pixels.wrap_shared_array(a.clone())?;
    /// let shared = pixels.describe(&img)?.expect("a wrapped array");
    /// assert_eq!((shared.address, shared.read_only), (a.as_ptr() as usize, true));
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "ndarray")]
    pub fn wrap_shared_array<A: Pixel, D: ndarray::Dimension + 'static>(
        &self,
        array: ndarray::ArcArray<A, D>,
    ) -> Result<JRef> {
        let image = ImageDescriptor::from_view(&array.view())?;
        // SAFETY: `image` is read-only and reaches only elements of `array`'s shared buffer,
        // which the owner keeps alive and in place until Java can no longer reach it. While
        // the owner holds its clone the buffer is shared, so no other clone writes to it in
        // place, and Java refuses to.
        unsafe { self.wrap(&image, PixelType::Dtype, Box::new(array)) }
    }

    fn wrap_held(&self, image: &ImageDescriptor, pixels: PixelType, handle: i64) -> Result<JRef> {
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
        let mut frame = Frame::attach()?;
        let dims = new_long_array(&mut frame, &image.imglib2_dimensions())?;
        let strides = new_long_array(&mut frame, &image.imglib2_strides())?;
        let args = [
            jvalue { j: base as i64 },
            jvalue {
                j: (hi - lo) as i64,
            },
            jvalue { i: code as i32 },
            jvalue { l: dims },
            jvalue { l: strides },
            jvalue {
                j: (-lo / itemsize) as i64,
            },
            jvalue {
                z: u8::from(image.read_only()),
            },
            jvalue { j: handle },
        ];
        let img = self.call_object(&mut frame, self.wrap, &args)?;
        if img.is_null() {
            return Err(Error::Internal("Images.wrap returned null".into()));
        }
        frame.global(img)
    }

    /// Describes `image` as memory when NumPy can view it without a copy: an image imglyb
    /// wrapped or allocated (`org.imglyb.img.SharedImgFactory`), or a view over one whose transform
    /// is plain strides (`Views.interval`, `zeroMin`, `offset`, `permute`, `invertAxis`,
    /// `rotate`, `subsample`, `hyperSlice`). `None` for anything else.
    ///
    /// The memory stays valid while `image` (or anything else that reaches it) is alive in
    /// Java: hold a global reference for as long as the view is used. Java may write to it
    /// meanwhile (unless `read_only`), so reading it from Rust is `unsafe` and needs the caller
    /// to know that no Java thread writes at the same time.
    ///
    /// `examples/wrap_array.rs` reads a wrapped array back as an `ndarray` view through this.
    pub fn describe(&self, image: &JRef) -> Result<Option<SharedImage>> {
        let mut frame = Frame::attach()?;
        let shared =
            self.call_object(&mut frame, self.describe, &[jvalue { l: image.as_raw() }])?;
        if shared.is_null() {
            return Ok(None);
        }
        let f = &self.shared;
        let env = frame.env();
        let bad = |what: &str| Error::Internal(format!("Images.describe returned {what}"));
        // SAFETY: `shared` is a live Images.Shared (the method's declared return type), and
        // each id below is a field of that class with the type read.
        let address = unsafe { jcall!(env, GetLongField, shared, f.address.raw()) };
        // SAFETY: as above.
        let code = unsafe { jcall!(env, GetIntField, shared, f.code.raw()) };
        // SAFETY: as above.
        let read_only = unsafe { jcall!(env, GetBooleanField, shared, f.read_only.raw()) };
        // SAFETY: `shared` is an Images.Shared, whose `dims` is a long[] field.
        let dims = unsafe { long_array_field(&mut frame, shared, f.dims) }?;
        // SAFETY: as above, for `byteStrides`.
        let strides = unsafe { long_array_field(&mut frame, shared, f.byte_strides) }?;
        let (dtype, argb) =
            dtype_of_code(i64::from(code)).ok_or_else(|| bad("an unknown type code"))?;
        if dims.len() != strides.len() {
            return Err(bad("dimensions and strides of different lengths"));
        }
        Ok(Some(SharedImage {
            address: address as usize,
            dtype,
            argb,
            shape: dims.iter().rev().map(|&d| d as usize).collect(),
            strides: strides.iter().rev().map(|&s| s as isize).collect(),
            read_only: read_only != 0,
        }))
    }

    /// The dtype and shape of a copy of `image` (any `RandomAccessibleInterval` whose pixel type
    /// has a NumPy dtype). Java's refusal becomes [`Error::TypeMismatch`].
    pub fn image_shape(&self, image: &JRef) -> Result<ImageShape> {
        let mut frame = Frame::attach()?;
        let shape = match self.call_object(&mut frame, self.shape, &[jvalue { l: image.as_raw() }])
        {
            Ok(shape) if !shape.is_null() => shape,
            Ok(_) => return Err(Error::Internal("Images.shape returned null".into())),
            // Java refuses the image: a type error, in Java's words.
            Err(Error::Java(t)) if t.class_name == "org.imglyb.memory.Refusal" => {
                return Err(Error::TypeMismatch(t.message.clone().unwrap_or_default()));
            }
            Err(e) => return Err(e),
        };
        let f = &self.shape_fields;
        // SAFETY: `shape` is a live Images.Shape and `code` its int field.
        let code = unsafe { jcall!(frame.env(), GetIntField, shape, f.code.raw()) };
        // SAFETY: `shape` is an Images.Shape, whose `dims` is a long[] field.
        let dims = unsafe { long_array_field(&mut frame, shape, f.dims) }?;
        let (dtype, argb) = dtype_of_code(i64::from(code))
            .ok_or_else(|| Error::Internal(format!("Images.shape returned type code {code}")))?;
        Ok(ImageShape {
            dtype,
            argb,
            shape: dims.iter().rev().map(|&d| d as usize).collect(),
        })
    }

    /// Copies `image` into C-contiguous memory of the dtype and shape [`Pixels::image_shape`]
    /// gave. A heap `ArrayImg` is one `memcpy` out of its Java array, in a JNI critical region;
    /// anything else is copied by ImgLib2 cursors in Java, straight into `dst`.
    ///
    /// # Safety
    /// `dst` must be valid for writes of `shape.bytes()` bytes for the duration of the call.
    ///
    /// # Example
    /// An image made in Java, `ArrayImgs.floats(new float[] {...}, 3, 2)`, called through the
    /// bridge layer (`Bridge::invoke`), has no memory to describe, so it is copied out.
    /// ```
    /// # #[cfg(feature = "bridge")]
    /// # fn main() -> imglyb_core::Result<()> {
    /// use imglyb_core::jni::Prim;
    /// use imglyb_core::{Arg, Bridge, Bytes, DType, Jvm, JvmConfig, Pixels, Value};
    ///
    /// let jvm = Jvm::start(&JvmConfig::from_env())?;
    /// let (bridge, layer) = (Bridge::get(jvm)?, Pixels::get(jvm)?);
    /// let array_imgs = bridge.class_info("net.imglib2.img.array.ArrayImgs")?;
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
    /// let Value::Object(img) = bridge.invoke(floats, None, &args)? else {
    ///     panic!("ArrayImgs.floats returned no image");
    /// };
    /// assert!(layer.describe(&img.obj)?.is_none()); // pixels on the Java heap
    ///
    /// let shape = layer.image_shape(&img.obj)?;
    /// assert_eq!((shape.dtype, shape.shape.as_slice()), (DType::F32, &[2, 3][..]));
    /// let mut copy = vec![0f32; 6];
    /// // SAFETY: `copy` holds 6 floats, which is `shape.bytes()` bytes.
    /// unsafe { layer.copy_out(&img.obj, &shape, copy.as_mut_ptr().cast())? };
    /// assert_eq!(copy, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "bridge"))]
    /// # fn main() {}
    /// ```
    pub unsafe fn copy_out(&self, image: &JRef, shape: &ImageShape, dst: *mut u8) -> Result<()> {
        let bytes = shape.checked_bytes().ok_or_else(|| too_big(shape))?;
        if bytes == 0 {
            return Ok(());
        }
        // Memory imglyb knows (a wrapped array, a strided view of one) is copied in Rust, one
        // memcpy per contiguous run, unless it overlaps `dst`.
        if let Some(shared) = self.describe(image)?
            && shared.dtype == shape.dtype
            && shared.argb == shape.argb
            && shared.shape == shape.shape
        {
            let itemsize = shape.dtype.itemsize();
            let src_layout = StridedLayout::new(&shared.shape, &shared.strides, itemsize)
                .map_err(|e| Error::Internal(format!("a described image's layout: {e}")))?;
            let dst_layout = StridedLayout::c_contiguous(&shape.shape, itemsize)
                .map_err(|e| Error::Internal(format!("a copy's layout: {e}")))?;
            let (lo, hi) = src_layout.extent();
            let src_start = shared.address as isize + lo;
            let src_end = shared.address as isize + hi;
            let dst_start = dst as isize;
            let dst_end = dst_start + bytes as isize;
            if src_end <= dst_start || dst_end <= src_start {
                // SAFETY: the image's memory is valid for its extent while `image` is alive,
                // which the caller's reference guarantees for the call; `dst` is writable for
                // `bytes` bytes (the C layout's extent), as promised; the two do not overlap
                // (checked above).
                return unsafe {
                    unsafe_access::copy_strided(
                        shared.address as *const u8,
                        &src_layout,
                        dst,
                        &dst_layout,
                    )
                }
                .map_err(|e| Error::Internal(format!("copying a described image: {e}")));
            }
        }
        let code = if shape.argb {
            ARGB_CODE
        } else {
            i64::from(shape.dtype.code())
        };
        let args = [
            jvalue { l: image.as_raw() },
            jvalue { j: dst as i64 },
            jvalue { j: bytes as i64 },
            jvalue { i: code as i32 },
        ];
        let mut frame = Frame::attach()?;
        let array = self.call_object(&mut frame, self.copy_out, &args)?;
        if array.is_null() {
            return Ok(());
        }
        // SAFETY: the caller promised `bytes` writable bytes at `dst`.
        let dst = unsafe { std::slice::from_raw_parts_mut(dst, bytes) };
        let env = frame.env();
        // SAFETY: Images.copyOut returns, when it does not copy itself, the heap array of an
        // ArrayImg of the image's dtype, so its element type is `shape.dtype.access()`; `dst`
        // holds exactly the image's pixels, and no JNI or host call happens inside the copy's
        // critical region.
        let copied = unsafe {
            with_prim!(shape.dtype.access(), T => unsafe_access::copy_bytes_from_java::<T>(env.raw(), array, dst))
        };
        copied.map_err(|e| {
            frame
                .check()
                .err()
                .unwrap_or_else(|| Error::InvalidArgument(e.to_string()))
        })
    }
}

#[cfg(feature = "ndarray")]
impl Pixels {
    /// Copies `image` (any ImgLib2 image whose pixel type has a dtype) into a new C-order
    /// array of `A` pixels, NumPy axis order (ImgLib2 dimension `d` is axis `n - 1 - d`): the
    /// safe way to read pixels back in Rust. `A` must be the image's dtype (`u32` for ARGB
    /// images), or the copy is refused with [`Error::TypeMismatch`]. As [`Pixels::copy_out`], a
    /// heap `ArrayImg` is one `memcpy` and anything else is copied by ImgLib2 cursors in Java.
    pub fn copy_to_array<A: Pixel>(&self, image: &JRef) -> Result<ndarray::ArrayD<A>> {
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
        let n = shape.checked_bytes().ok_or_else(|| too_big(&shape))? / A::DTYPE.itemsize();
        let mut pixels: Vec<A> = Vec::new();
        pixels.try_reserve_exact(n).map_err(|e| {
            Error::InvalidArgument(format!(
                "no memory for a copy of {} bytes: {e}",
                shape.bytes()
            ))
        })?;
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

/// The error for a copy larger than any allocation: an image whose pixels number more than
/// memory can address (a view over a huge virtual interval, say).
fn too_big(shape: &ImageShape) -> Error {
    Error::InvalidArgument(format!(
        "the image has {} pixels of {} bytes (shape {:?}), more than one copy in memory can hold",
        shape
            .shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .map_or_else(|| "over 2^64".to_string(), |n| n.to_string()),
        shape.dtype.itemsize(),
        shape.shape
    ))
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

/// A new Java `long[]` holding `values`, as a local reference kept in `frame`.
fn new_long_array(frame: &mut Frame, values: &[i64]) -> Result<jobject> {
    let len = jsize::try_from(values.len())
        .map_err(|_| Error::InvalidArgument("too many dimensions".into()))?;
    let env = frame.env();
    // SAFETY: NewLongArray may be called with any non-negative length.
    let array = unsafe { jcall!(env, NewLongArray, len) };
    let array = frame.checked_local(array)?;
    // SAFETY: `array` holds `len` longs and `values` provides as many.
    unsafe { jcall!(env, SetLongArrayRegion, array, 0, len, values.as_ptr()) };
    frame.check()?;
    Ok(array)
}

/// Reads the `long[]` field `id` of `obj`; a null field reads as empty.
///
/// # Safety
/// `obj` must be a live object whose class has the `long[]` field `id`.
unsafe fn long_array_field(frame: &mut Frame, obj: jobject, id: FieldId) -> Result<Vec<i64>> {
    // SAFETY: per the contract.
    let array = unsafe { frame.object_field(obj, id) }?;
    if array.is_null() {
        return Ok(Vec::new());
    }
    // SAFETY: `array` is a live long[] reference (the field's type).
    let len = unsafe { frame.array_len(array) };
    let mut out = vec![0i64; len];
    // SAFETY: `out` has room for the array's `len` longs.
    unsafe {
        jcall!(
            frame.env(),
            GetLongArrayRegion,
            array,
            0,
            len as i32,
            out.as_mut_ptr()
        )
    };
    frame.check()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(dtype: DType, dims: &[usize]) -> ImageShape {
        ImageShape {
            dtype,
            argb: false,
            shape: dims.to_vec(),
        }
    }

    #[test]
    fn copy_sizes_are_checked_never_wrapped() {
        assert_eq!(shape(DType::F32, &[2, 3]).checked_bytes(), Some(24));
        assert_eq!(shape(DType::U8, &[]).checked_bytes(), Some(1));
        // 2^32 x 2^32 bytes wraps to 0 in 64 bits: refused, and `bytes` can promise nothing.
        let huge = shape(DType::U8, &[1 << 32, 1 << 32]);
        assert_eq!(huge.checked_bytes(), None);
        assert_eq!(huge.bytes(), usize::MAX);
        // More than isize::MAX, which no allocation can hold.
        assert_eq!(shape(DType::U8, &[1 << 63]).checked_bytes(), None);
        assert_eq!(shape(DType::F64, &[1 << 60]).checked_bytes(), None);
        // Empty whatever the other extents.
        assert_eq!(
            shape(DType::F64, &[1 << 40, 1 << 40, 0]).checked_bytes(),
            Some(0)
        );
    }
}
