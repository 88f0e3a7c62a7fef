//! Java's primitive types: one table ([`Prim`]) of names, descriptor letters, sizes and boxes,
//! and [`with_prim!`], which runs code with the Rust type of a primitive, so the layers above
//! write one generic body instead of an eight-way `match`; [`JavaValue`] gives each Rust type
//! its JNI functions.

use ::jni::sys::{jfieldID, jmethodID, jobject, jsize, jvalue};

use super::env::{RawEnv, jcall};

/// A Java primitive type (or `void`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prim {
    /// `boolean`
    Boolean,
    /// `byte`
    Byte,
    /// `char`
    Char,
    /// `short`
    Short,
    /// `int`
    Int,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `void`, only as a return type.
    Void,
}

impl Prim {
    /// The eight value types, in JNI's order (`void` excluded).
    pub const VALUES: [Prim; 8] = [
        Prim::Boolean,
        Prim::Byte,
        Prim::Char,
        Prim::Short,
        Prim::Int,
        Prim::Long,
        Prim::Float,
        Prim::Double,
    ];

    /// From a JNI descriptor letter (`Z`, `B`, `C`, `S`, `I`, `J`, `F`, `D`, `V`).
    pub fn from_code(code: char) -> Option<Prim> {
        Self::VALUES
            .into_iter()
            .chain([Prim::Void])
            .find(|p| p.code() == code)
    }

    /// The JNI descriptor letter: `J` for `long`, `V` for `void`.
    pub fn code(self) -> char {
        match self {
            Prim::Boolean => 'Z',
            Prim::Byte => 'B',
            Prim::Char => 'C',
            Prim::Short => 'S',
            Prim::Int => 'I',
            Prim::Long => 'J',
            Prim::Float => 'F',
            Prim::Double => 'D',
            Prim::Void => 'V',
        }
    }

    /// From the Java name (`"long"`, `"double"`, ...).
    pub fn from_name(name: &str) -> Option<Prim> {
        Some(match name {
            "boolean" => Prim::Boolean,
            "byte" => Prim::Byte,
            "char" => Prim::Char,
            "short" => Prim::Short,
            "int" => Prim::Int,
            "long" => Prim::Long,
            "float" => Prim::Float,
            "double" => Prim::Double,
            _ => return None,
        })
    }

    /// The Java name.
    pub fn name(self) -> &'static str {
        match self {
            Prim::Boolean => "boolean",
            Prim::Byte => "byte",
            Prim::Char => "char",
            Prim::Short => "short",
            Prim::Int => "int",
            Prim::Long => "long",
            Prim::Float => "float",
            Prim::Double => "double",
            Prim::Void => "void",
        }
    }

    /// The size of one value in a Java array, in bytes.
    pub fn size(self) -> usize {
        match self {
            Prim::Boolean | Prim::Byte => 1,
            Prim::Char | Prim::Short => 2,
            Prim::Int | Prim::Float => 4,
            Prim::Long | Prim::Double => 8,
            Prim::Void => 0,
        }
    }

    /// Rank for "the widest wins": larger is wider. Boolean and void rank lowest.
    pub fn width_rank(self) -> u8 {
        match self {
            Prim::Boolean | Prim::Void => 0,
            Prim::Byte => 1,
            Prim::Short | Prim::Char => 2,
            Prim::Int => 3,
            Prim::Long => 4,
            Prim::Float => 5,
            Prim::Double => 6,
        }
    }

    /// The `java.lang` box of this primitive, as a binary name.
    pub fn box_name(self) -> &'static str {
        match self {
            Prim::Boolean => "java.lang.Boolean",
            Prim::Byte => "java.lang.Byte",
            Prim::Char => "java.lang.Character",
            Prim::Short => "java.lang.Short",
            Prim::Int => "java.lang.Integer",
            Prim::Long => "java.lang.Long",
            Prim::Float => "java.lang.Float",
            Prim::Double => "java.lang.Double",
            Prim::Void => "java.lang.Void",
        }
    }

    /// The primitive a `java.lang` box holds, from the box's binary name.
    pub fn from_box_name(name: &str) -> Option<Prim> {
        Self::VALUES.into_iter().find(|p| p.box_name() == name)
    }
}

