//! `aktiver-sim demo`: the most complete path the simulator can walk today.
//!
//! It follows the activation flow's first screens with a made-up Norwegian
//! person from the Tenor synthetic population: the identity number typed
//! in, the ID card's MRZ read by the camera scanner from generated frames of
//! the card (and, as OCR text with slips, repaired), the document rules the ID
//! check applies, and the card's chip read over a simulated NFC link and
//! verified. Each later capability (the sandbox server, the flow) adds its
//! step here.

use super::{EXIT_INVALID, EXIT_VALID};
use aktiver_mrz::{DocumentRules, RepairStatus, check_digit};
use aktiver_nin::{NationalId, Policy, classic_k1, k2};
use aktiver_scan::synth::{Level, Scenario};
use aktiver_scan::{Consensus, scan_frame};
use time::OffsetDateTime;

/// The simulated camera: which seeded scene films the card, and how many
/// frames it gives the scanner at most.
const DEMO_CAMERA_SEED: u64 = 2026;
const DEMO_CAMERA_FRAMES: u64 = 8;

fn digit(data: &str) -> char {
    char::from(b'0' + check_digit(data.as_bytes()))
}

/// A synthetic (Tenor, month + 80) identity number born 15 January 1990.
fn synthetic_number() -> Option<String> {
    (100..500).find_map(|individual: u32| {
        let mut d = [1u8, 5, 8, 1, 9, 0, 0, 0, 0];
        d[6] = (individual / 100) as u8;
        d[7] = (individual / 10 % 10) as u8;
        d[8] = (individual % 10) as u8;
        let k1 = classic_k1(&d)?;
        let mut ten = [0u8; 10];
        ten[..9].copy_from_slice(&d);
        ten[9] = k1;
        let k2 = k2(&ten)?;
        Some(
            ten.iter()
                .chain(std::iter::once(&k2))
                .map(|n| char::from(b'0' + n))
                .collect(),
        )
    })
}

/// The back of a Norwegian national ID card (TD1) for that person.
fn id_card_mrz(nin: &str, expiry: &str) -> String {
    let number = "NA1234567";
    let optional1 = format!("{nin}<<<<");
    let l1 = format!("IDNOR{number}{}{optional1}", digit(number));
    let birth = "900115";
    let l2_head = format!("{birth}{}F{expiry}{}NOR", digit(birth), digit(expiry));
    let optional2 = "<<<<<<<<<<<";
    let composite = format!(
        "{}{}{}{}",
        &l1[5..30],
        &l2_head[0..7],
        &l2_head[8..15],
        optional2
    );
    let l2 = format!("{l2_head}{optional2}{}", digit(&composite));
    let l3 = "NORDMANN<<KARI<<<<<<<<<<<<<<<<";
    format!("{l1}\n{l2}\n{l3}")
}

