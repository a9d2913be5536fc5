//! Standard output for every command: a closed pipe (`aktiver-sim ... | head`)
//! ends the program quietly instead of panicking.
use std::io::Write;

/// Writes one line to stdout; on a closed pipe the process exits with status 0.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("aktiver-sim: writing to standard output: {e}");
        std::process::exit(i32::from(crate::cmd::EXIT_MISUSE));
    }
}

/// `println!` for user-facing output, through [`line`].
#[macro_export]
macro_rules! outln {
    () => { $crate::out::line(format_args!("")) };
    ($($arg:tt)*) => { $crate::out::line(format_args!($($arg)*)) };
}

/// The last line of defence for output written elsewhere with `println!`
/// (which panics on a closed pipe): such a panic ends the program quietly.
pub fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
