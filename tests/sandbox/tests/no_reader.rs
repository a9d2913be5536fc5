//! A server does not compile the chip reader or the test issuer: the sandbox
//! links only the document side of aktiver-emrtd (LDS, PKI, the verdict).

#![allow(clippy::unwrap_used)]

use std::process::Command;

/// `cargo tree` of the sandbox's normal (non-dev) dependencies, one package a
/// line with its enabled features: `name vX.Y.Z (path) [f1,f2]`.
fn normal_tree() -> String {
    let out = Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "tree",
            "--offline",
            "-p",
            "aktiver-sandbox",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "-f",
            "{p} [{f}]",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sandbox_links_the_chip_crate_without_reader_or_issuer() {
    let tree = normal_tree();
    let emrtd: Vec<&str> = tree
        .lines()
        .filter(|l| l.starts_with("aktiver-emrtd "))
        .collect();
    assert!(!emrtd.is_empty(), "aktiver-emrtd not in the tree:\n{tree}");
    for line in &emrtd {
        assert!(line.ends_with("[]"), "features enabled: {line}");
    }
    // The reader's own dependencies (secure messaging ciphers and MACs) and
    // the issuer's (JPEG portraits) are absent.
    for krate in ["des", "cmac", "aes", "jpeg-encoder"] {
        assert!(
            !tree.lines().any(|l| l.starts_with(&format!("{krate} v"))),
            "{krate} is compiled into the sandbox"
        );
    }
}

#[test]
fn stored_test_csca_is_the_test_pki_csca() {
    let pki = aktiver_emrtd::issuer::TestPki::generate(Default::default()).unwrap();
    assert_eq!(aktiver_sandbox::TEST_CSCA_DER, pki.csca().der.as_slice());
}
