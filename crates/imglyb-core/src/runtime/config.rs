//! JVM configuration: classpath, options and Java home, from arguments and the environment.

use std::path::{Path, PathBuf};

use crate::jni::error::{Error, Result};

/// Jars that Debian's packages install and that go on the default classpath when present:
/// ImgLib2 (`libimglib2-java`) and ImageJ 1 (`libij-java`).
pub const SYSTEM_JARS: &[&str] = &["/usr/share/java/imglib2.jar", "/usr/share/java/ij.jar"];

/// Options imglyb always gives a JVM it creates, before the configured ones.
///
/// `-Xrs` keeps the JVM's hands off `SIGINT`, `SIGTERM`, `SIGHUP` and `SIGQUIT`: the host process
/// (Python, a C program) owns those. Without it, Ctrl-C in Python would run the JVM's shutdown
/// and end the process with status 130 instead of raising `KeyboardInterrupt`.
pub const DEFAULT_OPTIONS: &[&str] = &["-Xrs"];

/// How to start the JVM.
///
/// The classpath that reaches the JVM is [`JvmConfig::resolved_classpath`]: `classpath` in order
/// (with `folder/*` expanded to the jars in it), then each of the `fallback_jars` and then of the
/// [`SYSTEM_JARS`] (unless `system_jars` is off) that exists and whose library (ImgLib2, ImageJ 1)
/// nothing before it provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JvmConfig {
    /// Jars and class folders; an entry ending in `/*` means every jar in that folder.
    pub classpath: Vec<PathBuf>,
    /// JVM options such as `-Xmx4g` or `-Dkey=value`, passed as they are.
    pub options: Vec<String>,
    /// The Java home to use, and no other; `None` searches (see [`crate::JavaSearch`]).
    pub java_home: Option<PathBuf>,
    /// Whether to append the [`SYSTEM_JARS`] that exist.
    pub system_jars: bool,
    /// Jars (or class folders) appended after `classpath` and before the [`SYSTEM_JARS`], each
    /// only when it exists and nothing before it provides its library: the jars a Python wheel carries (ImgLib2, ImageJ 1), so
    /// that a Fiji installation or `IMGLYB_CLASSPATH` wins over them and they win over Debian's.
    /// An ImgLib2 jar is skipped when the classpath already has ImgLib2 (one `net.imglib2` per
    /// JVM: two versions would mix their classes), an ImageJ jar when it has `ij.ImagePlus`; the
    /// same rule applies to Debian's jars.
    pub fallback_jars: Vec<PathBuf>,
    /// Java homes tried when the search finds no other Java ([`crate::JavaSearch`]'s
    /// `fallback_homes`); ignored when `java_home` is set.
    pub fallback_java_homes: Vec<PathBuf>,
    /// The entries of `classpath` that came from `IMGLYB_CLASSPATH` ([`JvmConfig::from_env`]
    /// sets them): only for saying where each entry came from
    /// ([`JvmConfig::resolved_classpath_with_sources`]).
    pub env_classpath: Vec<PathBuf>,
}

/// Where a classpath entry came from; see [`JvmConfig::resolved_classpath_with_sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClasspathSource {
    /// `classpath`, as the caller configured it.
    Configured,
    /// `IMGLYB_CLASSPATH`.
    Environment,
    /// One of the `fallback_jars` (the jars a Python wheel carries).
    Fallback,
    /// One of the [`SYSTEM_JARS`].
    System,
}

impl ClasspathSource {
    /// A short name: `configured`, `IMGLYB_CLASSPATH`, `fallback` or `system`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClasspathSource::Configured => "configured",
            ClasspathSource::Environment => "IMGLYB_CLASSPATH",
            ClasspathSource::Fallback => "fallback",
            ClasspathSource::System => "system",
        }
    }
}

impl Default for JvmConfig {
    fn default() -> Self {
        JvmConfig {
            classpath: Vec::new(),
            options: Vec::new(),
            java_home: None,
            system_jars: true,
            fallback_jars: Vec::new(),
            fallback_java_homes: Vec::new(),
            env_classpath: Vec::new(),
        }
    }
}

