//! Rootless, daemonless sandboxes for build steps.
//!
//! A [`Sandbox`] runs one command with a directory as its read-only root, a few host
//! directories mounted into it, a private `/tmp`, `/dev` and `/proc`, and by default no
//! network. It needs no daemon and no privilege: the command runs in new user, mount, PID,
//! IPC, UTS and (without `network`) network namespaces, as root inside them and as the
//! invoking user outside, so every file it writes belongs to the invoking user.
//!
//! Creating a user namespace needs a process with one thread, which a program like bosun is
//! not once it has started its thread pools. So [`Sandbox::run`] starts the running
//! executable again with [`HELPER`] as its first argument; the program's `main` must hand
//! such a call to [`helper_main`] before it does anything else. The helper unshares, maps
//! the user, sets up the mounts and starts the executable a third time, now as PID 1 of the
//! new PID namespace, which mounts `/proc`, pivots into the root and runs the command. When
//! PID 1 exits, the kernel ends everything the command left running; when bosun dies, the
//! helpers die with it (a parent-death signal), and so does the rest.
//!
//! Where user namespaces are not available (a sysctl, AppArmor or seccomp forbids them, as
//! on some CI runners and inside unprivileged containers), [`Sandbox::run`] fails with
//! [`Error::Unavailable`], which says why and how to allow them. It never runs a command
//! unsandboxed.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rustix::fs::StatVfsMountFlags;
use rustix::mount::{MountFlags, MountPropagationFlags, UnmountFlags};
use serde::{Deserialize, Serialize};

/// The first argument that makes the program a sandbox helper ([`helper_main`]).
pub const HELPER: &str = "__bosun-sandbox";

/// The running executable: still the same file when the one at its path was replaced (an
/// upgrade during a build).
const SELF: &str = "/proc/self/exe";

/// The exit code of a helper whose setup failed; the reason is on its stderr.
const SETUP_FAILED: i32 = 125;

/// A host directory mounted into the sandbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mount {
    /// The host directory.
    pub source: PathBuf,
    /// Where it appears: an absolute path whose directory the root already has.
    pub target: String,
    /// Whether the command may write to it.
    pub writable: bool,
}

/// One command to run sandboxed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sandbox {
    /// The root directory, mounted read-only. It must hold the directories `dev`, `proc`,
    /// `tmp` and each mount's target.
    pub root: PathBuf,
    /// Host directories mounted into the root.
    pub mounts: Vec<Mount>,
    /// Keep the host's network (a fetch phase); without it the command sees only a
    /// loopback device that is down.
    pub network: bool,
    /// The working directory, inside the root.
    pub cwd: String,
    /// The whole environment of the command.
    pub env: Vec<(String, String)>,
    /// The command, its first element found through the environment's `PATH`.
    pub argv: Vec<String>,
}

/// Why a sandbox could not run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The kernel or its configuration forbids unprivileged user namespaces.
    #[error(
        "build steps run only in a sandbox, and this machine does not allow one: {cause}. Allow unprivileged user namespaces: `sysctl -w user.max_user_namespaces=15000`, on Ubuntu also `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, on older Debian kernels `sysctl -w kernel.unprivileged_userns_clone=1`; inside a container, run it with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined` (or `--privileged`)"
    )]
    Unavailable {
        /// What failed, with the system's error.
        cause: String,
    },
    /// Setting up the sandbox failed after the namespaces were made.
    #[error("sandbox setup failed: {0}")]
    Setup(String),
    /// The helper process could not be started or waited for.
    #[error("cannot start the sandbox helper: {0}")]
    Spawn(#[source] io::Error),
    /// The command is empty.
    #[error("the sandbox was given no command")]
    NoCommand,
}

/// What the helper reports when its setup fails, one JSON line on its stderr.
#[derive(Serialize, Deserialize)]
struct Failure {
    /// Whether namespaces themselves were refused.
    unavailable: bool,
    message: String,
}

impl Sandbox {
    /// Runs the command; its stdout and stderr go to `log`. Returns its exit code (128 plus
    /// the signal's number when a signal ended it).
    pub fn run(&self, log: &File) -> Result<i32, Error> {
        if self.argv.is_empty() {
            return Err(Error::NoCommand);
        }
        let config = serde_json::to_string(self).map_err(|e| Error::Setup(e.to_string()))?;
        let child = Command::new(SELF)
            .arg(HELPER)
            .arg("outer")
            .arg(config)
            .env_clear()
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(Error::Spawn)?)
            .stderr(Stdio::piped())
            .spawn()
            .map_err(Error::Spawn)?;
        let output = child.wait_with_output().map_err(Error::Spawn)?;
        let code = exit_code(output.status);
        if code == SETUP_FAILED
            && let Some(failure) = String::from_utf8_lossy(&output.stderr)
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str::<Failure>(l).ok())
        {
            return Err(match failure.unavailable {
                true => Error::Unavailable {
                    cause: failure.message,
                },
                false => Error::Setup(failure.message),
            });
        }
        Ok(code)
    }
}

