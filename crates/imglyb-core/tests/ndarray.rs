//! Rust `ndarray` arrays shared with ImgLib2, against a real JVM (`-Xcheck:jni`) and real
//! ImgLib2: pixel values read in Java at the reversed position, Java's writes seen in Rust,
//! read-only images refusing writes, and owners dropped once Java lets go.
//!
//! Every test in this binary shares one JVM, started once.

#![cfg(feature = "ndarray")]

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use imglyb_core::ndarray::{
    ArcArray, Array, ArrayView, ArrayViewMut, Axis, Dimension, Ix2, IxDyn, ShapeBuilder, arr0, s,
};
use imglyb_core::{Error, ImageDescriptor, JObj, JRef, Owner, Pixel, PixelType};
use jni::JNIEnv;
use jni::objects::{GlobalRef, JClass, JObject, JValue};
use jni::sys::jobject;

mod common;
use common::{bridge, pixels};

/// A wrapped image with its runtime class, for the Java-side checks below.
fn as_obj(img: Result<JRef, Error>) -> Result<JObj, Error> {
    img.and_then(|img| bridge().object(Arc::new(img)))
}

fn wrap_array<A: Pixel, D: Dimension + 'static>(a: Array<A, D>) -> Result<JObj, Error> {
    as_obj(pixels().wrap_array(a))
}

fn wrap_shared_array<A: Pixel, D: Dimension + 'static>(a: ArcArray<A, D>) -> Result<JObj, Error> {
    as_obj(pixels().wrap_shared_array(a))
}

/// [`imglyb_core::Pixels::wrap`], with the runtime class.
///
/// # Safety
/// As [`imglyb_core::Pixels::wrap`].
unsafe fn wrap(image: &ImageDescriptor, kind: PixelType, owner: Owner) -> Result<JObj, Error> {
    // SAFETY: as promised by the caller.
    as_obj(unsafe { pixels().wrap(image, kind, owner) })
}

/// A Java object held by a global reference.
trait Global {
    /// The global reference, live while `self` is.
    fn raw(&self) -> jobject;
}

impl Global for JObj {
    fn raw(&self) -> jobject {
        self.obj.as_raw()
    }
}

impl Global for GlobalRef {
    fn raw(&self) -> jobject {
        self.as_obj().as_raw()
    }
}

/// Runs `f` on `obj` in Java; a Java exception becomes [`Error::Java`].
fn java<R>(
    obj: &impl Global,
    f: impl FnOnce(&mut JNIEnv, &JObject) -> jni::errors::Result<R>,
) -> Result<R, Error> {
    common::with_env(|env| {
        // SAFETY: `obj.raw()` is a live global reference while `obj` is borrowed, and a
        // `JObject` deletes nothing when dropped.
        let target = unsafe { JObject::from_raw(obj.raw()) };
        let r = f(env, &target);
        common::check(env, r)
    })
}

/// The ImgLib2 pixel object of `img` at ImgLib2 position `pos`, through a `RandomAccess`.
fn pixel<'l>(env: &mut JNIEnv<'l>, img: &JObject, pos: &[i64]) -> jni::errors::Result<JObject<'l>> {
    let ra = env
        .call_method(img, "randomAccess", "()Lnet/imglib2/RandomAccess;", &[])?
        .l()?;
    let position = env.new_long_array(pos.len() as i32)?;
    env.set_long_array_region(&position, 0, pos)?;
    env.call_method(&ra, "setPosition", "([J)V", &[JValue::Object(&position)])?;
    env.call_method(&ra, "get", "()Ljava/lang/Object;", &[])?
        .l()
}

/// A pixel value as Java sees it: `getIntegerLong()` of integer types (raw bits for `uint64`),
/// `getRealDouble()` of real ones.
#[derive(Debug, Clone, Copy, PartialEq)]
enum JavaValue {
    Integer(i64),
    Real(f64),
}

