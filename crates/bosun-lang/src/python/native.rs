//! The system libraries a wheel's extension modules load.
//!
//! A manylinux wheel vendors every library outside its policy (into `NAME.libs/`) and may
//! load the ones inside it from the system: libc and its companions, `libgcc_s` and
//! `libstdc++`, and for GUI toolkits a few X11, GL and GLib libraries (PEP 599/600). A
//! distroless image has only what it asks for, so bosun reads the `DT_NEEDED` entries of
//! each ELF file of a platform wheel and adds the Debian packages that ship those libraries.

use std::collections::BTreeSet;

use bosun_oci::layer::{Entry, EntryKind};
use object::read::elf::FileHeader;
use object::{Endianness, elf};

/// The sonames the ELF files among `entries` need and no file among them provides.
pub fn needed_libraries(entries: &[Entry]) -> BTreeSet<String> {
    let basename = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let provided: BTreeSet<String> = entries.iter().map(|e| basename(&e.path)).collect();
    let mut needed = BTreeSet::new();
    for e in entries {
        if let EntryKind::File(data) = &e.kind
            && data.starts_with(b"\x7fELF")
        {
            needed.extend(elf_needed(data));
        }
    }
    needed.retain(|n| !provided.contains(n));
    needed
}

fn elf_needed(data: &[u8]) -> Vec<String> {
    match object::FileKind::parse(data) {
        Ok(object::FileKind::Elf64) => needed_of::<elf::FileHeader64<Endianness>>(data),
        Ok(object::FileKind::Elf32) => needed_of::<elf::FileHeader32<Endianness>>(data),
        _ => Vec::new(),
    }
}

fn needed_of<H: FileHeader<Endian = Endianness>>(data: &[u8]) -> Vec<String> {
    let Ok(header) = H::parse(data) else {
        return Vec::new();
    };
    let Ok(endian) = header.endian() else {
        return Vec::new();
    };
    let Ok(sections) = header.sections(endian, data) else {
        return Vec::new();
    };
    let Ok(table) = sections.dynamic_table(endian, data) else {
        return Vec::new();
    };
    table
        .iter()
        .filter(|d| d.tag == elf::DT_NEEDED)
        .filter_map(|d| table.string(d).ok())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

/// The Debian package that ships a library the manylinux policies let wheels load from the
/// system (`None` for a soname outside them).
pub fn debian_package(soname: &str) -> Option<&'static str> {
    Some(match soname {
        "libc.so.6"
        | "libm.so.6"
        | "libdl.so.2"
        | "librt.so.1"
        | "libpthread.so.0"
        | "libutil.so.1"
        | "libresolv.so.2"
        | "libnsl.so.1"
        | "libcrypt.so.1"
        | "ld-linux-x86-64.so.2"
        | "ld-linux-aarch64.so.1"
        | "ld-linux-armhf.so.3"
        | "ld-linux.so.2"
        | "ld64.so.2"
        | "ld64.so.1"
        | "ld-linux-riscv64-lp64d.so.1" => "libc6",
        "libgcc_s.so.1" => "libgcc-s1",
        "libstdc++.so.6" => "libstdc++6",
        "libz.so.1" => "zlib1g",
        "libexpat.so.1" => "libexpat1",
        "libX11.so.6" => "libx11-6",
        "libXext.so.6" => "libxext6",
        "libXrender.so.1" => "libxrender1",
        "libICE.so.6" => "libice6",
        "libSM.so.6" => "libsm6",
        "libGL.so.1" => "libgl1",
        "libgobject-2.0.so.0" | "libgthread-2.0.so.0" | "libglib-2.0.so.0" => "libglib2.0-0t64",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test binary itself is an ELF file that needs libc.
    #[test]
    fn reads_needed_entries() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let needed = elf_needed(&me);
        assert!(needed.iter().any(|n| n == "libc.so.6"), "{needed:?}");
        let entries = vec![
            Entry::file("site/x/_ext.so", 0o755, me),
            Entry::file("site/x.libs/libc.so.6", 0o755, b"vendored".to_vec()),
        ];
        let left = needed_libraries(&entries);
        assert!(
            !left.contains("libc.so.6"),
            "vendored copies count: {left:?}"
        );
        assert_eq!(debian_package("libstdc++.so.6"), Some("libstdc++6"));
        assert_eq!(debian_package("libpq.so.5"), None);
        assert!(elf_needed(b"\x7fELF junk").is_empty());
    }
}
