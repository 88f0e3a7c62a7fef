//! The safe API is sound whatever its arguments: every safe function of the bridge and pixels
//! layers, called with arguments of the wrong kind, a target of the wrong class, a forged class
//! or a malformed array, returns an `Error`. None of these may crash the JVM, and the session
//! runs with `-Xcheck:jni`, which would end the process on a JNI misuse.

#![cfg(feature = "bridge")]

use std::sync::Arc;

use imglyb_core::bridge::reflect::{ClassInfo, MethodInfo};
use imglyb_core::jni::Prim;
use imglyb_core::{Arg, Bytes, Error, JObj, Value};

mod common;
use common::{bridge, pixels};

fn class(name: &str) -> Arc<ClassInfo> {
    bridge().class_info(name).unwrap()
}

/// The overload of `class.name` whose parameter types are `params` (binary names).
fn method<'c>(class: &'c ClassInfo, name: &str, params: &[&str]) -> &'c MethodInfo {
    let group = if name == "<init>" {
        class.constructors.as_ref().expect("constructors")
    } else {
        &class.methods[name]
    };
    group
        .overloads
        .iter()
        .find(|m| {
            m.params
                .iter()
                .map(|p| p.name.as_str())
                .eq(params.iter().copied())
        })
        .unwrap_or_else(|| panic!("{}.{name}{params:?}", class.name()))
}

fn object(value: Value) -> JObj {
    match value {
        Value::Object(o) => o,
        other => panic!("not an object: {other:?}"),
    }
}

fn new_list() -> JObj {
    let list = class("java.util.ArrayList");
    object(
        bridge()
            .invoke(method(&list, "<init>", &[]), None, &[])
            .unwrap(),
    )
}

/// A `java.lang.String` as a `JObj` (strings come back as `Value::Str`, so make one through
/// `StringBuilder`, which is not converted).
fn string_object() -> JObj {
    let sb = class("java.lang.StringBuilder");
    object(
        bridge()
            .invoke(method(&sb, "<init>", &[]), None, &[])
            .unwrap(),
    )
}

