//! Checks of a Java installation's files, made before anything of it is loaded.
//!
//! # Rationale
//! A libjvm, once `dlopen`ed, can never be unloaded, and its global symbols then shadow those of
//! any other libjvm loaded later: a second, good start in the same process crashed in
//! `JNI_CreateJavaVM`. HotSpot also ends the process (or faults) on a runtime image it cannot
//! read. So every reason to refuse an installation is found here, from the files alone, before
//! the one `dlopen` of the libjvm that will run:
//! - [`check_libjvm`]: a whole ELF shared library of this machine's kind that exports the JNI
//!   invocation functions (a truncated file faults when `dlopen` maps past its end; another
//!   library would stay loaded for nothing);
//! - [`check_runtime_image`]: `lib/modules` is a jimage whose index and resources lie inside
//!   the file (HotSpot exits during start-up without it, and faults reading past a cut).
//!
//! # Limitations
//! A libjvm and a runtime image of two different JDK builds pass both checks; HotSpot refuses
//! that pair itself, with an error code, and the start is then refused for good
//! ([`crate::Error::JvmStartFailedEarlier`]).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The symbols a libjvm must export (the JNI invocation API).
const INVOCATION_SYMBOLS: [&str; 2] = ["JNI_CreateJavaVM", "JNI_GetCreatedJavaVMs"];

/// Reads `len` bytes at `offset` of `file`, or says why it cannot.
fn read_at(file: &mut std::fs::File, offset: u64, len: u64) -> Result<Vec<u8>, String> {
    let len = usize::try_from(len).map_err(|_| "a table too large to read".to_owned())?;
    let mut buf = vec![0u8; len];
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|e| format!("cannot read it ({e})"))?;
    Ok(buf)
}

fn u16_at(b: &[u8], i: usize) -> u64 {
    u64::from(u16::from_ne_bytes([b[i], b[i + 1]]))
}

fn u32_at(b: &[u8], i: usize) -> u64 {
    u64::from(u32::from_ne_bytes(b[i..i + 4].try_into().unwrap()))
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    u64::from_ne_bytes(b[i..i + 8].try_into().unwrap())
}

/// Why the file at `path` is not a libjvm this process can load, if it is not: a whole shared
/// library ([`check_shared_library`]) that exports [`INVOCATION_SYMBOLS`].
pub(crate) fn check_libjvm(path: &Path) -> Result<(), String> {
    check_shared_library(path, &INVOCATION_SYMBOLS, "a JVM library")
}

