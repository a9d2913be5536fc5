//! Every scenario under `tests/simulator/scenarios/` run by `aktiver-sim
//! scenario`, one test each.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn run(file: &str) {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
        .args(["scenario", &path])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{file}:\n{text}\n{err}");
    assert!(text.lines().all(|l| l.starts_with("ok ")), "{text}");
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { run(concat!(stringify!($name), ".toml")); })*

        /// Every file in the directory has its test above.
        #[test]
        fn every_scenario_file_is_run() {
            let dir = format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"));
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let mut listed = vec![$(concat!(stringify!($name), ".toml").to_owned()),*];
            listed.sort();
            assert_eq!(files, listed);
        }
    };
}

scenarios!(
    happy_id_card,
    happy_passport,
    code_unit,
    activation_code,
    not_now,
    not_now_new_password,
    wrong_sms_until_locked,
    expired_sms_code,
    phone_mismatch,
    national_id_input,
    expired_document,
    mrz_nin_differs,
    wrong_document_kind,
    lost_tag,
    tampered_chip,
    cloned_chip,
    face_mismatch,
    weak_password,
    network_failure,
    kill_and_resume,
    cancel_each_screen,
    cancel_in_flight,
    back_in_flight,
    second_device,
    returning_user,
    cancel_capability,
    resume_asks_server,
);