/// Runs `$body` with `T` bound to the Rust type of a Java primitive.
macro_rules! with_prim {
    ($prim:expr, $t:ident => $body:expr) => {
        match $prim {
            $crate::jni::Prim::Boolean => {
                type $t = u8;
                $body
            }
            $crate::jni::Prim::Byte => {
                type $t = i8;
                $body
            }
            $crate::jni::Prim::Char => {
                type $t = u16;
                $body
            }
            $crate::jni::Prim::Short => {
                type $t = i16;
                $body
            }
            $crate::jni::Prim::Int => {
                type $t = i32;
                $body
            }
            $crate::jni::Prim::Long => {
                type $t = i64;
                $body
            }
            $crate::jni::Prim::Float => {
                type $t = f32;
                $body
            }
            $crate::jni::Prim::Double | $crate::jni::Prim::Void => {
                type $t = f64;
                $body
            }
        }
    };
}
pub(crate) use with_prim;

/// The JNI functions of one primitive type, so code above is written once for all eight (with
/// [`with_prim!`]) instead of as an eight-way `match` of function names. Implemented for the
/// Rust types of Java's primitives: `u8` (`boolean`), `i8`, `u16` (`char`), `i16`, `i32`, `i64`,
/// `f32`, `f64`.
///
/// Every function is `unsafe`: the references and ids must be live and of this type, as JNI
/// demands of the function it names.
#[cfg_attr(not(feature = "bridge"), allow(dead_code))]
pub(crate) trait JavaValue: Copy + Default + sealed::Sealed {
    /// `CallStatic<Type>MethodA`.
    ///
    /// # Safety
    /// `id` is a static method of `class` returning this type; `args` holds its arguments.
    unsafe fn call_static(env: RawEnv, class: jobject, id: jmethodID, args: *const jvalue) -> Self;
    /// `Call<Type>MethodA`.
    ///
    /// # Safety
    /// `id` is an instance method of `obj`'s class returning this type; `args` as above.
    unsafe fn call(env: RawEnv, obj: jobject, id: jmethodID, args: *const jvalue) -> Self;
    /// `GetStatic<Type>Field`.
    ///
    /// # Safety
    /// `id` is a static field of `class` of this type.
    unsafe fn get_static_field(env: RawEnv, class: jobject, id: jfieldID) -> Self;
    /// `Get<Type>Field`.
    ///
    /// # Safety
    /// `id` is a field of `obj`'s class of this type.
    unsafe fn get_field(env: RawEnv, obj: jobject, id: jfieldID) -> Self;
    /// `SetStatic<Type>Field`.
    ///
    /// # Safety
    /// As `get_static_field`, and the field is not final.
    unsafe fn set_static_field(env: RawEnv, class: jobject, id: jfieldID, v: Self);
    /// `Set<Type>Field`.
    ///
    /// # Safety
    /// As `get_field`, and the field is not final.
    unsafe fn set_field(env: RawEnv, obj: jobject, id: jfieldID, v: Self);
    /// `Get<Type>ArrayRegion` of one element.
    ///
    /// # Safety
    /// `array` is a live array of this element type (Java checks the index).
    unsafe fn get_element(env: RawEnv, array: jobject, i: jsize) -> Self;
    /// `Set<Type>ArrayRegion` of one element.
    ///
    /// # Safety
    /// As `get_element`.
    unsafe fn set_element(env: RawEnv, array: jobject, i: jsize, v: Self);
    /// `New<Type>Array`.
    ///
    /// # Safety
    /// `len` is not negative.
    unsafe fn new_array(env: RawEnv, len: jsize) -> jobject;
    /// This type's member of a `jvalue`.
    ///
    /// # Safety
    /// `v` was written through this member.
    unsafe fn from_jvalue(v: jvalue) -> Self;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! java_value {
    ($t:ty, $member:ident, $call_static:ident, $call:ident, $get_static:ident, $get:ident,
     $set_static:ident, $set:ident, $get_region:ident, $set_region:ident, $new:ident) => {
        impl sealed::Sealed for $t {}
        impl JavaValue for $t {
            unsafe fn call_static(
                env: RawEnv,
                class: jobject,
                id: jmethodID,
                args: *const jvalue,
            ) -> Self {
                // SAFETY: per the trait's contract.
                unsafe { jcall!(env, $call_static, class, id, args) }
            }
            unsafe fn call(env: RawEnv, obj: jobject, id: jmethodID, args: *const jvalue) -> Self {
                // SAFETY: per the trait's contract.
                unsafe { jcall!(env, $call, obj, id, args) }
            }
            unsafe fn get_static_field(env: RawEnv, class: jobject, id: jfieldID) -> Self {
                // SAFETY: per the trait's contract.
                unsafe { jcall!(env, $get_static, class, id) }
            }
            unsafe fn get_field(env: RawEnv, obj: jobject, id: jfieldID) -> Self {
                // SAFETY: per the trait's contract.
                unsafe { jcall!(env, $get, obj, id) }
            }
            unsafe fn set_static_field(env: RawEnv, class: jobject, id: jfieldID, v: Self) {
                // SAFETY: per the trait's contract.
                unsafe { jcall!(env, $set_static, class, id, v) }
            }
            unsafe fn set_field(env: RawEnv, obj: jobject, id: jfieldID, v: Self) {
                // SAFETY: per the trait's contract.
                unsafe { jcall!(env, $set, obj, id, v) }
            }
            unsafe fn get_element(env: RawEnv, array: jobject, i: jsize) -> Self {
                let mut v = Self::default();
                // SAFETY: per the trait's contract; one element is copied into `v` (or Java
                // throws for a bad index and copies nothing).
                unsafe { jcall!(env, $get_region, array, i, 1, &mut v) };
                v
            }
            unsafe fn set_element(env: RawEnv, array: jobject, i: jsize, v: Self) {
                // SAFETY: per the trait's contract; one element is copied from `v`.
                unsafe { jcall!(env, $set_region, array, i, 1, &v) }
            }
            unsafe fn new_array(env: RawEnv, len: jsize) -> jobject {
                // SAFETY: per the trait's contract.
                unsafe { jcall!(env, $new, len) }
            }
            unsafe fn from_jvalue(v: jvalue) -> Self {
                // SAFETY: per the trait's contract.
                unsafe { v.$member }
            }
        }
    };
}

java_value!(
    u8,
    z,
    CallStaticBooleanMethodA,
    CallBooleanMethodA,
    GetStaticBooleanField,
    GetBooleanField,
    SetStaticBooleanField,
    SetBooleanField,
    GetBooleanArrayRegion,
    SetBooleanArrayRegion,
    NewBooleanArray
);
java_value!(
    i8,
    b,
    CallStaticByteMethodA,
    CallByteMethodA,
    GetStaticByteField,
    GetByteField,
    SetStaticByteField,
    SetByteField,
    GetByteArrayRegion,
    SetByteArrayRegion,
    NewByteArray
);
java_value!(
    u16,
    c,
    CallStaticCharMethodA,
    CallCharMethodA,
    GetStaticCharField,
    GetCharField,
    SetStaticCharField,
    SetCharField,
    GetCharArrayRegion,
    SetCharArrayRegion,
    NewCharArray
);
java_value!(
    i16,
    s,
    CallStaticShortMethodA,
    CallShortMethodA,
    GetStaticShortField,
    GetShortField,
    SetStaticShortField,
    SetShortField,
    GetShortArrayRegion,
    SetShortArrayRegion,
    NewShortArray
);
java_value!(
    i32,
    i,
    CallStaticIntMethodA,
    CallIntMethodA,
    GetStaticIntField,
    GetIntField,
    SetStaticIntField,
    SetIntField,
    GetIntArrayRegion,
    SetIntArrayRegion,
    NewIntArray
);
java_value!(
    i64,
    j,
    CallStaticLongMethodA,
    CallLongMethodA,
    GetStaticLongField,
    GetLongField,
    SetStaticLongField,
    SetLongField,
    GetLongArrayRegion,
    SetLongArrayRegion,
    NewLongArray
);
java_value!(
    f32,
    f,
    CallStaticFloatMethodA,
    CallFloatMethodA,
    GetStaticFloatField,
    GetFloatField,
    SetStaticFloatField,
    SetFloatField,
    GetFloatArrayRegion,
    SetFloatArrayRegion,
    NewFloatArray
);
java_value!(
    f64,
    d,
    CallStaticDoubleMethodA,
    CallDoubleMethodA,
    GetStaticDoubleField,
    GetDoubleField,
    SetStaticDoubleField,
    SetDoubleField,
    GetDoubleArrayRegion,
    SetDoubleArrayRegion,
    NewDoubleArray
);