impl JvmConfig {
    /// The configuration the environment asks for:
    /// - `IMGLYB_CLASSPATH`: `:`-separated classpath entries;
    /// - `IMGLYB_JAVA_OPTIONS`: whitespace-separated JVM options;
    /// - `IMGLYB_SYSTEM_JARS=0`: leave Debian's jars off the default classpath.
    ///
    /// `JAVA_HOME` is read by the Java search, not here.
    pub fn from_env() -> Self {
        let classpath: Vec<PathBuf> = std::env::var_os("IMGLYB_CLASSPATH")
            .map(|cp| {
                std::env::split_paths(&cp)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let options = std::env::var("IMGLYB_JAVA_OPTIONS")
            .map(|o| o.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let system_jars = !env_switched_off("IMGLYB_SYSTEM_JARS");
        JvmConfig {
            env_classpath: classpath.clone(),
            classpath,
            options,
            java_home: None,
            system_jars,
            fallback_jars: Vec::new(),
            fallback_java_homes: Vec::new(),
        }
    }

    /// Rejects options the JVM would misread. The class path is set through `classpath` only,
    /// so it can be compared and checked for ImgLib2.
    pub fn validate(&self) -> Result<()> {
        for opt in &self.options {
            if !opt.starts_with('-') {
                return Err(Error::InvalidArgument(format!(
                    "JVM option {opt:?} does not start with '-'; options look like -Xmx4g or -Dkey=value"
                )));
            }
            if opt.contains('\0') {
                return Err(Error::InvalidArgument(format!(
                    "JVM option {opt:?} contains a NUL byte"
                )));
            }
            if opt.starts_with("-Djava.class.path=") || opt == "-cp" || opt == "-classpath" {
                return Err(Error::InvalidArgument(format!(
                    "JVM option {opt:?} sets the class path; pass the entries as the classpath instead"
                )));
            }
        }
        for entry in &self.classpath {
            if entry.to_string_lossy().contains(['\0', ':']) {
                return Err(Error::InvalidArgument(format!(
                    "classpath entry {} contains ':' or NUL; give each entry separately",
                    entry.display()
                )));
            }
        }
        Ok(())
    }

    /// The classpath as the JVM will see it: entries in order with `folder/*` expanded to the
    /// jars in it (sorted), then the `fallback_jars` and the existing [`SYSTEM_JARS`] whose
    /// library is not there yet, without duplicates; a fallback imglib2-unsafe only beside a
    /// fallback ImgLib2.
    pub fn resolved_classpath(&self) -> Vec<PathBuf> {
        self.resolved_classpath_with_sources()
            .into_iter()
            .map(|(entry, _)| entry)
            .collect()
    }

    /// [`JvmConfig::resolved_classpath`], each entry with where it came from. An entry of
    /// `classpath` that is also in `env_classpath` came from the environment.
    pub fn resolved_classpath_with_sources(&self) -> Vec<(PathBuf, ClasspathSource)> {
        let mut out: Vec<PathBuf> = Vec::new();
        let mut sources: Vec<ClasspathSource> = Vec::new();
        let mut push = |p: PathBuf, source: ClasspathSource| {
            if !out.contains(&p) {
                out.push(p);
                sources.push(source);
            }
        };
        for entry in &self.classpath {
            let source = if self.env_classpath.contains(entry) {
                ClasspathSource::Environment
            } else {
                ClasspathSource::Configured
            };
            let mut push = |p: PathBuf| push(p, source);
            if entry.file_name().is_some_and(|n| n == "*") {
                let dir = entry.parent().unwrap_or(Path::new("."));
                let mut jars: Vec<PathBuf> = std::fs::read_dir(dir)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jar")))
                    .collect();
                jars.sort();
                jars.into_iter().for_each(&mut push);
            } else {
                push(absolute(entry));
            }
        }
        // The wheel's jars, then Debian's, each only when nothing before it provides its library:
        // one ImgLib2 (and one ImageJ) per JVM, never two versions whose classes would mix.
        let system: Vec<PathBuf> = if self.system_jars {
            SYSTEM_JARS.iter().map(PathBuf::from).collect()
        } else {
            Vec::new()
        };
        let fallback = self
            .fallback_jars
            .iter()
            .map(|j| (j, ClasspathSource::Fallback));
        let system = system.iter().map(|j| (j, ClasspathSource::System));
        let mut imglib2_from_fallback = false;
        let mut companions = Vec::new();
        for (jar, source) in fallback.chain(system) {
            let marker = library_marker(jar);
            if marker == Some(IMGLIB2_UNSAFE_MARKER) {
                companions.push((jar, source));
                continue;
            }
            let provided = marker.is_some_and(|m| classpath_has_class(&out, m));
            let jar = absolute(jar);
            if !provided && jar.exists() && !out.contains(&jar) {
                imglib2_from_fallback |= marker == Some(IMGLIB2_MARKER);
                out.push(jar);
                sources.push(source);
            }
        }
        // imglib2-unsafe goes with the ImgLib2 it was built for: only beside a fallback ImgLib2
        // (the wheel's), never beside one the classpath brought (Fiji's carries its own).
        for (jar, source) in companions {
            let provided = classpath_has_class(&out, IMGLIB2_UNSAFE_MARKER);
            let jar = absolute(jar);
            if imglib2_from_fallback && !provided && jar.exists() && !out.contains(&jar) {
                out.push(jar);
                sources.push(source);
            }
        }
        out.into_iter().zip(sources).collect()
    }
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The class file whose presence means "ImgLib2 is on the classpath".
const IMGLIB2_MARKER: &str = "net/imglib2/img/Img.class";
/// The class file whose presence means "ImageJ 1 is on the classpath".
const IJ_MARKER: &str = "ij/ImagePlus.class";
/// The class file whose presence means "imglib2-unsafe is on the classpath".
const IMGLIB2_UNSAFE_MARKER: &str = "net/imglib2/img/unsafe/UnsafeImgs.class";

/// The marker class of the library a fallback jar provides, by its file name, a Maven
/// artifact's (`imglib2-8.0.1.jar`, `imglib2-unsafe-1.1.0.jar`, `ij-1.54p.jar`: the artifact is
/// the name before the first `-` and a digit); `None` for other jars.
fn library_marker(jar: &Path) -> Option<&'static str> {
    let name = jar.file_name()?.to_string_lossy().to_ascii_lowercase();
    let stem = name.strip_suffix(".jar")?;
    let version = stem
        .match_indices('-')
        .find(|&(i, _)| stem[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
        .map(|(i, _)| i);
    let artifact = version.map_or(stem, |i| &stem[..i]);
    match artifact {
        "imglib2" => Some(IMGLIB2_MARKER),
        "imglib2-unsafe" => Some(IMGLIB2_UNSAFE_MARKER),
        "ij" => Some(IJ_MARKER),
        _ => None,
    }
}

/// Whether `jar` is a library jar (ImgLib2, ImageJ 1, by its file name) whose library a class
/// folder or jar on `classpath` already provides: a JVM takes one of each, so such a jar is
/// neither added nor missed.
pub(crate) fn library_provided(jar: &Path, classpath: &[PathBuf]) -> bool {
    library_marker(jar).is_some_and(|m| classpath_has_class(classpath, m))
}

/// Whether the environment variable `name` turns something off: `0`, `false`, `no` or `off`, in
/// any case and with spaces around (as the Python package reads `IMGLYB_BUNDLED_JARS`).
pub(crate) fn env_switched_off(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "0" | "false" | "no" | "off"
        )
    })
}

/// Whether a class folder or jar on `classpath` holds ImgLib2, checked before the JVM starts
/// (a JVM started without it could not be restarted with it).
///
/// A jar is checked by looking for the entry name in its bytes: zip stores entry names
/// uncompressed, in the local headers and in the central directory. Jars named like ImgLib2 are
/// read first, so a Fiji `jars/` folder is not read whole.
pub fn classpath_has_imglib2(classpath: &[PathBuf]) -> bool {
    classpath_has_class(classpath, IMGLIB2_MARKER)
}

/// Whether a class folder or jar on `classpath` holds the class file `marker`; jars whose names
/// share the marker's first path segment (`imglib2`, `ij`) are read first.
fn classpath_has_class(classpath: &[PathBuf], marker: &str) -> bool {
    let hint = match marker.split('/').next() {
        Some("net") => "imglib2",
        Some(first) => first,
        None => "",
    };
    let (likely, rest): (Vec<&PathBuf>, Vec<&PathBuf>) = classpath.iter().partition(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().contains(hint))
    });
    likely.into_iter().chain(rest).any(|entry| {
        if entry.is_dir() {
            entry.join(marker).is_file()
        } else {
            jar_has_entry(entry, marker)
        }
    })
}