/// Reads the pixel of `img` at ImgLib2 position `pos`, as a value of the kind of `like`.
fn java_read(img: &impl Global, pos: &[i64], like: JavaValue) -> Result<JavaValue, Error> {
    java(img, |env, img| {
        let p = pixel(env, img, pos)?;
        Ok(match like {
            JavaValue::Integer(_) => {
                JavaValue::Integer(env.call_method(&p, "getIntegerLong", "()J", &[])?.j()?)
            }
            JavaValue::Real(_) => {
                JavaValue::Real(env.call_method(&p, "getRealDouble", "()D", &[])?.d()?)
            }
        })
    })
}

/// Writes `value` into the pixel of `img` at ImgLib2 position `pos`.
fn java_write(img: &impl Global, pos: &[i64], value: JavaValue) -> Result<(), Error> {
    java(img, |env, img| {
        let p = pixel(env, img, pos)?;
        match value {
            JavaValue::Integer(v) => env.call_method(&p, "setInteger", "(J)V", &[JValue::Long(v)]),
            JavaValue::Real(v) => env.call_method(&p, "setReal", "(D)V", &[JValue::Double(v)]),
        }?;
        Ok(())
    })
}

/// `dimension(d)` for every `d`: the image's ImgLib2-order dimensions.
fn java_dimensions(img: &JObj) -> Vec<i64> {
    java(img, |env, img| {
        let n = env.call_method(img, "numDimensions", "()I", &[])?.i()?;
        (0..n)
            .map(|d| {
                env.call_method(img, "dimension", "(I)J", &[JValue::Int(d)])?
                    .j()
            })
            .collect()
    })
    .unwrap()
}

fn java_size(img: &JObj) -> i64 {
    java(img, |env, img| {
        env.call_method(img, "size", "()J", &[])?.j()
    })
    .unwrap()
}

/// Runs Java's garbage collector, then gives its cleaner thread a moment.
fn gc() {
    common::with_env(|env| {
        let r = env.call_static_method("java/lang/System", "gc", "()V", &[]);
        common::check(env, r.map(drop))
    })
    .unwrap();
    std::thread::sleep(Duration::from_millis(20));
}

/// Runs Java's garbage collector until `done()` holds, or fails after 30 s.
fn gc_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        gc();
    }
}

/// Element types under test, with values that reach their extremes.
trait Sample: Pixel + PartialEq + Debug {
    /// The `i`-th test value; 0 and 1 are the extremes, the rest differ from their neighbours.
    fn nth(i: usize) -> Self;
    /// The value as Java reads and writes it.
    fn java(self) -> JavaValue;
}

macro_rules! integer_samples {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            fn nth(i: usize) -> Self {
                match i {
                    0 => <$t>::MAX,
                    1 => <$t>::MIN,
                    _ => (i as $t).wrapping_mul(37).wrapping_add(3),
                }
            }
            fn java(self) -> JavaValue {
                // Unsigned pixels read as their value; uint64 as its bits.
                JavaValue::Integer(self as i64)
            }
        }
    )*};
}

integer_samples!(u8, i8, u16, i16, u32, i32, u64, i64);

macro_rules! real_samples {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            fn nth(i: usize) -> Self {
                match i {
                    0 => <$t>::MAX,
                    1 => <$t>::MIN,
                    _ => i as $t * 1.25 - 4.0,
                }
            }
            fn java(self) -> JavaValue {
                JavaValue::Real(f64::from(self))
            }
        }
    )*};
}

real_samples!(f32, f64);

impl Sample for bool {
    fn nth(i: usize) -> Self {
        i % 3 == 1
    }
    fn java(self) -> JavaValue {
        JavaValue::Integer(i64::from(self))
    }
}

/// Runs `$check::<T>()` for every element type.
macro_rules! for_every_pixel {
    ($check:ident) => {
        $check::<bool>();
        $check::<u8>();
        $check::<i8>();
        $check::<u16>();
        $check::<i16>();
        $check::<u32>();
        $check::<i32>();
        $check::<u64>();
        $check::<i64>();
        $check::<f32>();
        $check::<f64>();
    };
}