pub fn run() -> u8 {
    let today = OffsetDateTime::now_utc().date();
    println!("aktiver-sim demo: activation with a Norwegian national ID card (sandbox person)\n");

    // Screen: national identity number.
    let Some(typed) = synthetic_number() else {
        eprintln!("could not make a synthetic identity number");
        return EXIT_INVALID;
    };
    println!("1. National identity number");
    match NationalId::parse(&typed, Policy::PRODUCTION) {
        Err(e) => println!("   production policy: refused ({})", e.code()),
        Ok(_) => println!("   production policy: accepted"),
    }
    let id = match NationalId::parse(&typed, Policy::SANDBOX) {
        Ok(id) => id,
        Err(e) => {
            println!("   sandbox policy: refused ({e})");
            return EXIT_INVALID;
        }
    };
    println!(
        "   sandbox policy: accepted {} ({:?}, synthetic {:?})",
        id.masked(true),
        id.kind(),
        id.synthetic()
    );

    // Screen: scan the MRZ on the back of the card. The simulator's camera
    // films the sandbox person's card (the seeded frame generator at its
    // moderate level: tilt, perspective, blur, noise, uneven light, glare,
    // JPEG); the scanner reads each frame and the consensus decides.
    let expiry_year = (today.year() + 5) % 100;
    let expiry = format!("{expiry_year:02}0630");
    let printed = id_card_mrz(id.as_str(), &expiry);
    let printed_lines: Vec<String> = printed.lines().map(str::to_owned).collect();
    println!("\n2. MRZ from the camera (generated 1280x720 frames of the card's back)");
    let Some(camera) = Scenario::of_document(
        DEMO_CAMERA_SEED,
        Level::Moderate,
        &printed_lines,
        (1280, 720),
    ) else {
        println!("   the card's MRZ has no TD1 shape");
        return EXIT_INVALID;
    };
    let mut consensus = Consensus::new();
    let mut voted = None;
    for i in 0..DEMO_CAMERA_FRAMES {
        let frame = camera.frame(i);
        let started = std::time::Instant::now();
        let scan = scan_frame(&frame.image.frame());
        let ms = started.elapsed().as_secs_f64() * 1e3;
        voted = consensus.push(&scan);
        println!(
            "   frame {}: {} ({ms:.1} ms{}){}",
            i + 1,
            scan.feedback.as_str(),
            if i == 0 {
                ", with the glyph templates built"
            } else {
                ""
            },
            if voted.is_some() {
                ", frames agree"
            } else {
                ""
            }
        );
        if voted.is_some() {
            break;
        }
    }
    let Some(lines) = voted else {
        println!("   no agreed reading in {DEMO_CAMERA_FRAMES} frames");
        return EXIT_INVALID;
    };
    for line in &lines {
        println!("   {line}");
    }
    let m = match aktiver_mrz::parse(&lines.join("\n")) {
        Ok(m) => m,
        Err(e) => {
            println!("   unreadable: {e}");
            return EXIT_INVALID;
        }
    };
    let checks: Vec<String> = m
        .checks
        .iter()
        .map(|c| format!("{} {}", c.field.name(), if c.ok { "ok" } else { "FAILED" }))
        .collect();
    println!("   checks: {}", checks.join(", "));
    if m.text() != printed {
        println!("   the MRZ was not read correctly");
        return EXIT_INVALID;
    }

    // A camera's OCR slips, repaired under the check digits (what
    // `mrz parse --repair` does for text from any other reader): `O` for `0`
    // in the birth date.
    let mut ocr_lines = printed_lines.clone();
    if let Some(l) = ocr_lines.get_mut(1) {
        *l = l.replacen("9001", "9OO1", 1);
    }
    let out = match aktiver_mrz::parse_repairing(&ocr_lines.join("\n"), 2) {
        Ok(out) => out,
        Err(e) => {
            println!("   unreadable: {e}");
            return EXIT_INVALID;
        }
    };
    println!(
        "   the same MRZ as OCR text with slips: {}",
        out.status.name()
    );
    for r in &out.mrz.repairs {
        println!(
            "     line {} column {}: {} -> {}{}",
            r.line,
            r.column,
            r.from,
            r.to,
            if r.verified {
                " (check digits agree)"
            } else {
                ""
            }
        );
    }
    if out.status != RepairStatus::Repaired || out.mrz.text() != printed {
        println!("   the OCR text was not repaired");
        return EXIT_INVALID;
    }

    // The ID check's rules.
    println!("\n3. Document rules (Norwegian passport or national ID card, not expired)");
    match m.check_rules(&DocumentRules::norwegian(today)) {
        Ok(()) => println!(
            "   accepted: {} issued by {}",
            m.kind().name(),
            m.issuing_state
        ),
        Err(e) => {
            println!("   refused: {e} ({})", e.code());
            return EXIT_INVALID;
        }
    }
    let in_mrz = m.national_identity_number(Policy::SANDBOX);
    let same = in_mrz.as_ref().is_some_and(|n| n == &id);
    println!(
        "   identity number in the MRZ: {} ({})",
        in_mrz.map_or_else(|| "none".to_owned(), |n| n.masked(true)),
        if same {
            "matches the one typed"
        } else {
            "DOES NOT MATCH"
        }
    );
    if !same {
        return EXIT_INVALID;
    }
    let access = format!(
        "{}{}{}{}{}{}",
        m.document_number,
        digit(&m.document_number),
        m.birth_date.raw,
        digit(&m.birth_date.raw),
        m.expiry_date.raw,
        digit(&m.expiry_date.raw)
    );
    println!(
        "   chip access key (BAC/PACE MRZ information) ready: {} characters",
        access.len()
    );

    // Screen: hold the card to the phone. The virtual chip holds the same
    // person's card, issued by the sandbox's test PKI.
    println!("\n4. Chip (virtual ID card, 424 kbit/s NFC link)");
    let (report, verified) =
        match super::chip::read_document(&m.lines.concat(), super::chip::DocKind::IdCard) {
            Ok(r) => r,
            Err(e) => {
                println!("   read failed: {e}");
                return EXIT_INVALID;
            }
        };
    let field = |k: &str| {
        report
            .get(k)
            .map_or_else(String::new, |v| match v.as_str() {
                Some(s) => s.to_owned(),
                None => v.to_string(),
            })
    };
    println!(
        "   access {}, {} APDUs, {} ms simulated",
        field("access"),
        field("apdus"),
        field("simulated_ms")
    );
    println!(
        "   passive authentication {}, chip authentication {}, active authentication {}",
        field("passive_authentication"),
        field("chip_authentication"),
        field("active_authentication")
    );
    println!(
        "   DG1 matches the scanned MRZ: {}",
        field("dg1_matches_scanned_mrz")
    );
    if let Some(p) = report.get("portrait") {
        println!(
            "   portrait for the face check: {} bytes ({})",
            p.get("bytes").map_or_else(String::new, ToString::to_string),
            p.get("mime_type").and_then(|v| v.as_str()).unwrap_or("?")
        );
    }
    if !verified {
        println!("   the chip could not be verified");
        return EXIT_INVALID;
    }
    println!("\nNext in the flow, not yet in the simulator: face check, password, agreement.");
    EXIT_VALID
}