/// Why the file at `path` is not a shared library this process can load, if it is not: it must
/// be readable, start with an ELF header of this machine's word size and byte order, hold every
/// byte its program and section headers point to, and export `exports` (what makes it `what`).
fn check_shared_library(path: &Path, exports: &[&str], what: &str) -> Result<(), String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read it ({e})"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read it ({e})"))?
        .len();
    let mut header = [0u8; 64];
    file.read_exact(&mut header)
        .map_err(|_| format!("not a shared library ({len} bytes, shorter than an ELF header)"))?;
    if &header[..4] != b"\x7fELF" {
        return Err("not a shared library (no ELF header)".to_owned());
    }
    if header[4] != 2 || header[5] != if cfg!(target_endian = "little") { 1 } else { 2 } {
        return Err(
            "an ELF library for another kind of machine (not 64-bit, native byte order)".to_owned(),
        );
    }
    let truncated = |what: &str, end: u64| {
        format!("truncated: its {what} reach byte {end}, but the file has {len} bytes")
    };
    let (phoff, phentsize, phnum) = (
        u64_at(&header, 0x20),
        u16_at(&header, 0x36),
        u16_at(&header, 0x38),
    );
    let (shoff, shentsize, shnum) = (
        u64_at(&header, 0x28),
        u16_at(&header, 0x3a),
        u16_at(&header, 0x3c),
    );
    let table_end = |off: u64, size: u64, n: u64| off.checked_add(size.checked_mul(n)?);
    let ph_end = table_end(phoff, phentsize, phnum).unwrap_or(u64::MAX);
    if ph_end > len || (phnum > 0 && phentsize < 56) {
        return Err(truncated("program headers", ph_end));
    }
    let sh_end = table_end(shoff, shentsize, shnum).unwrap_or(u64::MAX);
    if sh_end > len || (shnum > 0 && shentsize < 64) {
        return Err(truncated("section headers", sh_end));
    }
    if phnum == 0 {
        return Err("not a loadable library (no program headers)".to_owned());
    }
    let programs = read_at(&mut file, phoff, ph_end - phoff)?;
    for entry in programs.chunks_exact(phentsize as usize) {
        const PT_LOAD: u64 = 1;
        if u32_at(entry, 0) != PT_LOAD {
            continue;
        }
        let end = u64_at(entry, 8).saturating_add(u64_at(entry, 32));
        if end > len {
            return Err(truncated("loadable segments", end));
        }
    }
    if shnum == 0 || exports.is_empty() {
        return Ok(()); // nothing to look for, or no section table to find it in (dlsym checks)
    }
    let sections = read_at(&mut file, shoff, sh_end - shoff)?;
    let section = |i: u64| {
        let at = (i * shentsize) as usize;
        sections.get(at..at + 64)
    };
    const SHT_DYNSYM: u64 = 11;
    let Some(dynsym) = (0..shnum)
        .filter_map(section)
        .find(|s| u32_at(s, 4) == SHT_DYNSYM)
    else {
        return Err(format!("not {what} (it exports no symbols)"));
    };
    let (sym_off, sym_size, sym_entsize) =
        (u64_at(dynsym, 24), u64_at(dynsym, 32), u64_at(dynsym, 56));
    let Some(strtab) = section(u32_at(dynsym, 40)) else {
        return Err("a broken symbol table (its string table is missing)".to_owned());
    };
    let (str_off, str_size) = (u64_at(strtab, 24), u64_at(strtab, 32));
    for (off, size) in [(sym_off, sym_size), (str_off, str_size)] {
        let end = off.saturating_add(size);
        if end > len {
            return Err(truncated("symbol tables", end));
        }
    }
    if sym_entsize < 24 {
        return Err("a broken symbol table (entries shorter than an ELF symbol)".to_owned());
    }
    let symbols = read_at(&mut file, sym_off, sym_size)?;
    let names = read_at(&mut file, str_off, str_size)?;
    let defined = |wanted: &str| {
        symbols.chunks_exact(sym_entsize as usize).any(|sym| {
            let (name, shndx) = (u32_at(sym, 0) as usize, u16_at(sym, 6));
            shndx != 0
                && names
                    .get(name..)
                    .and_then(|rest| rest.split(|&b| b == 0).next())
                    .is_some_and(|n| n == wanted.as_bytes())
        })
    };
    let missing: Vec<&str> = exports.iter().copied().filter(|s| !defined(s)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "not {what} (it does not export {})",
            missing.join(" or ")
        ))
    }
}

/// The jimage magic number, as stored in the file's native byte order.
const JIMAGE_MAGIC: u32 = 0xCAFE_DADA;
/// The jimage header: magic, version, flags, resource count, table length, locations size,
/// strings size (seven 32-bit fields).
const JIMAGE_HEADER: u64 = 28;
/// Location attribute kinds (`jimage/imageFile.hpp`): the end marker, and the resource's offset
/// from the end of the index, compressed size and uncompressed size.
const ATTRIBUTE_END: u8 = 0;
const ATTRIBUTE_OFFSET: u8 = 5;
const ATTRIBUTE_COMPRESSED: u8 = 6;
const ATTRIBUTE_UNCOMPRESSED: u8 = 7;

/// The native libraries HotSpot loads from `lib/` of a modular Java home while it starts, and
/// ends the process without (the class library's natives and the jimage reader).
const STARTUP_LIBRARIES: [&str; 2] = if cfg!(target_os = "macos") {
    ["libjava.dylib", "libjimage.dylib"]
} else {
    ["libjava.so", "libjimage.so"]
};

