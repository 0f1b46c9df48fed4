//! Ctrl+C: the core's cancel flag, which its trainers read between trees, rounds and epochs
//! (and the CSV reader between records), set by SIGINT. A long `train` then stops within a
//! unit of work, says it was cancelled and exits 130; no file is left half written (`write_file`
//! writes beside the target and renames). A second Ctrl+C exits at once.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The exit status of a run stopped by Ctrl+C (128 + SIGINT, as shells report it).
pub const EXIT_STATUS: u8 = 130;

/// Installs the handler (once, at start). Without one (the platform refused), Ctrl+C keeps its
/// default: the process ends at once.
pub fn install() {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::Relaxed) {
            std::process::exit(i32::from(EXIT_STATUS));
        }
    });
    if let Err(e) = installed {
        eprintln!("note: Ctrl+C will stop without cleaning up ({e})");
    }
}

/// The flag the core's long work reads.
pub fn flag() -> &'static AtomicBool {
    &INTERRUPTED
}

/// Whether Ctrl+C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}
