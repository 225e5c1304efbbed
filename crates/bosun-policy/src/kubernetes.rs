//! Kubernetes manifests: each container of each workload (Pods,
//! Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs; multi-document files)
//! against the settings that keep it from running as root or escalating, with the file and
//! line of the container.

use std::path::Path;

use serde::Deserialize;
use serde_norway::Value;

use crate::Error;

/// One container of a manifest.
pub struct Container {
    /// `FILE:LINE`.
    pub place: String,
    /// `Kind/name`.
    pub workload: String,
    /// The container's name.
    pub name: String,
    /// Its image reference, as written.
    pub image: String,
    /// Init containers get no probes.
    pub init: bool,
    /// Whether the workload runs until stopped (probes apply).
    pub long_running: bool,
    container: Value,
    pod: Value,
}

/// Whether `path` looks like a Kubernetes manifest file rather than an image reference.
pub fn is_manifest(arg: &str) -> bool {
    (arg.ends_with(".yaml") || arg.ends_with(".yml")) && Path::new(arg).is_file()
}

/// The containers of every workload in a manifest file.
pub fn containers(path: &Path) -> Result<Vec<Container>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let lines: Vec<&str> = text.lines().collect();
    // Each document's first line, to find its containers' lines.
    let mut starts = vec![0];
    starts.extend(
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_end() == "---" || l.starts_with("--- "))
            .map(|(i, _)| i + 1),
    );
    let mut out = Vec::new();
    let mut index = 0;
    for document in serde_norway::Deserializer::from_str(&text) {
        let value = Value::deserialize(document).map_err(|source| Error::Yaml {
            path: path.to_path_buf(),
            source,
        })?;
        if value.is_null() {
            index += 1;
            continue;
        }
        let start = starts.get(index).copied().unwrap_or(0);
        index += 1;
        let kind = value["kind"].as_str().unwrap_or_default().to_string();
        let name = value["metadata"]["name"].as_str().unwrap_or_default();
        let (pod, long_running) = match kind.as_str() {
            "Pod" => (&value["spec"], true),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
                (&value["spec"]["template"]["spec"], true)
            }
            "Job" => (&value["spec"]["template"]["spec"], false),
            "CronJob" => (
                &value["spec"]["jobTemplate"]["spec"]["template"]["spec"],
                false,
            ),
            _ => continue,
        };
        for (key, init) in [("initContainers", true), ("containers", false)] {
            for c in pod[key].as_sequence().into_iter().flatten() {
                let cname = c["name"].as_str().unwrap_or_default().to_string();
                let line = line_of(&lines, start, key, &cname);
                out.push(Container {
                    place: format!("{}:{line}", path.display()),
                    workload: format!("{kind}/{name}"),
                    name: cname,
                    image: c["image"].as_str().unwrap_or_default().to_string(),
                    init,
                    long_running,
                    container: c.clone(),
                    pod: pod.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// The 1-based line of a container's `name:` below its list's key, from a document's start.
fn line_of(lines: &[&str], start: usize, key: &str, name: &str) -> usize {
    let list = (start..lines.len())
        .find(|&i| lines[i].trim_start().starts_with(&format!("{key}:")))
        .unwrap_or(start);
    (list..lines.len())
        .find(|&i| {
            let l = lines[i].trim_start().trim_start_matches("- ").trim();
            l.strip_prefix("name:")
                .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == name)
        })
        .map_or(list + 1, |i| i + 1)
}

/// One check's outcome: the check, whether it passed, and why.
pub type Check = (&'static str, bool, String);

impl Container {
    /// A setting of the container's `securityContext`, else the pod's.
    fn security(&self, key: &str) -> &Value {
        match &self.container["securityContext"][key] {
            Value::Null => &self.pod["securityContext"][key],
            v => v,
        }
    }

    /// The checks on the container's settings; `image_user_numeric` says whether the image's
    /// own user is a numeric non-zero uid (when the image could be read).
    pub fn checks(&self, image_user_numeric: Option<bool>) -> Vec<Check> {
        let ctx = &self.container["securityContext"];
        let mut out: Vec<Check> = Vec::new();
        let digest = self.image.contains("@sha256:");
        out.push((
            "pinned",
            digest,
            match digest {
                true => "image pinned by digest".into(),
                false => format!("image {} is not pinned by digest", self.image),
            },
        ));
        let non_root = self.security("runAsNonRoot").as_bool() == Some(true);
        let uid = self.security("runAsUser").as_u64();
        let (ok, why) = match (non_root, uid, image_user_numeric) {
            (false, _, _) => (false, "runAsNonRoot is not true".to_string()),
            (true, Some(0), _) => (false, "runAsUser is 0".into()),
            (true, Some(u), _) => (true, format!("runAsNonRoot with runAsUser {u}")),
            (true, None, Some(true)) => (true, "runAsNonRoot; the image's user is a numeric uid".into()),
            (true, None, _) => (false, "runAsNonRoot without a numeric runAsUser (and the image's user is not known to be numeric)".into()),
        };
        out.push(("run-as-non-root", ok, why));
        let escalation = ctx["allowPrivilegeEscalation"].as_bool() == Some(false);
        out.push((
            "no-privilege-escalation",
            escalation,
            match escalation {
                true => "allowPrivilegeEscalation: false".into(),
                false => "allowPrivilegeEscalation is not false".into(),
            },
        ));
        let read_only = ctx["readOnlyRootFilesystem"].as_bool() == Some(true);
        out.push((
            "read-only-root",
            read_only,
            match read_only {
                true => "readOnlyRootFilesystem: true".into(),
                false => "readOnlyRootFilesystem is not true".into(),
            },
        ));
        let drop_all = ctx["capabilities"]["drop"].as_sequence().is_some_and(|d| {
            d.iter()
                .any(|c| c.as_str().is_some_and(|c| c.eq_ignore_ascii_case("ALL")))
        });
        out.push((
            "drop-capabilities",
            drop_all,
            match drop_all {
                true => "capabilities drop ALL".into(),
                false => "capabilities do not drop ALL".into(),
            },
        ));
        let privileged = ctx["privileged"].as_bool() == Some(true);
        out.push((
            "not-privileged",
            !privileged,
            match privileged {
                true => "privileged: true".into(),
                false => "not privileged".into(),
            },
        ));
        let seccomp = self.security("seccompProfile")["type"]
            .as_str()
            .unwrap_or_default();
        let ok = matches!(seccomp, "RuntimeDefault" | "Localhost");
        out.push((
            "seccomp",
            ok,
            match ok {
                true => format!("seccompProfile {seccomp}"),
                false => "no RuntimeDefault or Localhost seccompProfile".into(),
            },
        ));
        if self.long_running && !self.init {
            let missing: Vec<&str> = ["livenessProbe", "readinessProbe"]
                .into_iter()
                .filter(|p| self.container[*p].is_null())
                .collect();
            out.push((
                "probes",
                missing.is_empty(),
                match missing.is_empty() {
                    true => "liveness and readiness probes".into(),
                    false => format!("no {}", missing.join(" or ")),
                },
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_containers_and_their_lines_in_every_workload_kind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.yaml");
        std::fs::write(
            &path,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 65532\n        seccompProfile:\n          type: RuntimeDefault\n      containers:\n        - name: api\n          image: reg.example/api@sha256:abc\n          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [\"ALL\"]\n          livenessProbe: {httpGet: {path: /, port: 80}}\n          readinessProbe: {httpGet: {path: /, port: 80}}\n---\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: job\n            image: reg.example/job:latest\n            securityContext:\n              privileged: true\n---\nkind: ConfigMap\nmetadata:\n  name: ignored\n",
        )
        .unwrap();
        let found = containers(&path).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].place, format!("{}:14", path.display()));
        assert_eq!(found[1].place, format!("{}:33", path.display()));
        assert!(
            found[0]
                .checks(None)
                .iter()
                .all(|(_, ok, why)| *ok || panic!("{why}"))
        );
        let job: Vec<(&str, bool)> = found[1]
            .checks(None)
            .iter()
            .map(|(c, ok, _)| (*c, *ok))
            .collect();
        assert_eq!(
            job,
            [
                ("pinned", false),
                ("run-as-non-root", false),
                ("no-privilege-escalation", false),
                ("read-only-root", false),
                ("drop-capabilities", false),
                ("not-privileged", false),
                ("seccomp", false),
            ],
            "no probes for a job"
        );
    }
}