/// Why the Java home `home` has no runtime HotSpot can start from, if it has none:
/// `lib/modules` must be a jimage (version 1) whose index and every resource lie inside the
/// file, and [`STARTUP_LIBRARIES`] whole shared libraries. A Java 8 home (`jre/lib/rt.jar`)
/// passes as it is.
pub(crate) fn check_runtime_image(home: &Path) -> Result<(), String> {
    let modules = home.join("lib/modules");
    if !modules.exists() {
        if home.join("jre/lib/rt.jar").is_file() {
            return Ok(());
        }
        return Err(
            "no lib/modules, so not a complete JDK or JRE (HotSpot would end the process)"
                .to_owned(),
        );
    }
    let broken = |why: String| {
        format!(
            "lib/modules is {why}, so not a complete JDK or JRE (HotSpot would end the process)"
        )
    };
    let mut file =
        std::fs::File::open(&modules).map_err(|e| broken(format!("unreadable ({e})")))?;
    let len = file
        .metadata()
        .map_err(|e| broken(format!("unreadable ({e})")))?
        .len();
    let header = read_at(&mut file, 0, JIMAGE_HEADER).map_err(|_| {
        broken(format!(
            "{len} bytes, shorter than a runtime image's header"
        ))
    })?;
    let field = |i: usize| u32_at(&header, 4 * i);
    if field(0) != u64::from(JIMAGE_MAGIC) {
        return Err(broken("not a runtime image (no jimage header)".to_owned()));
    }
    if field(1) >> 16 != 1 {
        return Err(broken(format!(
            "a runtime image of an unknown version ({}.{})",
            field(1) >> 16,
            field(1) & 0xffff
        )));
    }
    let (table_length, locations_size, strings_size) = (field(4), field(5), field(6));
    let index_size = JIMAGE_HEADER + 8 * table_length + locations_size + strings_size;
    if index_size > len {
        return Err(broken(format!(
            "truncated (its index reaches byte {index_size}, but the file has {len} bytes)"
        )));
    }
    let locations = read_at(&mut file, JIMAGE_HEADER + 8 * table_length, locations_size)
        .map_err(|e| broken(e.to_string()))?;
    let data_end = resources_end(&locations)
        .ok_or_else(|| broken("a runtime image with a broken index".to_owned()))?;
    let end = index_size.saturating_add(data_end);
    if end > len {
        return Err(broken(format!(
            "truncated (its resources reach byte {end}, but the file has {len} bytes)"
        )));
    }
    for name in STARTUP_LIBRARIES {
        let library = home.join("lib").join(name);
        if !library.exists() {
            return Err(format!(
                "no lib/{name}, so not a complete JDK or JRE (HotSpot would end the process)"
            ));
        }
        check_shared_library(&library, &[], "").map_err(|why| format!("lib/{name}: {why}"))?;
    }
    Ok(())
}