/// An array of `shape` whose pixel `k` in C order is `A::nth(k)`.
fn numbered<A: Sample>(shape: &[usize]) -> Array<A, IxDyn> {
    let n: usize = shape.iter().product();
    Array::from_shape_vec(IxDyn(shape), (0..n).map(A::nth).collect()).unwrap()
}

/// The ImgLib2 position of NumPy-order index `index`: the same numbers, reversed.
fn imglib2_position(index: &[usize]) -> Vec<i64> {
    index.iter().rev().map(|&i| i as i64).collect()
}

/// Asserts that Java reads every pixel of `img` as `expected` holds it, at the reversed position.
fn assert_java_sees<A: Sample, D: Dimension>(img: &JObj, expected: &ArrayView<A, D>) {
    let shape: Vec<i64> = expected.shape().iter().rev().map(|&n| n as i64).collect();
    assert_eq!(java_dimensions(img), shape, "{}", A::DTYPE.numpy_name());
    assert_eq!(java_size(img), expected.len() as i64);
    for (index, &value) in expected.indexed_iter() {
        let index = index.into_pattern_dyn();
        let pos = imglib2_position(&index);
        assert_eq!(
            java_read(img, &pos, value.java()).unwrap(),
            value.java(),
            "{} at NumPy index {index:?}",
            A::DTYPE.numpy_name()
        );
    }
}

/// `IntoDimension` patterns as a plain index, whatever `D` is.
trait DynIndex {
    fn into_pattern_dyn(self) -> Vec<usize>;
}

impl<P: imglyb_core::ndarray::IntoDimension> DynIndex for P {
    fn into_pattern_dyn(self) -> Vec<usize> {
        self.into_dimension().slice().to_vec()
    }
}

fn class_name(img: &JObj) -> &str {
    img.class.name()
}

#[test]
fn c_order_arrays_read_in_java_at_reversed_positions() {
    fn check<A: Sample>() {
        let a = numbered::<A>(&[2, 3, 4]);
        let expected = a.clone();
        let img = wrap_array(a).unwrap();
        assert_eq!(class_name(&img), "org.imglyb.img.StridedImg");
        assert_java_sees(&img, &expected.view());
        // Spot check of the axis convention: arr[1, 2, 3] is ImgLib2 (3, 2, 1).
        let last = java_read(&img, &[3, 2, 1], A::nth(0).java()).unwrap();
        assert_eq!(last, A::nth(23).java());
    }
    for_every_pixel!(check);
}

#[test]
fn fortran_order_arrays_read_in_java_at_reversed_positions() {
    fn check<A: Sample>() {
        // A Fortran-order array, and a C-order one with its axes reversed.
        let f = Array::from_shape_fn((3, 4).f(), |(y, x)| A::nth(4 * y + x));
        let expected = f.to_owned();
        assert!(f.t().is_standard_layout());
        let img = wrap_array(f).unwrap();
        assert_eq!(class_name(&img), "org.imglyb.img.StridedImg");
        assert_java_sees(&img, &expected.view());

        let t = numbered::<A>(&[2, 3, 4]).reversed_axes();
        let expected = t.clone();
        let img = wrap_array(t).unwrap();
        assert_java_sees(&img, &expected.view());
    }
    for_every_pixel!(check);
}

#[test]
fn steps_and_negative_steps_read_in_java_at_reversed_positions() {
    fn check<A: Sample>() {
        let a = numbered::<A>(&[5, 6]).into_dimensionality::<Ix2>().unwrap();
        let expected = a.slice(s![..;2, ..;-1]).to_owned();
        let img = wrap_array(a.clone().slice_move(s![..;2, ..;-1])).unwrap();
        assert_java_sees(&img, &expected.view());

        let expected = a.slice(s![1..;-2, 1..5;3]).to_owned();
        let shared: ArcArray<A, _> = a.into_shared();
        let img = wrap_shared_array(shared.slice_move(s![1..;-2, 1..5;3])).unwrap();
        assert_java_sees(&img, &expected.view());
    }
    for_every_pixel!(check);
}

