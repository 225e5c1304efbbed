//! The rules of a policy on one image, and on the containers of a manifest.

use std::path::Path;

use bosun_analyze::inspect::{self, Options};
use bosun_oci::source::Image;
use bosun_sign::dsse;
use bosun_sign::key::PublicKey;
use bosun_trust::Place;
use bosun_vuln::db::Db;
use bosun_vuln::{Component, Severity};

use crate::model::{Kubernetes, Vulnerabilities};
use crate::{Error, ImageResult, Mode, Outcome, Policy, RuleResult};

/// A policy, and what its rules need besides an image.
pub struct Checker<'a> {
    /// The rules.
    pub policy: &'a Policy,
    /// The policy file, as errors name it; key files are relative to its directory.
    pub file: &'a Path,
    /// Where the key files the rules name are.
    pub keys_dir: &'a Path,
    /// The advisory database's directory (read only by `[vulnerabilities]`).
    pub db: Option<&'a Path>,
    /// Now, in seconds since the epoch (for ages).
    pub now: i64,
}

type Verdict = (Outcome, String);

fn pass(reason: String) -> Verdict {
    (Outcome::Pass, reason)
}

fn fail(reason: String) -> Verdict {
    (Outcome::Fail, reason)
}

fn skip(reason: String) -> Verdict {
    (Outcome::Skip, reason)
}

