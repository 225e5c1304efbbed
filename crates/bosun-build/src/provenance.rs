//! What a build attests about each image: SLSA provenance v1 (the spec and lock by digest,
//! every package, app file, input image and build step as resolved dependencies, the layers
//! as byproducts).

use std::path::Path;

use bosun_spec::{Lockfile, Spec};

use crate::step::StepOutputs;
use crate::{BuiltImage, Error};

/// The builder id provenance names (`runDetails.builder.id`).
pub const BUILDER_ID: &str = "urn:bosun:builder:v1";

/// What a build's provenance is made from.
pub struct Provenance<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// Its file.
    pub spec_path: &'a Path,
    /// Its lock.
    pub lock: &'a Lockfile,
    /// The image.
    pub image: &'a BuiltImage,
    /// The build steps that ran or were cached.
    pub steps: &'a StepOutputs,
    /// Whether the build was held to the lock (`--locked`).
    pub locked: bool,
    /// Where it was pushed (`--push`).
    pub push: Option<&'a str>,
    /// What layer times were clamped to.
    pub source_date_epoch: i64,
    /// When the build started.
    pub started_on: jiff::Timestamp,
}

fn sha256_file(path: &Path) -> Result<String, Error> {
    bosun_deb::hash_file(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// SLSA provenance v1 of one built image: the spec and lock (by digest) and the options as
/// the build definition; every `.deb` of the image's layer groups, every image the spec
/// reads, as resolved dependencies; its layers as byproducts.
pub fn predicate(p: &Provenance) -> Result<serde_json::Value, Error> {
    let lock_path = bosun_spec::lock_path(p.spec_path);
    let name = &p.image.image;
    let groups: Vec<String> = p.spec.image[name]
        .bases
        .iter()
        .map(|b| format!("base.{b}"))
        .chain([format!("image.{name}")])
        .collect();
    let mut dependencies = vec![
        serde_json::json!({ "name": "bosun.toml", "digest": { "sha256": sha256_file(p.spec_path)? } }),
        serde_json::json!({
            "name": lock_path.file_name().map(|n| n.to_string_lossy().into_owned()),
            "digest": { "sha256": sha256_file(&lock_path)? },
        }),
    ];
    // The files the spec includes, by the bytes this build read.
    for include in p.spec.includes() {
        dependencies.push(
            serde_json::json!({ "name": include.path, "digest": { "sha256": include.sha256 } }),
        );
    }
    let mut debs = std::collections::BTreeSet::new();
    for group in p.lock.groups.iter().filter(|g| groups.contains(&g.name)) {
        for package in &group.packages {
            debs.insert((package.as_str(), group.architecture.as_str()));
        }
    }
    for deb in p
        .lock
        .packages
        .iter()
        .filter(|d| debs.contains(&(d.name.as_str(), d.architecture.as_str())))
    {
        dependencies.push(serde_json::json!({
            "uri": bosun_sbom::purl::purl("deb", Some("debian"), &deb.name, &deb.version, &[("arch", deb.package_architecture.clone())]),
            "name": deb.filename,
            "digest": { "sha256": deb.sha256 },
            "annotations": { "suite": deb.suite, "source": deb.source, "sourceVersion": deb.source_version },
        }));
    }
    // The app's lockfiles, and each PyPI or npm file this image's layers unpacked.
    for app in p.lock.apps.iter().filter(|a| a.image == *name) {
        dependencies
            .push(serde_json::json!({ "name": app.lockfile, "digest": { "sha256": app.sha256 } }));
    }
    for dep in p
        .lock
        .app_packages
        .iter()
        .filter(|d| d.image == *name && d.link.is_none())
    {
        let purl = match dep.ecosystem.as_str() {
            "pypi" => bosun_sbom::purl::purl("pypi", None, &dep.name, &dep.version, &[]),
            _ => match dep.name.split_once('/') {
                Some((scope, short)) => {
                    bosun_sbom::purl::purl("npm", Some(scope), short, &dep.version, &[])
                }
                None => bosun_sbom::purl::purl("npm", None, &dep.name, &dep.version, &[]),
            },
        };
        let (algorithm, hex) = dep.hash.split_once(':').unwrap_or(("sha256", &dep.hash));
        dependencies.push(serde_json::json!({
            "uri": purl,
            "name": if dep.filename.is_empty() { &dep.url } else { &dep.filename },
            "digest": { algorithm: hex },
            "annotations": { "architecture": dep.architecture, "url": dep.url },
        }));
    }
    for input in &p.lock.inputs {
        dependencies.push(serde_json::json!({
            "uri": input.reference,
            "digest": { "sha256": input.digest.trim_start_matches("sha256:") },
        }));
    }
    // Build steps whose outputs the image holds: the packages of their environment and the
    // sources they read as dependencies; what ran, and what it made, as parameters.
    let mut steps = Vec::new();
    let mut step_debs = std::collections::BTreeSet::new();
    for arch in &p.spec.debian.architectures {
        let image = &p.spec.for_arch(arch).image[name];
        let used: std::collections::BTreeSet<&String> =
            image.copy.iter().filter_map(|c| c.step.as_ref()).collect();
        let copied = used.into_iter().filter_map(|s| p.steps.get(s, arch));
        for run in copied.chain(p.steps.builds(name, arch)) {
            for (package, version, arch, sha256) in &run.packages {
                if step_debs.insert((package, version, arch)) {
                    dependencies.push(serde_json::json!({
                        "uri": bosun_sbom::purl::purl("deb", Some("debian"), package, version, &[("arch", arch.clone())]),
                        "digest": { "sha256": sha256 },
                        "annotations": { "buildStep": run.step },
                    }));
                }
            }
            dependencies.push(serde_json::json!({
                "name": format!("step {} sources ({arch})", run.step),
                "digest": { "sha256": run.sources.trim_start_matches("sha256:") },
            }));
            let outputs: serde_json::Map<String, serde_json::Value> = run
                .outputs
                .iter()
                .map(|(path, sha256)| {
                    (
                        format!("/out/{path}"),
                        serde_json::json!({ "sha256": sha256 }),
                    )
                })
                .collect();
            steps.push(serde_json::json!({
                "name": run.step,
                "targetArchitecture": arch,
                "buildArchitecture": crate::step::host_arch(),
                "command": run.argv,
                "env": run.env,
                "sources": run.sources,
                "outputs": outputs,
                "key": run.key,
            }));
        }
    }
    // What the layers were clamped to: SOURCE_DATE_EPOCH, else the lock's newest release
    // date; and the steps that ran, when some did.
    let mut internal = serde_json::json!({
        "sourceDateEpoch": p.source_date_epoch,
    });
    if !steps.is_empty() {
        internal["steps"] = serde_json::json!(steps);
    }
    // The digest is of the compressed blob, so the media type is the compressed one.
    let media_type = match p.spec.image[name].compression {
        bosun_spec::Compression::Gzip => bosun_oci::model::MEDIA_LAYER_GZIP,
        bosun_spec::Compression::Zstd => bosun_oci::model::MEDIA_LAYER_ZSTD,
    };
    let byproducts: Vec<serde_json::Value> = p
        .image
        .layers
        .iter()
        .flat_map(|(arch, layers)| layers.iter().map(move |l| (arch, l)))
        .map(|(arch, l)| {
            serde_json::json!({
                "name": format!("{arch}: {}", l.created_by),
                "digest": { "sha256": l.digest.as_str().trim_start_matches("sha256:") },
                "mediaType": media_type,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "buildDefinition": {
            "buildType": "urn:bosun:buildtype:spec:v1",
            "externalParameters": {
                "spec": p.spec_path.file_name().map(|f| f.to_string_lossy().into_owned()),
                "image": name,
                "tags": p.image.tags,
                "locked": p.locked,
                "push": p.push,
            },
            "internalParameters": internal,
            "resolvedDependencies": dependencies,
        },
        "runDetails": {
            "builder": { "id": BUILDER_ID, "version": { "bosun": env!("CARGO_PKG_VERSION") } },
            "metadata": {
                "startedOn": p.started_on.to_string(),
                "finishedOn": jiff::Timestamp::now().to_string(),
            },
            "byproducts": byproducts,
        },
    }))
}
