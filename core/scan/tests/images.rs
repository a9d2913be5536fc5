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

/// One stored image of every ICAO 9303 format, each fed in all four
/// orientations without telling the scanner (a still image's orientation is
/// unknown unless its EXIF tag says it): located, read exactly and accepted.
#[test]
fn every_format_is_read_in_every_orientation() {
    let cases: [(&str, Format, &[&str]); 3] = [
        (
            "td1-deu-specimen-small.jpg",
            Format::Td1,
            &[
                "IDD<<T220001293<<<<<<<<<<<<<<<",
                "6408125<2010315D<<<<<<<<<<<<<4",
                "MUSTERMANN<<ERIKA<<<<<<<<<<<<<",
            ],
        ),
        (
            "td2-icao-specimen.png",
            Format::Td2,
            &[
                "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                "D231458907UTO7408122F1204159<<<<<<<6",
            ],
        ),
        (
            "td3-hrv-specimen.jpg",
            Format::Td3,
            &[
                "P<HRVSPECIMEN<<SPECIMEN<<<<<<<<<<<<<<<<<<<<<",
                "0070070071HRV8212258F1407019<<<<<<<<<<<<<<06",
            ],
        ),
    ];
    for (name, format, truth) in cases {
        let img = load(name);
        for rot in [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270] {
            let scan = scan_image(&turned(&img, rot));
            assert!(scan.valid, "{name} {rot:?}: {:?}", scan.feedback);
            let rd = scan.reading.expect("reading");
            assert_eq!(rd.format, format, "{name} {rot:?}");
            assert_eq!(rd.lines, truth, "{name} {rot:?}");
        }
    }
}

/// Small scans: characters 5 to 12 pixels wide are read only at twice or four
/// times the size (`scan_image` upscales a still image it cannot read).
#[test]
fn small_scans_are_read_upscaled() {
    let cases = [
        (
            "td3-egy-small-scan.jpg",
            [
                "P<EGYMABROUK<<ALAAELDIN<ISMAIL<MOHAMED<<<<<<",
                "A000513764EGY6002202M1503151<<<<<<<<<<<<<<06",
            ],
        ),
        (
            "td3-icao-specimen-small.jpg",
            [
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
            ],
        ),
        (
            "td3-hrv-specimen.jpg",
            [
                "P<HRVSPECIMEN<<SPECIMEN<<<<<<<<<<<<<<<<<<<<<",
                "0070070071HRV8212258F1407019<<<<<<<<<<<<<<06",
            ],
        ),
    ];
    for (name, truth) in cases {
        let scan = scan_image(&load(name));
        assert!(scan.valid, "{name}");
        let rd = scan.reading.expect("reading");
        assert_eq!(rd.format, Format::Td3, "{name}");
        assert_eq!(rd.lines, truth, "{name}");
    }
}

/// A state code's letter is in doubt only against a rival that makes a code
/// that exists: `D<<` (Germany) stands against `O<<`.
#[test]
fn a_state_code_is_read_against_the_list_of_states() {
    let scan = scan_image(&load("td1-deu-specimen-small.jpg"));
    assert!(scan.valid);
    let rd = scan.reading.expect("reading");
    assert_eq!(rd.format, Format::Td1);
    assert_eq!(
        rd.lines,
        [
            "IDD<<T220001293<<<<<<<<<<<<<<<",
            "6408125<2010315D<<<<<<<<<<<<<4",
            "MUSTERMANN<<ERIKA<<<<<<<<<<<<<",
        ]
    );
}

/// A `D` in a name, which no check digit covers, that template matching
/// puts only 0.012 ahead of an `O`: its square left corners tell it.
#[test]
fn a_d_in_a_name_is_told_from_an_o_by_its_shape() {
    let scan = scan_image(&load("td1-usa-specimen.jpg"));
    assert!(scan.valid);
    let rd = scan.reading.expect("reading");
    assert_eq!(rd.format, Format::Td1);
    assert_eq!(
        rd.lines,
        [
            "IAUSA0000000033LIN1044750079<<",
            "5808175F1004027COD<<<<<<<<<<<7",
            "SPECIMEN<<TEST<VOID<<<<<<<<<<<",
        ]
    );
}

/// A `0` under a check digit whose runner-up is a `U`: the two differ by 30
/// in a check sum, so the check digit holds for either and only the glyph's
/// closed top tells them apart.
#[test]
fn a_zero_is_told_from_a_u_by_its_closed_top() {
    let scan = scan_image(&load("td1-mac-specimen.jpg"));
    assert!(scan.valid);
    let rd = scan.reading.expect("reading");
    assert_eq!(rd.format, Format::Td1);
    assert_eq!(
        rd.lines,
        [
            "I<MAC12281507<0<<<<<<<<0212300",
            "6106225M1212307<<<<<<<<<<<<<<6",
            "CHONG<<KA<KEONG<<<<<<<<<<<<<<<",
        ]
    );
}

/// A passport page photographed open, its MRZ running down the page and bent
/// with it, inside a frame drawn around it: the lines are followed by their
/// text's bow, not by the frame's straight edges.
#[test]
fn a_bent_page_is_read_along_its_bow() {
    let scan = scan_image(&load("td3-lva-curved-page.jpg"));
    assert!(scan.valid);
    let rd = scan.reading.expect("reading");
    assert_eq!(rd.format, Format::Td3);
    assert_eq!(
        rd.lines,
        [
            "PALVAMOHAMADA<<FARIDA<<<<<<<<<<<<<<<<<<<<<<<",
            "LT00000004XXC8605102F1210314111111<11648<<86",
        ]
    );
}
