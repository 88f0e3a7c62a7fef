//! The checked-in header is what the pinned cbindgen makes of this crate.
//!
//! `IMGLYB_BLESS_HEADER=1 cargo test -p imglyb-c --test header` rewrites it.

use std::path::Path;

#[test]
fn the_header_is_up_to_date() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen runs")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("UTF-8 header");
    let path = crate_dir.join("include").join("imglyb.h");
    if std::env::var_os("IMGLYB_BLESS_HEADER").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        let first = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| checked_in.lines().count().min(generated.lines().count()));
        panic!(
            "{} differs from cbindgen's output, first at line {}:\n  checked in: {:?}\n  generated:  {:?}\n\
             Regenerate it with IMGLYB_BLESS_HEADER=1 cargo test -p imglyb-c --test header, and commit it.",
            path.display(),
            first + 1,
            checked_in.lines().nth(first),
            generated.lines().nth(first)
        );
    }
}
