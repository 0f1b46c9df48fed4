//! The memory a browser session's processes use, read from `/proc` (Linux) while a measurement
//! runs: what the tab costs the machine, which the page itself cannot see (a wasm heap never
//! shrinks, JS copies of transferred bytes, the workers' own heaps are all in the renderer).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The highest resident memory seen while watching.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryPeak {
    /// The renderer processes (the page, its workers and their wasm heaps).
    pub renderer: u64,
    /// Every process of the browser (renderers, GPU, network, the browser itself).
    pub all: u64,
}

impl MemoryPeak {
    pub fn text(&self) -> String {
        format!(
            "peak resident memory: renderer {:.0} MB, all of Chromium's processes {:.0} MB",
            self.renderer as f64 / 1e6,
            self.all as f64 / 1e6
        )
    }
}

/// Samples the processes every 100 ms on its own thread until [`MemoryWatch::stop`].
pub struct MemoryWatch {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<MemoryPeak>,
}

impl MemoryWatch {
    pub fn start(profile: &Path) -> MemoryWatch {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let profile = profile.to_path_buf();
        let thread = std::thread::spawn(move || {
            let mut peak = MemoryPeak::default();
            while !flag.load(Ordering::Relaxed) {
                let now = sample(&profile);
                peak.renderer = peak.renderer.max(now.renderer);
                peak.all = peak.all.max(now.all);
                std::thread::sleep(Duration::from_millis(100));
            }
            peak
        });
        MemoryWatch { stop, thread }
    }

    pub fn stop(self) -> MemoryPeak {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

struct Process {
    pid: u32,
    parent: u32,
    cmdline: String,
}

fn processes() -> Vec<Process> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // "pid (name) state ppid ...": the name may hold spaces, so read after its ')'.
        let parent = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        Some(Process {
            pid,
            parent,
            cmdline,
        })
    })
    .collect()
}

fn resident_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// The browser process started with this profile, and all its descendants.
fn sample(profile: &Path) -> MemoryPeak {
    let all = processes();
    let marker = format!("--user-data-dir={}", profile.display());
    let mut family: Vec<&Process> = all
        .iter()
        .filter(|p| p.cmdline.contains(&marker) && !p.cmdline.contains("--type="))
        .collect();
    let mut i = 0;
    while i < family.len() {
        let pid = family[i].pid;
        family.extend(all.iter().filter(|p| p.parent == pid));
        i += 1;
    }
    let mut peak = MemoryPeak::default();
    for p in family {
        let rss = resident_bytes(p.pid);
        peak.all += rss;
        if p.cmdline.contains("--type=renderer") {
            peak.renderer += rss;
        }
    }
    peak
}