#[test]
fn zero_d_and_zero_size_arrays_follow_numpy() {
    fn check<A: Sample>() {
        // 0-d: described as one pixel with no axes, which ImgLib2 images cannot have, so
        // wrapping it is refused before Java (dropping the owner); with one axis it wraps.
        let scalar = arr0(A::nth(0));
        let image = ImageDescriptor::from_view(&scalar.view()).unwrap();
        assert_eq!((image.len(), image.layout().ndim()), (1, 0));
        let err = wrap_array(scalar.clone()).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument(t) if t.contains("0-d")),
            "{err:?}"
        );
        let (owner, dropped) = flag();
        // SAFETY: `scalar` outlives the call, and the refused owner is dropped before it returns.
        let err = unsafe { wrap(&image, PixelType::Dtype, Box::new(owner)) }.unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)));
        assert!(dropped.load(Ordering::SeqCst));
        let img = wrap_array(scalar.insert_axis(Axis(0))).unwrap();
        assert_eq!((java_dimensions(&img), java_size(&img)), (vec![1], 1));
        assert_eq!(
            java_read(&img, &[0], A::nth(0).java()).unwrap(),
            A::nth(0).java()
        );
        // Zero-size: the dimensions survive, with no pixels.
        for shape in [[0, 3], [4, 0]] {
            let img = wrap_array(numbered::<A>(&shape)).unwrap();
            assert_eq!(java_dimensions(&img), [shape[1] as i64, shape[0] as i64]);
            assert_eq!(java_size(&img), 0);
        }
        let empty = numbered::<A>(&[3, 4])
            .into_shared()
            .slice_move(s![.., 2..2]);
        let img = wrap_shared_array(empty).unwrap();
        assert_eq!((java_dimensions(&img), java_size(&img)), (vec![0, 3], 0));
    }
    for_every_pixel!(check);
}

/// An owner that raises a flag when dropped.
struct Flag(Arc<AtomicBool>);

impl Drop for Flag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flag() -> (Flag, Arc<AtomicBool>) {
    let dropped = Arc::new(AtomicBool::new(false));
    (Flag(dropped.clone()), dropped)
}

#[test]
fn java_writes_reach_the_array() {
    fn check<A: Sample>() {
        let mut a = numbered::<A>(&[3, 4]);
        let mut expected = a.clone();
        let (owner, dropped) = flag();
        {
            let mut view: ArrayViewMut<A, Ix2> = a.slice_mut(s![.., ..;-2]);
            let image = ImageDescriptor::from_view_mut(&mut view).unwrap();
            assert!(!image.read_only());
            // SAFETY: `a` outlives the owner: the owner is dropped (awaited below) before `a`
            // is read or dropped, and Rust does not touch `a` while Java may write it.
            let img = unsafe { wrap(&image, PixelType::Dtype, Box::new(owner)) }.unwrap();
            assert_eq!(class_name(&img), "org.imglyb.img.StridedImg");
            // ImgLib2 (1, 2) is view[2, 1], which is a[2, 4 - 1 - 2 * 1] = a[2, 1].
            java_write(&img, &[1, 2], A::nth(1).java()).unwrap();
            // ImgLib2 (0, 0) is view[0, 0] = a[0, 3].
            java_write(&img, &[0, 0], A::nth(0).java()).unwrap();
            drop(img);
        }
        gc_until("the owner to drop", || dropped.load(Ordering::SeqCst));
        expected[[2, 1]] = A::nth(1);
        expected[[0, 3]] = A::nth(0);
        assert_eq!(a, expected, "{}", A::DTYPE.numpy_name());
    }
    for_every_pixel!(check);
}

