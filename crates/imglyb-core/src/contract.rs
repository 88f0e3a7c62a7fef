//! The contract between Rust, the embedded Java classes and the Python package: every number and
//! per-dtype fact they must agree on, written once, here. `build.rs` compiles this same file and
//! generates `org.imglyb.Contract` from [`JAVA`] and [`DTYPES`] (arrays indexed by type code),
//! so the Java classes read these values instead of copies; the Python module exports the same
//! table (`imglyb._imglyb.DTYPES`), from which the package derives its own tables.
//!
//! It sits beside [`crate::Error`] at the bottom of the crate: every layer may use it, and it
//! uses nothing.

/// Declares the constants and the table `build.rs` turns into Java.
macro_rules! contract {
    ($($(#[$doc:meta])* $name:ident: $ty:ty = $value:expr;)*) => {
        $($(#[$doc])* pub const $name: $ty = $value;)*

        /// Every constant by name, as `org.imglyb.Contract` declares it (Java `int`s).
        pub const JAVA: &[(&str, i64)] = &[$((stringify!($name), $value as i64)),*];
    };
}

contract! {
    // Pixel type codes (`DType::code`, `Images` on the Java side).
    /// `bool`.
    BOOL: i32 = 0;
    /// `uint8`.
    U8: i32 = 1;
    /// `int8`.
    I8: i32 = 2;
    /// `uint16`.
    U16: i32 = 3;
    /// `int16`.
    I16: i32 = 4;
    /// `uint32`.
    U32: i32 = 5;
    /// `int32`.
    I32: i32 = 6;
    /// `uint64`.
    U64: i32 = 7;
    /// `int64`.
    I64: i32 = 8;
    /// `float32`.
    F32: i32 = 9;
    /// `float64`.
    F64: i32 = 10;
    /// `complex64`.
    C64: i32 = 11;
    /// `complex128`.
    C128: i32 = 12;
    /// `ARGBType` over 32-bit pixels.
    ARGB: i32 = 13;

    /// At most this many dimensions, as NumPy (`unsafe_access::MAX_NDIM`).
    MAX_DIMENSIONS: i32 = 32;

    // Storage primitives of pixel types ([`DTypeRow::primitive`]), as ImgLib2's accesses.
    /// `byte` storage.
    P_BYTE: i32 = 0;
    /// `short` storage.
    P_SHORT: i32 = 1;
    /// `int` storage.
    P_INT: i32 = 2;
    /// `long` storage.
    P_LONG: i32 = 3;
    /// `float` storage.
    P_FLOAT: i32 = 4;
    /// `double` storage.
    P_DOUBLE: i32 = 5;

    // Type flags (`bridge::reflect::flags`, computed by `org.imglyb.bridge.Reflect.flags`): which host
    // values a parameter of the type can take, and what kind of type it is.
    /// A `String` can be passed.
    T_STRING: u32 = 1;
    /// A `Boolean` can be passed.
    T_BOOLEAN: u32 = 1 << 1;
    /// A `Byte` can be passed.
    T_BYTE: u32 = 1 << 2;
    /// A `Character` can be passed.
    T_CHAR: u32 = 1 << 3;
    /// A `Short` can be passed.
    T_SHORT: u32 = 1 << 4;
    /// An `Integer` can be passed.
    T_INT: u32 = 1 << 5;
    /// A `Long` can be passed.
    T_LONG: u32 = 1 << 6;
    /// A `Float` can be passed.
    T_FLOAT: u32 = 1 << 7;
    /// A `Double` can be passed.
    T_DOUBLE: u32 = 1 << 8;
    /// An `ArrayList` can be passed.
    T_LIST: u32 = 1 << 9;
    /// An ImgLib2 `Img` can be passed, and the type is not `Object`.
    T_IMG: u32 = 1 << 10;
    /// An interface.
    T_INTERFACE: u32 = 1 << 11;
    /// A `java.util.Iterator`.
    T_ITERATOR: u32 = 1 << 12;
    /// A `java.lang.Iterable`.
    T_ITERABLE: u32 = 1 << 13;
    /// A `java.util.Collection`.
    T_COLLECTION: u32 = 1 << 14;
    /// A `java.util.List`.
    T_LIST_CLASS: u32 = 1 << 15;
    /// A `java.util.Map`.
    T_MAP: u32 = 1 << 16;
    /// Abstract (or an interface).
    T_ABSTRACT: u32 = 1 << 17;
    /// A `Throwable`.
    T_THROWABLE: u32 = 1 << 18;

    // Member flags (`org.imglyb.bridge.Reflect`'s member table).
    /// A static member.
    M_STATIC: u32 = 1;
    /// A varargs method or constructor.
    M_VARARGS: u32 = 1 << 1;
    /// A final field.
    M_FINAL: u32 = 1 << 2;
}

/// One pixel type: what every language knows about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DTypeRow {
    /// The type code (its index in [`DTYPES`]).
    pub code: i32,
    /// NumPy's dtype name.
    pub numpy: &'static str,
    /// The ImgLib2 pixel type imglyb shares it as (binary class name). `bool` is shared as
    /// `NativeBoolType` where ImgLib2 has it (5.6 and newer) and as this type elsewhere.
    pub imglib2: &'static str,
    /// Its volatile pixel type (ImgLib2 5 and newer), or `""` when ImgLib2 has none.
    pub volatile: &'static str,
    /// The primitive its values are stored in: [`P_BYTE`] ... [`P_DOUBLE`].
    pub primitive: i32,
    /// Primitive values per pixel: 2 for complex types, 1 otherwise.
    pub entities: i32,
}

const fn row(
    code: i32,
    numpy: &'static str,
    imglib2: &'static str,
    volatile: &'static str,
    primitive: i32,
    entities: i32,
) -> DTypeRow {
    DTypeRow {
        code,
        numpy,
        imglib2,
        volatile,
        primitive,
        entities,
    }
}

/// Every pixel type, indexed by its code: one row each, and the only place these facts are
/// written. ARGB (`ARGBType`) is stored as `uint32` in NumPy.
pub const DTYPES: [DTypeRow; 14] = [
    row(
        BOOL,
        "bool",
        "net.imglib2.type.numeric.integer.UnsignedByteType",
        "",
        P_BYTE,
        1,
    ),
    row(
        U8,
        "uint8",
        "net.imglib2.type.numeric.integer.UnsignedByteType",
        "net.imglib2.type.volatiles.VolatileUnsignedByteType",
        P_BYTE,
        1,
    ),
    row(
        I8,
        "int8",
        "net.imglib2.type.numeric.integer.ByteType",
        "net.imglib2.type.volatiles.VolatileByteType",
        P_BYTE,
        1,
    ),
    row(
        U16,
        "uint16",
        "net.imglib2.type.numeric.integer.UnsignedShortType",
        "net.imglib2.type.volatiles.VolatileUnsignedShortType",
        P_SHORT,
        1,
    ),
    row(
        I16,
        "int16",
        "net.imglib2.type.numeric.integer.ShortType",
        "net.imglib2.type.volatiles.VolatileShortType",
        P_SHORT,
        1,
    ),
    row(
        U32,
        "uint32",
        "net.imglib2.type.numeric.integer.UnsignedIntType",
        "net.imglib2.type.volatiles.VolatileUnsignedIntType",
        P_INT,
        1,
    ),
    row(
        I32,
        "int32",
        "net.imglib2.type.numeric.integer.IntType",
        "net.imglib2.type.volatiles.VolatileIntType",
        P_INT,
        1,
    ),
    row(
        U64,
        "uint64",
        "net.imglib2.type.numeric.integer.UnsignedLongType",
        "net.imglib2.type.volatiles.VolatileUnsignedLongType",
        P_LONG,
        1,
    ),
    row(
        I64,
        "int64",
        "net.imglib2.type.numeric.integer.LongType",
        "net.imglib2.type.volatiles.VolatileLongType",
        P_LONG,
        1,
    ),
    row(
        F32,
        "float32",
        "net.imglib2.type.numeric.real.FloatType",
        "net.imglib2.type.volatiles.VolatileFloatType",
        P_FLOAT,
        1,
    ),
    row(
        F64,
        "float64",
        "net.imglib2.type.numeric.real.DoubleType",
        "net.imglib2.type.volatiles.VolatileDoubleType",
        P_DOUBLE,
        1,
    ),
    row(
        C64,
        "complex64",
        "net.imglib2.type.numeric.complex.ComplexFloatType",
        "",
        P_FLOAT,
        2,
    ),
    row(
        C128,
        "complex128",
        "net.imglib2.type.numeric.complex.ComplexDoubleType",
        "",
        P_DOUBLE,
        2,
    ),
    row(
        ARGB,
        "uint32",
        "net.imglib2.type.numeric.ARGBType",
        "net.imglib2.type.volatiles.VolatileARGBType",
        P_INT,
        1,
    ),
];

/// Bytes of one value of each storage primitive, by [`P_BYTE`] ... [`P_DOUBLE`].
pub const PRIMITIVE_BYTES: [i32; 6] = [1, 2, 4, 8, 4, 8];

/// Java's name of each storage primitive, by [`P_BYTE`] ... [`P_DOUBLE`] (ImgLib2's array
/// accesses are named after it: `byte` storage in a `ByteArray`).
pub const PRIMITIVE_NAMES: [&str; 6] = ["byte", "short", "int", "long", "float", "double"];

/// The row of type code `code`, if there is one.
pub const fn dtype_row(code: i32) -> Option<&'static DTypeRow> {
    if code >= 0 && (code as usize) < DTYPES.len() {
        Some(&DTYPES[code as usize])
    } else {
        None
    }
}

fn java_array<T>(java: &mut String, ty: &str, name: &str, doc: &str, value: impl Fn(&DTypeRow) -> T)
where
    T: std::fmt::Display,
{
    let values: Vec<String> = DTYPES.iter().map(|r| value(r).to_string()).collect();
    java.push_str(&format!(
        "\n\t/** {doc}, by type code. */\n\tpublic static final {ty}[] {name} = {{ {} }};\n",
        values.join(", ")
    ));
}

/// `org.imglyb.Contract`'s source: one `static final int` per constant of [`JAVA`], and one
/// array per column of [`DTYPES`], indexed by type code.
pub fn java_source() -> String {
    let mut java = String::from(
        "package org.imglyb;\n\n\
         /** The numbers Rust and Java agree on, generated by imglyb-core's build script from\n \
         * crates/imglyb-core/src/contract.rs. Do not edit. */\n\
         public final class Contract {\n",
    );
    for (name, value) in JAVA {
        java.push_str(&format!("\tpublic static final int {name} = {value};\n"));
    }
    let quoted = |text: &str| format!("\"{text}\"");
    java_array(&mut java, "String", "NUMPY", "NumPy's dtype names", |r| {
        quoted(r.numpy)
    });
    java_array(
        &mut java,
        "String",
        "TYPE_CLASS",
        "ImgLib2 pixel types",
        |r| quoted(r.imglib2),
    );
    java_array(
        &mut java,
        "String",
        "VOLATILE_CLASS",
        "Volatile pixel types (\"\" for none)",
        |r| quoted(r.volatile),
    );
    java_array(
        &mut java,
        "int",
        "PRIMITIVE",
        "Storage primitives (P_BYTE ... P_DOUBLE)",
        |r| r.primitive,
    );
    java_array(
        &mut java,
        "int",
        "ENTITIES",
        "Primitive values per pixel",
        |r| r.entities,
    );
    java.push_str("\n\tprivate Contract() {}\n}\n");
    java
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_sits_at_its_code() {
        for (i, r) in DTYPES.iter().enumerate() {
            assert_eq!(r.code as usize, i, "{}", r.numpy);
            assert!((P_BYTE..=P_DOUBLE).contains(&r.primitive));
            assert!(r.entities == 1 || r.entities == 2);
        }
        assert_eq!(DTYPES.len() as i32, ARGB + 1);
        assert_eq!(dtype_row(-1), None);
        assert_eq!(dtype_row(ARGB + 1), None);
    }

    #[test]
    fn the_java_source_has_one_array_entry_per_code() {
        let java = java_source();
        let line = java.lines().find(|l| l.contains(" ENTITIES = ")).unwrap();
        assert_eq!(line.matches(',').count() + 1, DTYPES.len());
        assert!(java.contains("\"net.imglib2.type.numeric.ARGBType\" }"));
    }
}