/// The code a shell would give for `status`.
fn exit_code(status: std::process::ExitStatus) -> i32 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 1,
    }
}

/// The entry point of a helper process: `args` are the program's arguments after
/// [`HELPER`]. Never returns.
pub fn helper_main(args: &[String]) -> ! {
    let result = match (args.first().map(String::as_str), args.get(1)) {
        (Some("outer"), Some(config)) => parse(config).and_then(|s| outer(&s, config)),
        (Some("inner"), Some(config)) => parse(config).and_then(|s| inner(&s)),
        _ => Err(setup(
            "the sandbox helper was called without its configuration",
        )),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(failure) => {
            let line = serde_json::to_string(&failure).unwrap_or_default();
            let _ = writeln!(io::stderr(), "{line}");
            std::process::exit(SETUP_FAILED)
        }
    }
}

fn parse(config: &str) -> Result<Sandbox, Failure> {
    serde_json::from_str(config).map_err(|e| setup(format!("bad configuration: {e}")))
}

fn setup(message: impl Into<String>) -> Failure {
    Failure {
        unavailable: false,
        message: message.into(),
    }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure {
        unavailable: true,
        message: format!("{what}: {e}"),
    }
}

/// What `f` failed at, with the path it was about.
fn at(what: &str, path: &Path) -> impl FnOnce(rustix::io::Errno) -> Failure {
    let message = format!("{what} {}", path.display());
    move |e| setup(format!("{message}: {e}"))
}

/// The first helper: new namespaces, the user map, the mounts; then PID 1.
fn outer(sandbox: &Sandbox, config: &str) -> Result<i32, Failure> {
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let (uid, gid) = (
        rustix::process::getuid().as_raw(),
        rustix::process::getgid().as_raw(),
    );
    let mut flags = rustix::thread::UnshareFlags::NEWUSER
        | rustix::thread::UnshareFlags::NEWNS
        | rustix::thread::UnshareFlags::NEWPID
        | rustix::thread::UnshareFlags::NEWIPC
        | rustix::thread::UnshareFlags::NEWUTS;
    if !sandbox.network {
        flags |= rustix::thread::UnshareFlags::NEWNET;
    }
    // SAFETY: the helper has one thread (it is called first thing in `main`), and the flags
    // do not include `FILES`, so no thread can see a descriptor table it does not share.
    #[allow(unsafe_code)]
    unsafe { rustix::thread::unshare_unsafe(flags) }
        .map_err(|e| unavailable("creating user namespaces", e))?;
    // Root inside is the invoking user outside: what the command writes is theirs.
    std::fs::write("/proc/self/setgroups", "deny")
        .map_err(|e| unavailable("writing /proc/self/setgroups", e))?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1"))
        .map_err(|e| unavailable("mapping the user", e))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1"))
        .map_err(|e| unavailable("mapping the group", e))?;
    rustix::mount::mount_change(
        "/",
        MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
    )
    .map_err(|e| unavailable("making mounts private", e))?;

    let root = &sandbox.root;
    rustix::mount::mount_bind(root, root).map_err(at("binding the root", root))?;
    for m in &sandbox.mounts {
        let target = inside(root, &m.target)?;
        if std::fs::symlink_metadata(&target).is_err() {
            return Err(setup(format!("the root has no {} to mount on", m.target)));
        }
        rustix::mount::mount_bind_recursive(&m.source, &target)
            .map_err(at("mounting", &m.source))?;
        if !m.writable {
            read_only(&target)?;
        }
    }
    let dev = root.join("dev");
    rustix::mount::mount(
        "tmpfs",
        &dev,
        "tmpfs",
        MountFlags::NOSUID | MountFlags::NOEXEC,
        c"mode=0755",
    )
    .map_err(at("mounting a tmpfs on", &dev))?;
    for name in ["null", "zero", "full", "random", "urandom", "tty"] {
        let node = dev.join(name);
        File::create(&node).map_err(|e| setup(format!("{}: {e}", node.display())))?;
        rustix::mount::mount_bind(Path::new("/dev").join(name), &node)
            .map_err(at("binding", &node))?;
    }
    for (link, target) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        std::os::unix::fs::symlink(target, dev.join(link))
            .map_err(|e| setup(format!("/dev/{link}: {e}")))?;
    }
    let shm = dev.join("shm");
    std::fs::create_dir(&shm).map_err(|e| setup(format!("/dev/shm: {e}")))?;
    for dir in [shm, root.join("tmp")] {
        rustix::mount::mount(
            "tmpfs",
            &dir,
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV,
            c"mode=1777",
        )
        .map_err(at("mounting a tmpfs on", &dir))?;
    }
    read_only(&dev)?;
    read_only(root)?;

    let log = io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| setup(format!("the log: {e}")))?;
    let status = Command::new(SELF)
        .arg(HELPER)
        .arg("inner")
        .arg(config)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(log)
        .status()
        .map_err(|e| setup(format!("starting PID 1: {e}")))?;
    Ok(exit_code(status))
}