impl Checker<'_> {
    /// Key files named relative to the policy's directory (or `env://VAR`).
    fn keys(&self, names: &[String]) -> Result<Vec<PublicKey>, Error> {
        if names.is_empty() {
            return Err(Error::NoKeys {
                file: self.file.to_path_buf(),
            });
        }
        names
            .iter()
            .map(|k| match k.starts_with("env://") {
                true => PublicKey::load(k),
                false => PublicKey::load(&self.keys_dir.join(k).display().to_string()),
            })
            .map(|k| k.map_err(Error::from))
            .collect()
    }

    /// Each container of a manifest file: its image against the image rules (when the image
    /// can be read: `image` reads and checks it, or says why not), and its settings against
    /// the Kubernetes checks.
    pub fn manifest(
        &self,
        path: &Path,
        mut image: impl FnMut(&str) -> Result<ImageResult, String>,
    ) -> Result<Vec<ImageResult>, Error> {
        let defaults = Kubernetes::default();
        let k8s = self.policy.kubernetes.as_ref().unwrap_or(&defaults);
        let mut out = Vec::new();
        for c in crate::kubernetes::containers(path)? {
            let reference = format!("docker://{}", c.image);
            let what = format!("{} {} container {}", c.place, c.workload, c.name);
            let mut user_numeric = None;
            if self.policy.has_image_rules() {
                match image(&reference) {
                    Ok(mut result) => {
                        let uid = result.user.split(':').next().unwrap_or_default();
                        user_numeric = Some(uid.parse::<u32>().is_ok_and(|u| u != 0));
                        result.image = format!("{reference} ({what})");
                        out.push(result);
                    }
                    Err(e) => out.push(ImageResult {
                        image: format!("{reference} ({what})"),
                        digest: None,
                        rules: vec![RuleResult {
                            rule: "image",
                            result: Outcome::Skip,
                            mode: Mode::Warn,
                            reason: format!(
                                "the image cannot be read, so its rules are not checked: {e}"
                            ),
                        }],
                        user: String::new(),
                        gaps: Vec::new(),
                    }),
                }
            }
            let rules = c
                .checks(user_numeric)
                .into_iter()
                .filter(|(check, _, _)| !k8s.skip.iter().any(|s| s == check))
                .map(|(rule, ok, reason)| RuleResult {
                    rule,
                    result: if ok { Outcome::Pass } else { Outcome::Fail },
                    mode: k8s.mode,
                    reason,
                })
                .collect();
            out.push(ImageResult {
                image: what,
                digest: None,
                rules,
                user: String::new(),
                gaps: Vec::new(),
            });
        }
        Ok(out)
    }

    /// The rules on `image` (named `reference`); `place` is where its signatures are kept
    /// (none for an archive or layout, where signature rules are skipped).
    pub fn image(
        &self,
        reference: &str,
        image: &Image,
        place: Option<&Place>,
    ) -> Result<ImageResult, Error> {
        let policy = self.policy;
        let report =
            inspect::inspect(image, &Options::default()).map_err(|source| Error::Inspect {
                image: reference.to_string(),
                source,
            })?;
        let mut gaps = Vec::new();
        let mut rules = Vec::new();
        let mut add = |rule: &'static str, mode: Mode, (result, reason): Verdict| {
            rules.push(RuleResult {
                rule,
                result,
                mode,
                reason,
            });
        };
        let unsigned_place =
            || skip("signatures are kept only in the store or a registry".to_string());

        if let Some(r) = &policy.digest {
            add(
                "digest",
                r.mode,
                match reference.contains("@sha256:") {
                    true => pass("referenced by digest".into()),
                    false => fail("not referenced by digest (NAME@sha256:...)".into()),
                },
            );
        }
        // Provenance statements serve two rules.
        let provenance = match (&policy.provenance, place) {
            (Some(p), Some(place)) => {
                place.statements_by_any(&self.keys(&p.keys)?, &[dsse::SLSA_PROVENANCE_V1])?
            }
            _ => Vec::new(),
        };
        if let Some(r) = &policy.base {
            let mut bases: Vec<String> = report
                .base
                .iter()
                .filter(|(k, _)| k.ends_with("base.name"))
                .map(|(_, v)| v.clone())
                .collect();
            for statement in &provenance {
                for d in statement["predicate"]["buildDefinition"]["resolvedDependencies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    if let Some(uri) = d["uri"].as_str().filter(|u| !u.starts_with("pkg:")) {
                        bases.push(uri.to_string());
                    }
                }
            }
            let outside: Vec<&String> = bases
                .iter()
                .filter(|b| !r.allow.iter().any(|a| b.starts_with(a.as_str())))
                .collect();
            add(
                "base",
                r.mode,
                match (bases.is_empty(), outside.is_empty()) {
                    (true, _) if !provenance.is_empty() => {
                        pass("built from packages alone: no base image".into())
                    }
                    (true, _) => {
                        skip("no base image is recorded (base annotations or provenance)".into())
                    }
                    (false, true) => pass(format!("base images allowed: {}", bases.join(", "))),
                    (false, false) => fail(format!(
                        "base image not in the allow-list: {}",
                        outside
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                },
            );
        }
        if let Some(r) = &policy.signed {
            add(
                "signed",
                r.mode,
                match place {
                    None => unsigned_place(),
                    Some(place) => {
                        let checked = place.signatures_by_any(&self.keys(&r.keys)?)?;
                        match (checked.accepted.len(), checked.rejected) {
                            (0, rejected) if rejected.is_empty() => fail("no signature".into()),
                            (0, rejected) => {
                                fail(format!("no valid signature: {}", rejected.join("; ")))
                            }
                            (n, _) => pass(format!("{n} valid signature(s)")),
                        }
                    }
                },
            );
        }
        if let Some(r) = &policy.provenance {
            add(
                "provenance",
                r.mode,
                match place.is_some() {
                    false => unsigned_place(),
                    true if provenance.is_empty() => {
                        fail("no provenance attested by the keys".into())
                    }
                    true => {
                        let builders: Vec<&str> = provenance
                            .iter()
                            .filter_map(|s| s["predicate"]["runDetails"]["builder"]["id"].as_str())
                            .collect();
                        match r.builders.is_empty()
                            || builders.iter().any(|b| r.builders.iter().any(|a| a == b))
                        {
                            true => pass(format!("provenance from {}", builders.join(", "))),
                            false => fail(format!(
                                "provenance from a builder not allowed: {}",
                                builders.join(", ")
                            )),
                        }
                    }
                },
            );
        }
        if let Some(r) = &policy.sbom {
            add(
                "sbom",
                r.mode,
                match place {
                    None => unsigned_place(),
                    Some(place) => {
                        let found = place
                            .statements_by_any(
                                &self.keys(&r.keys)?,
                                &[dsse::SPDX, dsse::CYCLONEDX],
                            )?
                            .len();
                        match found {
                            0 => fail("no SBOM attested by the keys".into()),
                            n => pass(format!("{n} SBOM attestation(s)")),
                        }
                    }
                },
            );
        }
        if let Some(r) = &policy.vulnerabilities {
            add(
                "vulnerabilities",
                r.mode,
                self.vulnerabilities(r, reference, image, &mut gaps)?,
            );
        }
        let config = &report.config;
        if let Some(r) = &policy.non_root {
            let uid = config.user.split(':').next().unwrap_or_default();
            add(
                "non-root",
                r.mode,
                match uid.parse::<u32>() {
                    Ok(0) => fail("runs as uid 0".into()),
                    Ok(n) => pass(format!("runs as uid {n}")),
                    Err(_) if uid.is_empty() || uid == "root" => fail("runs as root".into()),
                    Err(_) => fail(format!(
                        "user {uid:?} is not numeric: Kubernetes runAsNonRoot cannot check it"
                    )),
                },
            );
        }
        if let Some(r) = &policy.healthcheck {
            let test = config
                .healthcheck
                .as_ref()
                .filter(|t| t.first().map(String::as_str) != Some("NONE"));
            add(
                "healthcheck",
                r.mode,
                match test {
                    Some(t) => pass(format!("healthcheck {}", t.join(" "))),
                    None => fail("no healthcheck".into()),
                },
            );
        }
        if let Some(r) = &policy.init {
            let finding = report.findings.iter().find(|f| f.code == "BI012");
            add(
                "init",
                r.mode,
                match finding {
                    Some(f) => fail(f.message.clone()),
                    None => pass(
                        "PID 1 handles signals (an init, a chosen stop signal, or nothing runs)"
                            .into(),
                    ),
                },
            );
        }
        let paths = |codes: &[&str]| -> Vec<String> {
            report
                .findings
                .iter()
                .filter(|f| codes.contains(&f.code))
                .map(|f| f.path.clone().unwrap_or_else(|| f.message.clone()))
                .collect()
        };
        if let Some(r) = &policy.no_shell {
            let found: Vec<String> = paths(&["BI031", "BI032"])
                .into_iter()
                .filter(|p| !r.allow.iter().any(|a| a == p))
                .collect();
            add(
                "no-shell",
                r.mode,
                match (
                    found.is_empty(),
                    report.config.labels.get(bosun_oci::model::DEBUG_TWIN_LABEL),
                ) {
                    (true, _) => pass("no shell or package manager".into()),
                    (false, None) => fail(format!("found {}", found.join(", "))),
                    (false, Some(of)) => fail(format!(
                        "found {}: this is the debug twin of {of}; deploy {of}",
                        found.join(", ")
                    )),
                },
            );
        }
        if let Some(r) = &policy.no_secrets {
            let found = paths(&["BI001", "BI002", "BI003"]);
            add(
                "no-secrets",
                r.mode,
                match found.is_empty() {
                    true => pass("no secrets found".into()),
                    false => fail(format!("secrets in {}", found.join(", "))),
                },
            );
        }
        if let Some(r) = &policy.size {
            let max = bosun_analyze::ci::parse_bytes(&r.max).map_err(|e| Error::Setting {
                file: self.file.to_path_buf(),
                rule: "size.max",
                value: r.max.clone(),
                expected: e.to_string(),
            })?;
            add(
                "size",
                r.mode,
                match report.uncompressed_size <= max {
                    true => pass(format!("{} bytes, limit {max}", report.uncompressed_size)),
                    false => fail(format!(
                        "{} bytes, over the limit of {max}",
                        report.uncompressed_size
                    )),
                },
            );
        }
        if let Some(r) = &policy.labels {
            let missing: Vec<&String> = r
                .required
                .iter()
                .filter(|l| !config.labels.contains_key(*l))
                .collect();
            add(
                "labels",
                r.mode,
                match missing.is_empty() {
                    true => pass("every required label is set".into()),
                    false => fail(format!(
                        "missing {}",
                        missing
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                },
            );
        }
        if let Some(r) = &policy.age {
            let created = report
                .created
                .as_deref()
                .and_then(|c| c.parse::<jiff::Timestamp>().ok());
            add(
                "age",
                r.mode,
                match created {
                    None => fail("no creation time".into()),
                    Some(t) => {
                        let days = (self.now - t.as_second()).max(0) / 86_400;
                        match days <= i64::from(r.max_days) {
                            true => pass(format!("{days} days old")),
                            false => fail(format!("{days} days old, over {} days", r.max_days)),
                        }
                    }
                },
            );
        }
        Ok(ImageResult {
            image: reference.to_string(),
            digest: report.index_digest.or(report.digest),
            rules,
            user: report.config.user.clone(),
            gaps,
        })
    }

    /// The `[vulnerabilities]` rule. Fails closed: a rule that read no advisories (or only
    /// old ones) checked nothing, and passing would call the image clean; `mode = "warn"`
    /// keeps it a warning.
    fn vulnerabilities(
        &self,
        r: &Vulnerabilities,
        reference: &str,
        image: &Image,
        gaps: &mut Vec<String>,
    ) -> Result<Verdict, Error> {
        let threshold = Severity::from_label(&r.severity);
        if threshold == Severity::Unknown {
            return Err(Error::Setting {
                file: self.file.to_path_buf(),
                rule: "vulnerabilities.severity",
                value: r.severity.clone(),
                expected: "use critical, high, medium or low".into(),
            });
        }
        let dir = self.db.unwrap_or(Path::new("."));
        let db = match Db::open(dir) {
            Err(bosun_vuln::Error::NoDatabase(_)) => {
                return Ok(fail(format!(
                    "no vulnerability database in {}, so nothing was checked: run `bosun db update` (or bring one: --db DIR)",
                    dir.display()
                )));
            }
            Err(e) => return Err(e.into()),
            Ok(db) => db,
        };
        let (data, _) = bosun_vuln::scan::DatabaseInfo::of(Some(&db), dir, self.now, r.max_db_age);
        if data == bosun_vuln::scan::AdvisoryData::Stale {
            return Ok(fail(format!(
                "the vulnerability database in {} is older than {} days, so its verdicts are out of date: run `bosun db update`",
                dir.display(),
                r.max_db_age
            )));
        }
        let sbom = bosun_sbom::catalog(image).map_err(|source| Error::Catalog {
            image: reference.to_string(),
            source,
        })?;
        let components: Vec<Component> = sbom
            .packages
            .iter()
            .filter_map(Component::from_package)
            .collect();
        let suite = r.suite.clone().or(sbom.distro.and_then(|d| d.codename));
        let debian = components
            .iter()
            .any(|c| c.ecosystem == bosun_vuln::Ecosystem::Debian);
        if debian && suite.is_none() {
            return Err(Error::NoSuite {
                image: reference.to_string(),
                file: self.file.to_path_buf(),
            });
        }
        let found = bosun_vuln::scan::advisories(&db, &components, suite.as_deref(), &[])?;
        gaps.extend(found.gaps);
        let bad: Vec<String> = found
            .findings
            .iter()
            .filter(|f| f.has_fix() && f.severity >= threshold && !f.unimportant())
            .map(|f| {
                format!(
                    "{} in {} {} (fixed in {})",
                    f.id,
                    f.package,
                    f.version,
                    f.fixed_version.as_deref().unwrap_or("?")
                )
            })
            .collect();
        Ok(match bad.is_empty() {
            true => pass(format!(
                "no fixable vulnerability rated {} or worse",
                threshold.as_str()
            )),
            false => fail(format!(
                "{} fixable vulnerabilit{} rated {} or worse: {}",
                bad.len(),
                if bad.len() == 1 { "y" } else { "ies" },
                threshold.as_str(),
                bad.join(", ")
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use bosun_oci::Store;
    use bosun_oci::model::{Descriptor, MEDIA_CONFIG, MEDIA_LAYER_TAR, MEDIA_MANIFEST};

    use super::*;

    /// An image of one uncompressed layer holding `files`, with `config` as its runtime
    /// config, in a store in `dir`; opened.
    fn image(dir: &Path, files: &[(&str, &[u8])], config: serde_json::Value) -> Image {
        let mut tar = tar::Builder::new(Vec::new());
        for (path, bytes) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o755);
            tar.append_data(&mut header, path, *bytes).unwrap();
        }
        let layer = tar.into_inner().unwrap();
        let store = Store::open(dir).unwrap();
        let layer_digest = store.write_blob(&layer).unwrap();
        let config = store
            .write_json(
                &serde_json::json!({
                    "architecture": "amd64", "os": "linux", "config": config,
                    "rootfs": { "type": "layers", "diff_ids": [layer_digest] },
                    "created": "2026-01-01T00:00:00Z",
                }),
                MEDIA_CONFIG,
            )
            .unwrap();
        let manifest = store
            .write_json(
                &serde_json::json!({
                    "schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
                    "config": { "mediaType": MEDIA_CONFIG, "digest": config.digest, "size": config.size },
                    "layers": [{ "mediaType": MEDIA_LAYER_TAR, "digest": layer_digest, "size": layer.len() }],
                }),
                MEDIA_MANIFEST,
            )
            .unwrap();
        store
            .tag(
                "app:1",
                Descriptor {
                    annotations: BTreeMap::new(),
                    ..manifest
                },
            )
            .unwrap();
        bosun_oci::source::open("app:1", dir, None).unwrap()
    }

    fn results(policy: &str, reference: &str, image: &Image) -> Vec<(&'static str, Outcome)> {
        let policy = Policy::parse(Path::new("policy.toml"), policy).unwrap();
        let checker = Checker {
            policy: &policy,
            file: Path::new("policy.toml"),
            keys_dir: Path::new("."),
            db: None,
            now: 1_800_000_000,
        };
        checker
            .image(reference, image, None)
            .unwrap()
            .rules
            .into_iter()
            .map(|r| (r.rule, r.result))
            .collect()
    }

    #[test]
    fn rules_on_an_image_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let rooted = image(
            dir.path(),
            &[
                ("bin/sh", b"#!ELF"),
                (
                    "app/.env",
                    b"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
                ),
            ],
            serde_json::json!({ "Labels": { "org.opencontainers.image.source": "x" } }),
        );
        let policy = "[digest]\n[non-root]\n[healthcheck]\n[no-shell]\n[no-secrets]\n\
                      [labels]\nrequired = [\"org.opencontainers.image.source\"]\n\
                      [size]\nmax = \"1MB\"\n[signed]\nkeys = [\"cosign.pub\"]\n[age]\nmax-days = 90\n";
        assert_eq!(
            results(policy, "app:1", &rooted),
            [
                ("digest", Outcome::Fail),
                ("signed", Outcome::Skip),
                ("non-root", Outcome::Fail),
                ("healthcheck", Outcome::Fail),
                ("no-shell", Outcome::Fail),
                ("no-secrets", Outcome::Fail),
                ("size", Outcome::Pass),
                ("labels", Outcome::Pass),
                ("age", Outcome::Fail),
            ]
        );
        let dir = tempfile::tempdir().unwrap();
        let clean = image(
            dir.path(),
            &[("app/server", b"\x7fELF")],
            serde_json::json!({ "User": "65532", "Healthcheck": { "Test": ["CMD", "/app/server", "--check"] } }),
        );
        assert_eq!(
            results(
                "[non-root]\n[healthcheck]\n[no-shell]\n[no-secrets]\n[size]\nmax = \"10B\"\n",
                "app:1@sha256:0",
                &clean
            ),
            [
                ("non-root", Outcome::Pass),
                ("healthcheck", Outcome::Pass),
                ("no-shell", Outcome::Pass),
                ("no-secrets", Outcome::Pass),
                ("size", Outcome::Fail),
            ]
        );
    }

    #[test]
    fn settings_out_of_range_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let img = image(dir.path(), &[("a", b"a")], serde_json::json!({}));
        let policy = Policy::parse(Path::new("p.toml"), "[size]\nmax = \"lots\"\n").unwrap();
        let checker = Checker {
            policy: &policy,
            file: Path::new("p.toml"),
            keys_dir: Path::new("."),
            db: None,
            now: 0,
        };
        let err = checker.image("app:1", &img, None).unwrap_err().to_string();
        assert!(err.starts_with("p.toml: size.max \"lots\""), "{err}");
        let policy = Policy::parse(Path::new("p.toml"), "[signed]\nkeys = []\n").unwrap();
        let place = None;
        let checker = Checker {
            policy: &policy,
            ..checker
        };
        // Without a place for signatures the rule is skipped, keys or not.
        let result = checker.image("app:1", &img, place).unwrap();
        assert_eq!(result.rules[0].result, Outcome::Skip);
    }
}
