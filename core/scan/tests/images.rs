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

/// One stored image of every ICAO 9303 format (TD1, TD2, TD3 real; MRV-A and
/// MRV-B from the independent renderer), each fed in all four
/// orientations without telling the scanner (a still image's orientation is
/// unknown unless its EXIF tag says it): located, read exactly and accepted.
#[test]
fn every_format_is_read_in_every_orientation() {
    let cases: [(&str, Format, &[&str]); 5] = [
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
        (
            "mrva-independent.jpg",
            Format::MrvA,
            &[
                "V<FRAHANSEN<LIE<<NORA<<<<<<<<<<<<<<<<<<<<<<<",
                "P318159080DNK6701033M31070365V37E3<<<<<<<<<<",
            ],
        ),
        (
            "mrvb-independent.jpg",
            Format::MrvB,
            &[
                "V<NLDEMMA<<KARI<SMITH<<<<<<<<<<<<<<<",
                "9Y08414851FRA6106258<2809182MECFSE<<",
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

/// Characters of `lines` that match `truth` position by position.
fn matching(lines: &[String], truth: &[&str]) -> usize {
    lines
        .iter()
        .zip(truth)
        .map(|(l, t)| l.chars().zip(t.chars()).filter(|(a, b)| a == b).count())
        .sum()
}

/// An MRZ printed almost edge to edge of a small scan: the strip around it
/// runs off the image, but its lines do not, and they are read (taller print
/// for its pitch than the font's, at 5 pixels per character: every line
/// measures short of a TD3's length in text heights). Whether so small a
/// name is clear enough to accept is the acceptance rule's call.
#[test]
fn an_mrz_at_the_edge_of_a_small_scan_is_read() {
    let truth = [
        "P<GBRUNITED<KINGDOM<TWENTY<SIX<<JODIE<PIPPA<",
        "1071828900GBR8501178F1601312<<<<<<<<<<<<<<06",
    ];
    let scan = scan_image(&load("td3-gbr-small-scan.jpg"));
    let rd = scan.reading.expect("the MRZ is located and read");
    assert_eq!(rd.format, Format::Td3);
    assert_eq!(rd.lines, truth);
}

/// Lines of security print close above the MRZ and its ends near the scan's
/// sides: located and read at the image's own scale. This passport's `D`
/// reads as an `O`, so the reading is refused, never accepted wrong.
#[test]
fn an_mrz_under_lined_security_print_is_located() {
    let truth = [
        "P<NLDMEULENDIJK<<LOES<ALBERTINE<<<<<<<<<<<<<",
        "XA00000148NLD7110195F0604121123456782<<<<<02",
    ];
    let scan = scan_image(&load("td3-nld-lined-background.jpg"));
    let rd = scan.reading.expect("the MRZ is located and read");
    assert_eq!(rd.format, Format::Td3);
    assert!(
        matching(&rd.lines, &truth) >= 80,
        "{}",
        matching(&rd.lines, &truth)
    );
    assert!(!scan.valid || rd.lines == truth);
}

/// Wide-spaced print breaks an MRZ line into pieces at the camera frame's
/// locator scale (the gaps around a `1` or a `<` are wider than the row
/// closing bridges); the locator joins them back into lines, so one camera
/// pass finds an MRZ whose last line runs close to the image's bottom edge.
#[test]
fn an_mrz_line_in_pieces_is_located_in_one_camera_pass() {
    let truth = [
        "P<ISLAEVARSDOTTIR<<THURIDUR<OESP<<<<<<<<<<<<",
        "A0000000<0ISL6612315F0905264311266<9539<<<32",
    ];
    let img = load("td3-isl-specimen-grey.jpg");
    let scan = aktiver_scan::scan_frame(&img.frame());
    let rd = scan.reading.expect("located in one pass");
    assert_eq!(rd.format, Format::Td3);
    assert_eq!(rd.lines, truth);
}

/// An MRV-B visa (2 lines of 36) on a screenshot of a visa form: the
/// camera-frame pass misses it, another locator scale reads it, and that
/// reading is what the still image answers with (its refusal, if any, then
/// names what is unclear in it rather than what the first pass missed).
#[test]
fn an_mrv_b_visa_is_read_at_another_locator_scale() {
    let truth = [
        "VCPOLKOWALSKA<KWIATKOWSKA<<BEATA<<<<",
        "PL00000008POL6002084F0505011<<<<<<<0",
    ];
    let scan = scan_image(&load("mrvb-pol-specimen-grey.jpg"));
    let rd = scan.reading.expect("read at another scale");
    assert_eq!(rd.format, Format::MrvB);
    assert_eq!(rd.lines, truth);
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

/// A Luxembourg specimen photographed with its page bowing: its printer sets
/// OCR-B at 0.85 of the height its pitch predicts, below every glyph height
/// the reader tries at first. Sampled in too tall a box, its `0`s fit an `O`
/// and its `8`s a `B`, and the fit by those classes holds on to the box; the
/// lens is looked for further down, by the classes each position allows.
/// (Its dates, and the `0`s of its optional data that no check digit tells
/// from `O`s when both hold it.)
#[test]
fn squat_print_is_read_at_its_own_height() {
    let truth = "S998527<<4LUX7806201F110808403060021041<<<96";
    let scan = scan_image(&load("td3-lux-squat-print.jpg"));
    let rd = scan.reading.expect("the MRZ is located and read");
    assert_eq!(rd.format, Format::Td3);
    let line = rd.lines.get(1).expect("a second line");
    assert_eq!(line.get(13..), truth.get(13..));
}

/// The same page bows by 1.3 strip rows of a 14-row text height between its
/// middle and its ends: followed, the first character (where the bow is
/// largest) reads `S`, not `5` or `8`, and the MRZ is accepted.
#[test]
fn a_slight_bow_is_followed() {
    let truth = [
        "P<LUXMAUS<<KETTY<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
        "S998527<<4LUX7806201F110808403060021041<<<96",
    ];
    let scan = scan_image(&load("td3-lux-squat-print.jpg"));
    let rd = scan.reading.expect("the MRZ is located and read");
    assert_eq!(rd.lines, truth);
    assert!(scan.valid);
}