#[track_caller]
fn assert_mismatch<T: std::fmt::Debug>(r: Result<T, Error>) {
    match r {
        Err(Error::TypeMismatch(_)) | Err(Error::InvalidArgument(_)) => {}
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_primitive_where_an_object_is_expected_is_refused() {
    let objects = class("java.util.Objects");
    let hash = method(&objects, "hashCode", &["java.lang.Object"]);
    assert_mismatch(bridge().invoke(hash, None, &[Arg::Int(3)]));
    assert_mismatch(bridge().invoke(hash, None, &[Arg::Double(3.0)]));
    // The right kind works.
    let v = bridge().invoke(hash, None, &[Arg::Null]).unwrap();
    assert!(matches!(v, Value::Int(0)), "{v:?}");
}

#[test]
fn an_object_or_another_primitive_where_a_primitive_is_expected_is_refused() {
    let math = class("java.lang.Math");
    let abs = method(&math, "abs", &["int"]);
    assert_mismatch(bridge().invoke(abs, None, &[Arg::Long(-3)]));
    assert_mismatch(bridge().invoke(abs, None, &[Arg::Null]));
    assert_mismatch(bridge().invoke(abs, None, &[Arg::Str(vec![b'x' as u16])]));
    assert_mismatch(bridge().invoke(abs, None, &[Arg::Boxed(Box::new(Arg::Int(-3)))]));
    let v = bridge().invoke(abs, None, &[Arg::Int(-3)]).unwrap();
    assert!(matches!(v, Value::Int(3)), "{v:?}");
}

#[test]
fn an_object_of_the_wrong_class_is_refused() {
    let collections = class("java.util.Collections");
    let unmodifiable = method(&collections, "unmodifiableList", &["java.util.List"]);
    let sb = string_object();
    assert_mismatch(bridge().invoke(unmodifiable, None, &[Arg::Object(sb.obj.clone())]));
    // A string is not a List either, nor a boxed int, nor a primitive array.
    assert_mismatch(bridge().invoke(unmodifiable, None, &[Arg::Str(vec![104, 105])]));
    assert_mismatch(bridge().invoke(unmodifiable, None, &[Arg::Boxed(Box::new(Arg::Int(1)))]));
    assert_mismatch(bridge().invoke(
        unmodifiable,
        None,
        &[Arg::PrimArray(Prim::Int, Bytes::Owned(vec![0; 8]))],
    ));
    let list = new_list();
    bridge()
        .invoke(unmodifiable, None, &[Arg::Object(list.obj.clone())])
        .unwrap();
    bridge()
        .invoke(unmodifiable, None, &[Arg::List(vec![])])
        .unwrap();
}

#[test]
fn wrong_arity_and_missing_or_foreign_targets_are_refused() {
    let list = class("java.util.ArrayList");
    let size = method(&list, "size", &[]);
    let add = method(&list, "add", &["java.lang.Object"]);
    assert_mismatch(bridge().invoke(add, Some(&new_list().obj), &[]));
    assert_mismatch(bridge().invoke(size, None, &[]));
    // A StringBuilder is not an ArrayList, whatever class a JObj claims for it.
    let sb = string_object();
    assert_mismatch(bridge().invoke(size, Some(&sb.obj), &[]));
    let forged = JObj {
        obj: sb.obj.clone(),
        class: list.clone(),
    };
    assert_mismatch(bridge().invoke(size, Some(&forged.obj), &[]));
    let v = bridge().invoke(size, Some(&new_list().obj), &[]).unwrap();
    assert!(matches!(v, Value::Int(0)), "{v:?}");
}

#[test]
fn unchecked_calls_still_take_the_same_path_when_the_arguments_are_right() {
    let math = class("java.lang.Math");
    let abs = method(&math, "abs", &["long"]);
    // SAFETY: one long for abs(long), a static method.
    let v = unsafe { bridge().invoke_unchecked(abs, None, &[Arg::Long(-7)]) }.unwrap();
    assert!(matches!(v, Value::Long(7)), "{v:?}");
}

#[test]
fn arrays_and_lists_refuse_primitives_as_elements() {
    let arrays = class("java.util.Arrays");
    let as_list = method(&arrays, "asList", &["[Ljava.lang.Object;"]);
    let object_type = as_list.params[0].component.clone().unwrap();
    assert_mismatch(bridge().invoke(
        as_list,
        None,
        &[Arg::ObjArray(object_type.clone(), vec![Arg::Int(1)])],
    ));
    // An object array needs a reference element type.
    let math = class("java.lang.Math");
    let int_type = method(&math, "abs", &["int"]).params[0].clone();
    assert_mismatch(bridge().invoke(as_list, None, &[Arg::ObjArray(int_type, vec![])]));
    let collections = class("java.util.Collections");
    let unmodifiable = method(&collections, "unmodifiableList", &["java.util.List"]);
    assert_mismatch(bridge().invoke(unmodifiable, None, &[Arg::List(vec![Arg::Long(1)])]));
    // Boxed, they are fine.
    let v = bridge()
        .invoke(
            as_list,
            None,
            &[Arg::ObjArray(
                object_type,
                vec![Arg::Boxed(Box::new(Arg::Int(1)))],
            )],
        )
        .unwrap();
    assert!(matches!(v, Value::Object(_)), "{v:?}");
    // Bytes that are not a whole number of elements.
    let sum = method(&arrays, "hashCode", &["[J"]);
    assert_mismatch(bridge().invoke(
        sum,
        None,
        &[Arg::PrimArray(Prim::Long, Bytes::Owned(vec![0; 12]))],
    ));
}

#[test]
fn fields_check_their_target_and_value() {
    let point_class = class("java.awt.Point");
    let point = object(
        bridge()
            .invoke(
                method(&point_class, "<init>", &["int", "int"]),
                None,
                &[Arg::Int(3), Arg::Int(4)],
            )
            .unwrap(),
    );
    let x = point_class.fields["x"].clone();
    let v = bridge().get_field(&x, Some(&point.obj)).unwrap();
    assert!(matches!(v, Value::Int(3)), "{v:?}");
    assert_mismatch(bridge().get_field(&x, None));
    assert_mismatch(bridge().get_field(&x, Some(&string_object().obj)));
    assert_mismatch(bridge().set_field(&x, Some(&string_object().obj), &Arg::Int(1)));
    assert_mismatch(bridge().set_field(&x, Some(&point.obj), &Arg::Long(1)));
    assert_mismatch(bridge().set_field(&x, Some(&point.obj), &Arg::Null));
    bridge()
        .set_field(&x, Some(&point.obj), &Arg::Int(9))
        .unwrap();
    let v = bridge().get_field(&x, Some(&point.obj)).unwrap();
    assert!(matches!(v, Value::Int(9)), "{v:?}");
    let max = class("java.lang.Integer").fields["MAX_VALUE"].clone();
    assert_mismatch(bridge().set_field(&max, None, &Arg::Int(1)));
}

#[test]
fn arrays_are_checked_once_then_typed() {
    let longs = object(
        bridge()
            .make(&Arg::PrimArray(
                Prim::Long,
                Bytes::Owned([5i64, 6, 7].iter().flat_map(|v| v.to_ne_bytes()).collect()),
            ))
            .unwrap(),
    );
    let array = bridge().array(&longs).unwrap();
    assert_eq!(bridge().array_len(&array).unwrap(), 3);
    assert!(matches!(
        bridge().array_get(&array, 2).unwrap(),
        Value::Long(7)
    ));
    assert!(matches!(
        bridge().array_get(&array, 3),
        Err(Error::Java(t)) if t.class_name == "java.lang.ArrayIndexOutOfBoundsException"
    ));
    assert_mismatch(bridge().array_set(&array, 0, &Arg::Int(1)));
    assert_mismatch(bridge().array_set(&array, 0, &Arg::Null));
    bridge().array_set(&array, 0, &Arg::Long(-1)).unwrap();
    let mut out = [0u8; 24];
    bridge().array_copy_out(&array, &mut out).unwrap();
    assert_eq!(i64::from_ne_bytes(out[..8].try_into().unwrap()), -1);
    // The destination must hold exactly the array.
    assert!(bridge().array_copy_out(&array, &mut [0u8; 16]).is_err());
    assert!(bridge().array_copy_out(&array, &mut [0u8; 32]).is_err());

    // Not an array, or an object paired with an array class it is not.
    assert_mismatch(bridge().array(&new_list()));
    let forged = JObj {
        obj: new_list().obj,
        class: longs.class.clone(),
    };
    assert_mismatch(bridge().array(&forged));
    let ints = class("[I");
    let forged = JObj {
        obj: longs.obj.clone(),
        class: ints,
    };
    assert_mismatch(bridge().array(&forged));

    // Object arrays: no memcpy, and elements must be objects.
    let strings = object(
        bridge()
            .new_object_array(&class("java.lang.String"), 2)
            .unwrap(),
    );
    let strings = bridge().array(&strings).unwrap();
    assert_mismatch(bridge().array_copy_out(&strings, &mut []));
    assert_mismatch(bridge().array_set(&strings, 0, &Arg::Int(1)));
    // An object of the wrong class is Java's ArrayStoreException, not a crash.
    let r = bridge().array_set(&strings, 0, &Arg::Object(new_list().obj));
    assert!(r.is_err(), "{r:?}");
}

#[test]
fn rethrow_refuses_a_forged_throwable() {
    let throwable = class("java.lang.RuntimeException");
    let forged = JObj {
        obj: new_list().obj,
        class: throwable,
    };
    assert_mismatch(bridge().rethrow(&forged));
}

#[test]
fn pixels_refuse_objects_that_are_not_images() {
    let list = new_list();
    assert_mismatch(pixels().check_image(&list.obj));
    assert_mismatch(pixels().image_shape(&list.obj));
    assert!(pixels().describe(&list.obj).unwrap().is_none());
}

#[test]
fn copy_out_of_shared_memory_is_a_strided_copy_and_survives_an_overlapping_destination() {
    use imglyb_core::{DType, ImageDescriptor, PixelType};
    // A 3 x 4 float image, seen through a view that reverses the rows.
    let mut buffer: Vec<f32> = (0..12).map(|v| v as f32).collect();
    let base = buffer.as_mut_ptr() as usize;
    let image = ImageDescriptor::new(base + 8 * 4, DType::F32, &[3, 4], &[-16, 4], false).unwrap();
    // SAFETY: the layout reaches only the Vec's 12 floats; the Vec moves into the owner, which
    // keeps its heap buffer in place until Java lets go.
    let img = unsafe { pixels().wrap(&image, PixelType::Dtype, Box::new(buffer)) }.unwrap();
    let shape = pixels().image_shape(&img).unwrap();
    let mut out = vec![0f32; 12];
    // SAFETY: `out` holds the 12 floats of the copy.
    unsafe { pixels().copy_out(&img, &shape, out.as_mut_ptr().cast()) }.unwrap();
    let expected: Vec<f32> = [8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]
        .map(|v| v as f32)
        .to_vec();
    assert_eq!(out, expected);
    // A destination inside the image's own memory is not copied over itself in Rust: Java's
    // cursor copy takes it, pixel by pixel, as before.
    let shared = pixels().describe(&img).unwrap().unwrap();
    let lowest = (shared.address - 8 * 4) as *mut u8;
    // SAFETY: the image's memory is alive (held by `img`) and 48 bytes long from `lowest`.
    unsafe { pixels().copy_out(&img, &shape, lowest) }.unwrap();
}

#[test]
fn bound_methods_check_their_target_once_and_their_arguments_on_every_call() {
    let list = class("java.util.ArrayList");
    let add = method(&list, "add", &["java.lang.Object"]);
    let size = method(&list, "size", &[]);
    let sb = string_object();
    assert_mismatch(bridge().bind(size, Some(sb.obj.clone())));
    assert_mismatch(bridge().bind(size, None));
    let target = new_list();
    let bound_add = bridge().bind(add, Some(target.obj.clone())).unwrap();
    let bound_size = bridge().bind(size, Some(target.obj.clone())).unwrap();
    for _ in 0..3 {
        bridge().call(&bound_add, &[Arg::Str(vec![104])]).unwrap();
    }
    assert_mismatch(bridge().call(&bound_add, &[Arg::Int(1)]));
    assert_mismatch(bridge().call(&bound_add, &[]));
    let v = bridge().call(&bound_size, &[]).unwrap();
    assert!(matches!(v, Value::Int(3)), "{v:?}");
    // A static method takes no target.
    let math = class("java.lang.Math");
    let abs = method(&math, "abs", &["int"]);
    assert_mismatch(bridge().bind(abs, Some(target.obj.clone())));
    let bound_abs = bridge().bind(abs, None).unwrap();
    assert!(matches!(
        bridge().call(&bound_abs, &[Arg::Int(-2)]).unwrap(),
        Value::Int(2)
    ));
}
