//! Java's primitive types: one table ([`Prim`]) of names, descriptor letters, sizes and boxes,
//! and [`with_prim!`], which runs code with the Rust type of a primitive, so the layers above
//! write one generic body instead of an eight-way `match`.

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