/// The end of the furthest resource that the jimage location attributes `locations` describe,
/// relative to the end of the index; `None` when the attribute stream is cut.
fn resources_end(locations: &[u8]) -> Option<u64> {
    let mut end = 0u64;
    let (mut offset, mut compressed, mut uncompressed) = (0u64, 0u64, 0u64);
    let mut i = 0;
    while i < locations.len() {
        let byte = locations[i];
        if byte == ATTRIBUTE_END {
            let size = if compressed != 0 {
                compressed
            } else {
                uncompressed
            };
            end = end.max(offset.saturating_add(size));
            (offset, compressed, uncompressed) = (0, 0, 0);
            i += 1;
            continue;
        }
        let n = usize::from(byte & 7) + 1;
        let value = locations
            .get(i + 1..i + 1 + n)?
            .iter()
            .fold(0u64, |v, &b| (v << 8) | u64::from(b));
        match byte >> 3 {
            ATTRIBUTE_OFFSET => offset = value,
            ATTRIBUTE_COMPRESSED => compressed = value,
            ATTRIBUTE_UNCOMPRESSED => uncompressed = value,
            _ => {}
        }
        i += 1 + n;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::{check_libjvm, check_runtime_image};
    use std::path::PathBuf;

    /// The test JDK's home.
    fn real_home() -> PathBuf {
        crate::runtime::discovery::JavaSearch::from_env()
            .find()
            .expect("a JDK (ci/setup installs one)")
            .home
    }

    fn scratch(name: &str) -> crate::runtime::scratch::Scratch {
        crate::runtime::scratch::Scratch::new(&format!("check-{name}"))
    }

    #[test]
    fn whole_libjvms_pass_and_truncated_foreign_or_other_files_are_refused() {
        let real = crate::runtime::discovery::libjvm_in(&real_home())
            .expect("libjvm")
            .libjvm;
        check_libjvm(&real).unwrap();
        let dir = scratch("elf");
        let bytes = std::fs::read(&real).unwrap();
        let cut = dir.join("truncated.so");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        assert!(check_libjvm(&cut).unwrap_err().contains("truncated"));
        let header_only = dir.join("header.so");
        std::fs::write(&header_only, &bytes[..64]).unwrap();
        assert!(
            check_libjvm(&header_only)
                .unwrap_err()
                .contains("truncated")
        );
        let empty = dir.join("empty.so");
        std::fs::write(&empty, b"").unwrap();
        assert!(
            check_libjvm(&empty)
                .unwrap_err()
                .contains("shorter than an ELF header")
        );
        let text = dir.join("text.so");
        std::fs::write(&text, vec![b'#'; 100]).unwrap();
        assert!(check_libjvm(&text).unwrap_err().contains("no ELF header"));
        assert!(
            check_libjvm(&dir.join("missing.so"))
                .unwrap_err()
                .contains("cannot read")
        );
        // A whole shared library that is not a JVM: the JDK's own libjava.
        let other = real_home().join("lib/libjava.so");
        let why = check_libjvm(&other).unwrap_err();
        assert!(why.contains("not a JVM library"), "{why}");
    }

    #[test]
    fn whole_runtime_images_pass_and_broken_ones_are_refused() {
        let real = real_home();
        check_runtime_image(&real).unwrap();
        let dir = scratch("jimage");
        std::fs::create_dir_all(dir.join("lib")).unwrap();
        let why = check_runtime_image(&dir).unwrap_err();
        assert!(why.contains("no lib/modules"), "{why}");
        std::os::unix::fs::symlink(real.join("lib/modules"), dir.join("lib/modules")).unwrap();
        let why = check_runtime_image(&dir).unwrap_err();
        assert!(why.contains("no lib/libjava.so"), "{why}");
        std::os::unix::fs::symlink(real.join("lib/libjava.so"), dir.join("lib/libjava.so"))
            .unwrap();
        std::fs::write(dir.join("lib/libjimage.so"), b"\x7fELF").unwrap();
        let why = check_runtime_image(&dir).unwrap_err();
        assert!(
            why.contains("lib/libjimage.so: not a shared library"),
            "{why}"
        );
        std::fs::remove_file(dir.join("lib/libjimage.so")).unwrap();
        std::os::unix::fs::symlink(real.join("lib/libjimage.so"), dir.join("lib/libjimage.so"))
            .unwrap();
        check_runtime_image(&dir).unwrap();
        std::fs::remove_file(dir.join("lib/modules")).unwrap();
        let modules = std::fs::read(real.join("lib/modules")).unwrap();
        for (content, expected) in [
            (Vec::new(), "shorter than a runtime image's header"),
            (vec![0x5a; 4096], "not a runtime image"),
            (modules[..4096].to_vec(), "truncated (its index"),
            (
                modules[..modules.len() - 4096].to_vec(),
                "truncated (its resources",
            ),
        ] {
            std::fs::write(dir.join("lib/modules"), &content).unwrap();
            let why = check_runtime_image(&dir).unwrap_err();
            assert!(why.contains(expected), "{expected}: {why}");
        }
    }
}
