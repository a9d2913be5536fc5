//! The chip read's steps as a tester follows them, from the instruction
//! bytes the phone sent (headers stay readable under secure messaging):
//! access control, the files read, chip and active authentication.
use serde::Serialize;

/// One step of the read, how many commands it took so far, and its result
/// once the phone has decided (`passed`, `failed`, `not_run`, `not_used`,
/// or `pending`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChipStep {
    pub step: &'static str,
    pub commands: u32,
    pub result: &'static str,
}

/// How the phone's read and check ended, as far as the screens tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// Still reading (or not started).
    Pending,
    /// The flow moved on to the face check: every step held.
    Verified,
    /// The flow failed with this code.
    Failed(&'a str),
}

/// The step a failure code names (the flow's `Failure` codes for the chip).
fn failing_step(code: &str) -> Option<&'static str> {
    Some(match code {
        "chip_access_denied" => "access_control",
        "chip_read_failed" => "read_binary",
        "document_not_authentic" => "passive_authentication",
        "chip_authentication_failed" => "chip_authentication",
        _ => return None,
    })
}

/// The steps with their results: before the failing step passed, the
/// failing one failed, after it not run; all passed once verified. A step
/// without commands was not used by this chip (active authentication where
/// chip authentication answers, say); passive authentication runs on the
/// phone over what was read, without commands.
pub fn with_results(mut steps: Vec<ChipStep>, outcome: Outcome<'_>) -> Vec<ChipStep> {
    // Passive authentication checks the files read, before chip authentication.
    let at = steps
        .iter()
        .position(|s| s.step == "chip_authentication")
        .unwrap_or(steps.len());
    steps.insert(
        at,
        ChipStep {
            step: "passive_authentication",
            commands: 0,
            result: "pending",
        },
    );
    let failing = match outcome {
        Outcome::Failed(code) => failing_step(code).map(|f| {
            // Chip authentication and active authentication answer the same
            // failure: it is the one the chip was asked to do.
            if f == "chip_authentication" && steps.iter().any(|s| s.step == f && s.commands == 0) {
                "active_authentication"
            } else {
                f
            }
        }),
        _ => None,
    };
    let mut after_failure = false;
    for s in &mut steps {
        let used = s.commands > 0 || s.step == "passive_authentication";
        s.result = match outcome {
            Outcome::Pending => "pending",
            Outcome::Verified if used => "passed",
            Outcome::Verified => "not_used",
            Outcome::Failed(_) if Some(s.step) == failing => {
                after_failure = true;
                "failed"
            }
            Outcome::Failed(_) if after_failure || failing.is_none() => "not_run",
            Outcome::Failed(_) if used => "passed",
            Outcome::Failed(_) => "not_used",
        };
    }
    steps
}

const SELECT: u8 = 0xA4;
const READ_BINARY: [u8; 2] = [0xB0, 0xB1];
const INTERNAL_AUTHENTICATE: u8 = 0x88;
const GET_CHALLENGE: u8 = 0x84;
const EXTERNAL_AUTHENTICATE: u8 = 0x82;
const MSE: u8 = 0x22;
const GENERAL_AUTHENTICATE: u8 = 0x86;

/// Secure messaging's bits in the class byte.
const CLA_SM: u8 = 0x0C;

/// READ BINARY's P1 with this bit names the file by its short identifier.
const P1_SFI: u8 = 0x80;

/// Groups the commands by class, instruction and P1: authentication in
/// plain is access control (PACE or BAC); under secure messaging MSE and
/// GENERAL AUTHENTICATE are chip authentication; a file starts with a
/// SELECT under secure messaging or a READ BINARY by short identifier;
/// INTERNAL AUTHENTICATE is active authentication.
pub fn steps(headers: &[[u8; 3]]) -> Vec<ChipStep> {
    let (mut access, mut files, mut reads, mut chip_auth, mut active_auth) = (0, 0, 0, 0, 0);
    for &[cla, ins, p1] in headers {
        let sm = cla & CLA_SM == CLA_SM;
        match ins {
            INTERNAL_AUTHENTICATE => active_auth += 1,
            i if READ_BINARY.contains(&i) => {
                reads += 1;
                if sm && i == 0xB0 && p1 & P1_SFI != 0 {
                    files += 1;
                }
            }
            SELECT if sm => files += 1,
            MSE | GENERAL_AUTHENTICATE if sm => chip_auth += 1,
            MSE | GENERAL_AUTHENTICATE | GET_CHALLENGE | EXTERNAL_AUTHENTICATE => access += 1,
            _ => {}
        }
    }
    [
        ("access_control", access),
        ("files", files),
        ("read_binary", reads),
        ("chip_authentication", chip_auth),
        ("active_authentication", active_auth),
    ]
    .into_iter()
    .map(|(step, commands)| ChipStep {
        step,
        commands,
        result: "pending",
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_fall_into_their_steps_by_order() {
        // EF.CardAccess read in plain, PACE (MSE + 4 GA, two of them chained),
        // then under secure messaging: SELECT + 2 reads, a read by short
        // identifier (a second file), CA (MSE + GA), AA.
        let plain = |ins| [0x00, ins, 0x00];
        let sm = |ins| [0x0C, ins, 0x00];
        let headers = [
            [0x00, 0xB0, 0x9C],
            plain(0x22),
            plain(0x86),
            [0x10, 0x86, 0x00],
            [0x10, 0x86, 0x00],
            plain(0x86),
            sm(0xA4),
            sm(0xB0),
            sm(0xB1),
            [0x0C, 0xB0, 0x82],
            sm(0x22),
            sm(0x86),
            sm(0x88),
        ];
        let got: Vec<u32> = steps(&headers).iter().map(|s| s.commands).collect();
        assert_eq!(got, vec![5, 2, 4, 2, 1]);

        let results = |o| -> Vec<(&str, &str)> {
            with_results(steps(&headers), o)
                .iter()
                .map(|s| (s.step, s.result))
                .collect()
        };
        assert!(
            results(Outcome::Verified)
                .iter()
                .all(|(_, r)| *r == "passed")
        );
        assert_eq!(
            results(Outcome::Failed("document_not_authentic")),
            vec![
                ("access_control", "passed"),
                ("files", "passed"),
                ("read_binary", "passed"),
                ("passive_authentication", "failed"),
                ("chip_authentication", "not_run"),
                ("active_authentication", "not_run"),
            ]
        );
        let r = results(Outcome::Failed("chip_authentication_failed"));
        assert_eq!(r[4], ("chip_authentication", "failed"));
        assert_eq!(r[3], ("passive_authentication", "passed"));
    }
}
