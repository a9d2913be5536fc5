//! One module per subcommand group. Exit statuses everywhere: 0 all valid,
//! 1 something invalid, 2 misuse or unreadable input.

pub mod chip;
pub mod chip_verify;
pub mod demo;
pub mod helpers;
pub mod mrz;
pub mod nin;
pub mod run;
pub mod scan;
pub mod scenario;
pub mod serve;

/// Exit status: every input was valid.
pub const EXIT_VALID: u8 = 0;
/// Exit status: at least one input was read but is not valid.
pub const EXIT_INVALID: u8 = 1;
/// Exit status: misuse or unreadable input.
pub const EXIT_MISUSE: u8 = 2;