#[test]
fn wrapped_arrays_are_shared_not_copied() {
    let a = Array::from_shape_fn((3, 5), |(y, x)| (10 * y + x) as i32);
    let address = a.as_ptr() as usize;
    let img = wrap_array(a).unwrap();
    java_write(&img, &[4, 2], JavaValue::Integer(-7)).unwrap();
    let shared = pixels()
        .describe(&img.obj)
        .unwrap()
        .expect("a shared image");
    assert_eq!(shared.address, address);
    assert_eq!(
        (shared.shape.as_slice(), shared.strides.as_slice()),
        (&[3, 5][..], &[20, 4][..])
    );
    assert!(!shared.read_only);
    // SAFETY: `img` keeps the array alive and Java wrote on this thread before `describe`
    // returned; nothing writes while these reads run.
    let (written, other) = unsafe {
        let p = address as *const i32;
        (p.add(2 * 5 + 4).read(), p.add(5 + 1).read())
    };
    assert_eq!((written, other), (-7, 11));
}

#[test]
fn read_only_images_refuse_java_writes() {
    fn check<A: Sample>() {
        let shared: ArcArray<A, Ix2> = numbered::<A>(&[4, 3])
            .into_dimensionality()
            .unwrap()
            .into_shared();
        let before = shared.to_owned();
        for (rows, img) in [
            (shared.view(), wrap_shared_array(shared.clone())),
            (
                shared.slice(s![..;-1, ..]),
                wrap_shared_array(shared.clone().slice_move(s![..;-1, ..])),
            ),
        ] {
            let img = img.unwrap();
            let err = java_write(&img, &[1, 1], A::nth(5).java()).unwrap_err();
            let Error::Java(t) = &err else {
                panic!("{err:?}")
            };
            assert_eq!(t.class_name, "java.lang.UnsupportedOperationException");
            // Reads still work: ImgLib2 (2, 0) is [0, 2].
            assert_eq!(
                java_read(&img, &[2, 0], A::nth(0).java()).unwrap(),
                rows[[0, 2]].java()
            );
        }
        assert_eq!(shared, before, "{}", A::DTYPE.numpy_name());

        // A read-only descriptor of a borrowed view, through the low-level path.
        let a = numbered::<A>(&[2, 2]);
        let (owner, dropped) = flag();
        let image = ImageDescriptor::from_view(&a.view()).unwrap();
        assert!(image.read_only());
        // SAFETY: `a` outlives the owner (awaited below), and Java only reads it.
        let img = unsafe { wrap(&image, PixelType::Dtype, Box::new(owner)) }.unwrap();
        let err = java_write(&img, &[0, 0], A::nth(3).java()).unwrap_err();
        assert!(
            matches!(&err, Error::Java(t) if t.class_name.ends_with("UnsupportedOperationException"))
        );
        drop(img);
        gc_until("the owner to drop", || dropped.load(Ordering::SeqCst));
        assert_eq!(a, numbered::<A>(&[2, 2]));
    }
    for_every_pixel!(check);
}

#[test]
fn owners_are_dropped_once_java_lets_go() {
    // An owner that holds the array itself, kept alive by a view of the image.
    let (flag, dropped) = flag();
    let mut owner = Box::new((
        Array::from_shape_fn((3, 4), |(y, x)| (y * 4 + x) as f64),
        flag,
    ));
    let image = ImageDescriptor::from_view_mut(&mut owner.0.view_mut()).unwrap();
    // SAFETY: the owner holds the array, so its buffer lives until the owner is dropped, and
    // nothing in Rust reaches the array after this.
    let img = unsafe { wrap(&image, PixelType::Dtype, owner) }.unwrap();
    let view = common::with_env(|env| {
        let class = common::load_class(env, "net.imglib2.view.Views")?;
        let class = JClass::from(class);
        // SAFETY: as in `java`.
        let img = unsafe { JObject::from_raw(img.obj.as_raw()) };
        let r = env.call_static_method(
            class,
            "hyperSlice",
            "(Lnet/imglib2/RandomAccessible;IJ)Lnet/imglib2/view/MixedTransformView;",
            &[JValue::Object(&img), JValue::Int(1), JValue::Long(2)],
        );
        let view = common::check(env, r.and_then(|v| v.l()))?;
        let global = env.new_global_ref(view);
        common::check(env, global)
    })
    .unwrap();
    drop(img);
    // The view still reaches the memory: Java keeps the owner however often it collects.
    for _ in 0..5 {
        gc();
    }
    assert!(!dropped.load(Ordering::SeqCst));
    // Row 2 of the array, x = 3: 2 * 4 + 3.
    assert_eq!(
        java_read(&view, &[3], JavaValue::Real(0.0)).unwrap(),
        JavaValue::Real(11.0)
    );
    drop(view);
    gc_until("the owner to drop", || dropped.load(Ordering::SeqCst));

    // A shared array's clone is dropped too: the array is unique again.
    let shared = ArcArray::from_elem((2, 2), 5u16);
    let img = wrap_shared_array(shared.clone()).unwrap();
    assert!(!shared.is_unique());
    drop(img);
    gc_until("the shared clone to drop", || shared.is_unique());
}

