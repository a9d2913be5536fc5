//! The scanner on stored real images (see `tests/images/README.md` for their
//! source and licence), in every orientation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aktiver_scan::{Format, LumaImage, Rotation, scan_image, still};

fn load(name: &str) -> LumaImage {
    let path = format!("{}/tests/images/{name}", env!("CARGO_MANIFEST_DIR"));
    still::decode(&std::fs::read(path).unwrap()).unwrap()
}

/// `img` stored turned so that `rot` turns it upright (a sideways photo).
fn turned(img: &LumaImage, rot: Rotation) -> LumaImage {
    let (data, width, height, _) = img.to_camera_buffer(rot, 0);
    LumaImage {
        width,
        height,
        data,
    }
}

#[test]
fn a_td2_is_located_and_read_in_every_orientation() {
    let img = load("td2-icao-specimen.png");
    let truth = [
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
        "D231458907UTO7408122F1204159<<<<<<<6",
    ];
    for rot in [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270] {
        let scan = scan_image(&turned(&img, rot));
        assert!(scan.valid, "{rot:?}");
        let rd = scan.reading.expect("reading");
        assert_eq!(rd.format, Format::Td2, "{rot:?}");
        assert_eq!(rd.lines, truth, "{rot:?}");
    }
}