/// `target` (absolute, without `..`) under `root`.
fn inside(root: &Path, target: &str) -> Result<PathBuf, Failure> {
    let relative = target.trim_start_matches('/');
    if !target.starts_with('/') || relative.split('/').any(|p| p == ".." || p.is_empty()) {
        return Err(setup(format!(
            "mount target {target:?} is not an absolute path"
        )));
    }
    Ok(root.join(relative))
}

/// Remounts the bind mount at `path` read-only. In a user namespace the flags the host's
/// mount has (`nosuid`, `nodev`, `noexec`, atime) are locked and must be kept, or the kernel
/// refuses the remount.
fn read_only(path: &Path) -> Result<(), Failure> {
    let have = rustix::fs::statvfs(path)
        .map_err(at("reading the mount flags of", path))?
        .f_flag;
    let mut flags = MountFlags::BIND | MountFlags::RDONLY;
    for (has, keep) in [
        (StatVfsMountFlags::NOSUID, MountFlags::NOSUID),
        (StatVfsMountFlags::NODEV, MountFlags::NODEV),
        (StatVfsMountFlags::NOEXEC, MountFlags::NOEXEC),
        (StatVfsMountFlags::NOATIME, MountFlags::NOATIME),
        (StatVfsMountFlags::NODIRATIME, MountFlags::NODIRATIME),
        (StatVfsMountFlags::RELATIME, MountFlags::RELATIME),
    ] {
        if have.contains(has) {
            flags |= keep;
        }
    }
    rustix::mount::mount_remount(path, flags, "").map_err(at("making read-only", path))
}

/// PID 1 of the sandbox: `/proc`, the pivot into the root, then the command.
fn inner(sandbox: &Sandbox) -> Result<i32, Failure> {
    let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL));
    let root = &sandbox.root;
    let proc = root.join("proc");
    rustix::mount::mount(
        "proc",
        &proc,
        "proc",
        MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC,
        None,
    )
    .map_err(at("mounting /proc on", &proc))?;
    rustix::process::chdir(root).map_err(at("entering", root))?;
    // The old root is stacked under the new one and detached at once: nothing of the host's
    // filesystem stays reachable.
    rustix::process::pivot_root(".", ".").map_err(at("pivoting into", root))?;
    rustix::mount::unmount(".", UnmountFlags::DETACH)
        .map_err(|e| setup(format!("detaching the host's root: {e}")))?;
    rustix::process::chdir("/").map_err(|e| setup(format!("chdir /: {e}")))?;
    let _ = rustix::system::sethostname(b"bosun");
    rustix::thread::set_no_new_privs(true)
        .map_err(|e| setup(format!("setting no_new_privs: {e}")))?;
    rustix::process::chdir(sandbox.cwd.as_str())
        .map_err(|e| setup(format!("working directory {}: {e}", sandbox.cwd)))?;
    let out: OwnedFd = io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| setup(format!("the log: {e}")))?;
    let err: OwnedFd = out
        .try_clone()
        .map_err(|e| setup(format!("the log: {e}")))?;
    let mut command = Command::new(&sandbox.argv[0]);
    command
        .args(&sandbox.argv[1..])
        .env_clear()
        .envs(sandbox.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            // The command's own failure, not the sandbox's: it goes to the log.
            let _ = writeln!(io::stdout(), "{}: {e}", sandbox.argv[0]);
            return Ok(127);
        }
    };
    let status = child
        .wait()
        .map_err(|e| setup(format!("waiting for the command: {e}")))?;
    Ok(exit_code(status))
}
