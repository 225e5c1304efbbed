//! A terminal program driven as a person would: a tmux session running it, keys sent, the
//! screen captured, and the terminal's state after it exits.

use std::path::PathBuf;
use std::process::Command;

use crate::{peer, run};

/// A tmux session running a program, then `stty -a` into `state` once it exits.
pub struct Screen {
    tmux: PathBuf,
    name: String,
    state: PathBuf,
}

impl Screen {
    /// Starts `base` (a command whose program, environment and working directory are
    /// used) with `args` added, in a 160x48 terminal; `tag` names the session.
    pub fn start(base: Command, args: &[&str], tag: &str) -> Option<Self> {
        let tmux = peer("tmux")?;
        let name = format!("bosun-screen-{}-{tag}", std::process::id());
        let dir = tempfile::tempdir().expect("tempdir").keep();
        let state = dir.join(format!("stty-{tag}"));
        let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
        let env: Vec<String> = base
            .get_envs()
            .filter_map(|(k, v)| Some(format!("{}={}", k.to_str()?, quote(v?.to_str()?))))
            .collect();
        let cd = base
            .get_current_dir()
            .map(|d| format!("cd {} && ", quote(&d.display().to_string())))
            .unwrap_or_default();
        let command = format!(
            // `state` appears only whole (renamed into place): the test reads it as soon as
            // it exists, and a redirect creates the file before stty has written a byte.
            "{cd}env {} {} {}; echo exit=$? > {}.code; stty -a > {}.part && mv {}.part {}; sleep 120",
            env.join(" "),
            quote(&base.get_program().to_string_lossy()),
            args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "),
            state.display(),
            state.display(),
            state.display(),
            state.display()
        );
        run(Command::new(&tmux).args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "160",
            "-y",
            "48",
            &command,
        ]));
        Some(Self { tmux, name, state })
    }

    /// Sends tmux key names.
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            run(Command::new(&self.tmux).args(["send-keys", "-t", &self.name, key]));
        }
    }

    /// The screen now.
    pub fn text(&self) -> String {
        run(Command::new(&self.tmux).args(["capture-pane", "-p", "-t", &self.name]))
    }

    /// The screen once it shows `needle` (bounded wait).
    #[track_caller]
    pub fn wait_for(&self, needle: &str) -> String {
        for _ in 0..200 {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the screen never showed {needle:?}:\n{}", self.text());
    }

    /// The terminal's state after bosun exited: `stty -a`, and bosun's exit line.
    #[track_caller]
    pub fn after(&self) -> (String, String) {
        for _ in 0..200 {
            if let Ok(state) = std::fs::read_to_string(&self.state) {
                let code =
                    std::fs::read_to_string(self.state.with_extension("code")).unwrap_or_default();
                return (state, code);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("bosun did not exit:\n{}", self.text());
    }

    /// The right pane (the tree or the owners) of a screen 160 columns wide.
    pub fn right(text: &str) -> String {
        text.lines()
            .map(|l| {
                l.chars()
                    .skip(67)
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = Command::new(&self.tmux)
            .args(["kill-session", "-t", &self.name])
            .output();
    }
}

/// A cooked terminal: line editing and echo back on, as before bosun started.
#[track_caller]
pub fn restored(state: &str) {
    for flag in ["icanon", "echo", "isig"] {
        assert!(
            state.split_whitespace().any(|w| w == flag),
            "{flag} is off after bosun exited:\n{state}"
        );
    }
}