#[test]
fn bad_arrays_are_refused_before_java() {
    let deep = Array::<u8, _>::zeros(IxDyn(&[1; 33]));
    let err = wrap_array(deep).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(t) if t.contains("at most 32")),
        "{err:?}"
    );
}

#[test]
fn copies_come_back_as_arrays_for_images_and_views() {
    let a = Array::from_shape_fn((3, 4, 5), |(z, y, x)| (100 * z + 10 * y + x) as f32);
    let expected = a.clone().into_dyn();
    let img = wrap_array(a.clone()).unwrap();
    assert_eq!(pixels().copy_to_array::<f32>(&img.obj).unwrap(), expected);
    // A strided (every other column, reversed rows) array copies as its own values.
    let strided = a.slice(s![.., ..;-1, ..;2]).to_owned();
    let img2 = wrap_shared_array(a.clone().into_shared().slice_move(s![.., ..;-1, ..;2])).unwrap();
    assert_eq!(
        pixels().copy_to_array::<f32>(&img2.obj).unwrap(),
        strided.into_dyn()
    );
    // A view made through the jni crate (Views.rotate) reaches copy_to_array through JRef::new.
    let rotated = common::with_env(|env| {
        let views = env.find_class("net/imglib2/view/Views")?;
        // SAFETY: `img.obj` is a live global reference; this JObject deletes nothing.
        let target = unsafe { JObject::from_raw(img.obj.as_raw()) };
        let view = env
            .call_static_method(
                views,
                "rotate",
                "(Lnet/imglib2/RandomAccessibleInterval;II)Lnet/imglib2/view/IntervalView;",
                &[JValue::Object(&target), JValue::Int(0), JValue::Int(2)],
            )?
            .l()?;
        // SAFETY: `view` is a live local reference of this thread.
        Ok(unsafe { imglyb_core::JRef::new(view.as_raw()) }?.expect("a view"))
    })
    .unwrap();
    let rotated = pixels().copy_to_array::<f32>(&Arc::new(rotated)).unwrap();
    // rotate(0, 2) shows source z = -x' and x = z', so from the view's min on
    // rotated[k, j, i] = a[2 - i, j, k]: the axes reversed, then the last one flipped.
    let want = a
        .view()
        .permuted_axes([2, 1, 0])
        .slice_move(s![.., .., ..;-1])
        .to_owned();
    assert_eq!(rotated, want.into_dyn());
    // The wrong element type is refused, naming both.
    match pixels().copy_to_array::<f64>(&img.obj) {
        Err(Error::TypeMismatch(m)) => {
            assert!(m.contains("float32") && m.contains("float64"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    // bool arrays come back as bool.
    let flags = Array::from_shape_fn((2, 3), |(y, x)| (x + y) % 2 == 0);
    let img3 = wrap_array(flags.clone()).unwrap();
    assert_eq!(
        pixels().copy_to_array::<bool>(&img3.obj).unwrap(),
        flags.into_dyn()
    );
}
