//! Progress bars for the library reporters; only drawn on a terminal.

use std::sync::Mutex;

use bosun_deb::Reporter;
use indicatif::{ProgressBar, ProgressStyle};

/// Download progress: one bar for all bytes, with the number of files done.
pub(crate) struct DownloadReporter {
    bar: Option<ProgressBar>,
    done: Mutex<u64>,
}

impl DownloadReporter {
    /// A reporter that draws only when `enabled`.
    pub(crate) fn new(enabled: bool) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} fetching {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            bar
        });
        Self {
            bar,
            done: Mutex::new(0),
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Reporter for DownloadReporter {
    fn on_download_start(&self, _name: &str, size: u64) {
        if let Some(bar) = &self.bar {
            bar.inc_length(size);
        }
    }
    fn on_download_progress(&self, _name: &str, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }
    fn on_download_complete(&self, name: &str) {
        let mut done = self.done.lock().expect("lock");
        *done += 1;
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{done} files, last {name}"));
        }
        tracing::debug!(name, "fetched");
    }
}