/// Whether the jar (zip) at `path` has an entry named `name`: read from its central directory
/// (the end of the file, about a tenth of it), or, for an archive whose directory cannot be read
/// that way (zip64, a damaged file), by looking for the name in all of its bytes (zip stores
/// entry names uncompressed). Reading only the directory made a start about 15 ms faster with
/// the wheel's two jars.
fn jar_has_entry(path: &Path, name: &str) -> bool {
    match central_directory_has(path, name) {
        Some(found) => found,
        None => std::fs::read(path)
            .is_ok_and(|bytes| bytes.windows(name.len()).any(|w| w == name.as_bytes())),
    }
}

/// [`jar_has_entry`] through the zip central directory; `None` when it cannot be read.
fn central_directory_has(path: &Path, name: &str) -> Option<bool> {
    use std::io::{Read, Seek, SeekFrom};

    const END_SIGNATURE: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const ENTRY_SIGNATURE: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    // The end record is 22 bytes, followed by a comment of at most 64 KiB.
    let tail_len = len.min(22 + 0xffff);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(len - tail_len)).ok()?;
    file.read_exact(&mut tail).ok()?;
    let end = (0..=tail.len().checked_sub(22)?)
        .rev()
        .find(|&i| tail[i..i + 4] == END_SIGNATURE)?;
    let u16_at = |b: &[u8], i: usize| usize::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at = |b: &[u8], i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
    let (size, offset) = (u32_at(&tail, end + 12), u32_at(&tail, end + 16));
    if size == u32::MAX || offset == u32::MAX || u64::from(offset) + u64::from(size) > len {
        return None; // zip64, or not a directory this file holds
    }
    let mut directory = vec![0u8; size as usize];
    file.seek(SeekFrom::Start(u64::from(offset))).ok()?;
    file.read_exact(&mut directory).ok()?;
    let mut i = 0;
    while i + 46 <= directory.len() {
        if directory[i..i + 4] != ENTRY_SIGNATURE {
            return None;
        }
        let (name_len, extra_len, comment_len) = (
            u16_at(&directory, i + 28),
            u16_at(&directory, i + 30),
            u16_at(&directory, i + 32),
        );
        let entry = directory.get(i + 46..i + 46 + name_len)?;
        if entry == name.as_bytes() {
            return Some(true);
        }
        i += 46 + name_len + extra_len + comment_len;
    }
    Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        let mut c = JvmConfig {
            options: vec!["-Xmx1g".into()],
            ..JvmConfig::default()
        };
        assert!(c.validate().is_ok());
        for bad in ["Xmx1g", "-Djava.class.path=/x", "-cp"] {
            c.options = vec![bad.into()];
            let err = c.validate().unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn each_entry_says_where_it_came_from() {
        let dir = crate::runtime::scratch::Scratch::new("src");
        std::fs::create_dir_all(dir.join("env")).unwrap();
        for f in ["mine.jar", "env/one.jar", "env/two.jar", "carried.jar"] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        let c = JvmConfig {
            classpath: vec![dir.join("mine.jar"), dir.join("env/*")],
            env_classpath: vec![dir.join("env/*")],
            fallback_jars: vec![dir.join("carried.jar"), dir.join("missing.jar")],
            system_jars: false,
            ..JvmConfig::default()
        };
        let got = c.resolved_classpath_with_sources();
        let want = vec![
            (dir.join("mine.jar"), ClasspathSource::Configured),
            (dir.join("env/one.jar"), ClasspathSource::Environment),
            (dir.join("env/two.jar"), ClasspathSource::Environment),
            (dir.join("carried.jar"), ClasspathSource::Fallback),
        ];
        assert_eq!(got, want);
        assert_eq!(
            c.resolved_classpath(),
            want.into_iter().map(|(p, _)| p).collect::<Vec<_>>()
        );
    }

    #[test]
    fn wildcard_expands_and_system_jars_follow() {
        let dir = crate::runtime::scratch::Scratch::new("cp");
        for f in ["b.jar", "a.jar", "notes.txt"] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        let c = JvmConfig {
            classpath: vec![dir.join("*"), dir.join("a.jar")],
            system_jars: false,
            ..JvmConfig::default()
        };
        assert_eq!(
            c.resolved_classpath(),
            vec![dir.join("a.jar"), dir.join("b.jar")]
        );

        let with_system = JvmConfig {
            system_jars: true,
            ..c
        };
        let expected_system: Vec<PathBuf> = SYSTEM_JARS
            .iter()
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .collect();
        assert_eq!(with_system.resolved_classpath()[2..], expected_system[..]);
    }

    #[test]
    fn jar_entries_are_read_from_the_central_directory() {
        let jar = PathBuf::from(SYSTEM_JARS[0]);
        if !jar.is_file() {
            return; // Debian's ImgLib2 is not installed here
        }
        assert_eq!(
            central_directory_has(&jar, "net/imglib2/img/Img.class"),
            Some(true)
        );
        assert_eq!(
            central_directory_has(&jar, "net/imglib2/img/NoSuch.class"),
            Some(false)
        );
        assert_eq!(
            central_directory_has(&jar, "net/imglib2/img/Img.clas"),
            Some(false)
        );
        let dir = crate::runtime::scratch::Scratch::new("zip");
        let text = dir.join("not-a.jar");
        std::fs::write(&text, b"net/imglib2/img/Img.class, but no zip").unwrap();
        assert_eq!(
            central_directory_has(&text, "net/imglib2/img/Img.class"),
            None
        );
        assert!(jar_has_entry(&text, "net/imglib2/img/Img.class")); // the fallback reads bytes
    }

    #[test]
    fn imglib2_is_detected_in_jars_and_folders() {
        let dir = crate::runtime::scratch::Scratch::new("marker");
        std::fs::create_dir_all(dir.join("classes/net/imglib2/img")).unwrap();
        std::fs::write(
            dir.join("other.jar"),
            b"PK\x03\x04 net/imglib2/img/Cursor.class",
        )
        .unwrap();
        assert!(!classpath_has_imglib2(&[dir.join("other.jar")]));
        assert!(!classpath_has_imglib2(&[dir.join("classes")]));
        std::fs::write(dir.join("classes/net/imglib2/img/Img.class"), b"").unwrap();
        assert!(classpath_has_imglib2(&[
            dir.join("other.jar"),
            dir.join("classes")
        ]));
        let debian = PathBuf::from(SYSTEM_JARS[0]);
        if debian.is_file() {
            assert!(classpath_has_imglib2(&[debian]));
        }
    }

    #[test]
    fn wheel_jars_come_after_the_configured_ones_and_only_for_missing_libraries() {
        let dir = crate::runtime::scratch::Scratch::new("bundled");
        std::fs::create_dir_all(dir.join("wheel")).unwrap();
        let imglib2 = |name: &str| {
            let jar = dir.join(name);
            std::fs::write(&jar, format!("PK\x03\x04 {IMGLIB2_MARKER}")).unwrap();
            jar
        };
        let fiji = imglib2("imglib2-8.0.0.jar");
        let wheel_imglib2 = imglib2("wheel/imglib2-8.0.1.jar");
        let wheel_ij = dir.join("wheel/ij-1.54p.jar");
        std::fs::write(&wheel_ij, format!("PK\x03\x04 {IJ_MARKER}")).unwrap();
        let bundled = vec![wheel_ij.clone(), wheel_imglib2.clone()];
        let c = JvmConfig {
            classpath: vec![fiji.clone()],
            system_jars: true,
            fallback_jars: bundled.clone(),
            ..JvmConfig::default()
        };
        // Fiji's ImgLib2 wins: neither the wheel's nor Debian's is added; the wheel's ImageJ is.
        let cp = c.resolved_classpath();
        assert_eq!(cp[..2], [fiji, wheel_ij.clone()]);
        assert!(!cp.contains(&wheel_imglib2));
        assert!(
            !cp.iter()
                .any(|p| p.ends_with("imglib2.jar") || p.ends_with("ij.jar"))
        );
        // Nothing configured: the wheel's jars, and no Debian jar of the same libraries.
        let c = JvmConfig {
            classpath: Vec::new(),
            system_jars: true,
            fallback_jars: bundled,
            ..JvmConfig::default()
        };
        assert_eq!(c.resolved_classpath(), [wheel_ij, wheel_imglib2]);
    }

    #[test]
    fn the_wheels_imglib2_unsafe_comes_only_with_the_wheels_imglib2() {
        let dir = crate::runtime::scratch::Scratch::new("unsafe");
        std::fs::create_dir_all(dir.join("wheel")).unwrap();
        let jar = |name: &str, marker: &str| {
            let jar = dir.join(name);
            std::fs::write(&jar, format!("PK\x03\x04 {marker}")).unwrap();
            jar
        };
        let wheel_unsafe = jar("wheel/imglib2-unsafe-1.1.0.jar", IMGLIB2_UNSAFE_MARKER);
        let wheel_imglib2 = jar("wheel/imglib2-8.0.1.jar", IMGLIB2_MARKER);
        let fiji = jar("imglib2-7.1.4.jar", IMGLIB2_MARKER);
        let fiji_unsafe = jar("imglib2-unsafe-1.0.0.jar", IMGLIB2_UNSAFE_MARKER);
        assert_eq!(library_marker(&wheel_unsafe), Some(IMGLIB2_UNSAFE_MARKER));
        assert_eq!(library_marker(&wheel_imglib2), Some(IMGLIB2_MARKER));
        assert_eq!(
            library_marker(Path::new("imglib2-algorithm-0.15.jar")),
            None
        );
        // Listed first or last, the wheel's imglib2-unsafe follows the wheel's ImgLib2.
        for fallback in [
            vec![wheel_unsafe.clone(), wheel_imglib2.clone()],
            vec![wheel_imglib2.clone(), wheel_unsafe.clone()],
        ] {
            let c = JvmConfig {
                system_jars: false,
                fallback_jars: fallback.clone(),
                ..JvmConfig::default()
            };
            assert_eq!(
                c.resolved_classpath(),
                [wheel_imglib2.clone(), wheel_unsafe.clone()]
            );
            // Another ImgLib2 on the classpath: neither, even when it brings no imglib2-unsafe.
            let c = JvmConfig {
                classpath: vec![fiji.clone()],
                system_jars: false,
                fallback_jars: fallback.clone(),
                ..JvmConfig::default()
            };
            assert_eq!(c.resolved_classpath(), std::slice::from_ref(&fiji));
            let c = JvmConfig {
                classpath: vec![fiji.clone(), fiji_unsafe.clone()],
                system_jars: false,
                fallback_jars: fallback,
                ..JvmConfig::default()
            };
            assert_eq!(c.resolved_classpath(), [fiji.clone(), fiji_unsafe.clone()]);
        }
        // imglib2-unsafe configured by the user: the wheel's ImgLib2, not a second unsafe.
        let c = JvmConfig {
            classpath: vec![fiji_unsafe.clone()],
            system_jars: false,
            fallback_jars: vec![wheel_imglib2.clone(), wheel_unsafe],
            ..JvmConfig::default()
        };
        assert_eq!(c.resolved_classpath(), [fiji_unsafe, wheel_imglib2]);
    }
}
