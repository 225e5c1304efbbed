//! The image model: descriptors, manifests, indexes and configs as the OCI image-spec v1.1
//! defines them, serialised with fixed field order so equal values give equal digests.
//!
//! Why not the `oci-spec` crate: a digest is a hash of the exact bytes, so a reproducible
//! build needs every map (annotations, labels, exposed ports) serialised in one order and no
//! field that the spec leaves optional appearing or vanishing by accident. These types use
//! `BTreeMap` throughout and fix each field's order and presence here, where a review sees
//! them; with a general-purpose crate every digest bosun makes would hang on that crate's
//! serialisation choices, and could change with an upgrade of it. The types are small and
//! plain, so keeping them costs little.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Digest;

/// `application/vnd.oci.image.manifest.v1+json`
pub const MEDIA_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// `application/vnd.oci.image.index.v1+json`
pub const MEDIA_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// `application/vnd.oci.image.config.v1+json`
pub const MEDIA_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// `application/vnd.oci.image.layer.v1.tar+gzip`
pub const MEDIA_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// `application/vnd.oci.image.layer.v1.tar+zstd`
pub const MEDIA_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// `application/vnd.oci.image.layer.v1.tar`
pub const MEDIA_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// The annotation that names a manifest in an image layout's `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// An image layout's index, at its root (image-spec `image-layout.md`).
pub const LAYOUT_INDEX: &str = "index.json";
/// Where an image layout keeps its sha256 blobs.
pub const LAYOUT_BLOBS: &str = "blobs/sha256";

/// A blob's path inside an image layout: `blobs/sha256/<hex>`.
pub fn layout_blob(digest: &Digest) -> String {
    format!("{LAYOUT_BLOBS}/{}", digest.hex())
}

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// REQUIRED media type of the referenced content.
    pub media_type: String,
    /// REQUIRED digest of the content.
    pub digest: Digest,
    /// REQUIRED size in bytes.
    pub size: u64,
    /// OPTIONAL platform (index entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// OPTIONAL annotations.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub annotations: BTreeMap<String, String>,
}

/// A platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    /// GOARCH-style architecture (`amd64`, `arm64`, `arm`, ...).
    pub architecture: String,
    /// `linux`.
    pub os: String,
    /// CPU variant (`v7`, `v8`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl std::str::FromStr for Platform {
    type Err = String;

    /// `OS/ARCH[/VARIANT]`, as `--platform` takes it.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split('/').collect::<Vec<_>>()[..] {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.into(),
                architecture: arch.into(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform {
                    os: os.into(),
                    architecture: arch.into(),
                    variant: Some(variant.into()),
                })
            }
            _ => Err(format!("platform {s:?} is not OS/ARCH[/VARIANT]")),
        }
    }
}

impl std::fmt::Display for Platform {
    /// `os/architecture[/variant]`, as `--platform` takes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        match &self.variant {
            Some(v) => write!(f, "/{v}"),
            None => Ok(()),
        }
    }
}

/// An image manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// REQUIRED, 2.
    pub schema_version: u32,
    /// SHOULD be [`MEDIA_MANIFEST`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// REQUIRED config descriptor.
    pub config: Descriptor,
    /// Layers, base first.
    pub layers: Vec<Descriptor>,
    /// OPTIONAL annotations.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub annotations: BTreeMap<String, String>,
}

/// An image index.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    /// REQUIRED, 2.
    pub schema_version: u32,
    /// SHOULD be [`MEDIA_INDEX`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The manifests.
    pub manifests: Vec<Descriptor>,
    /// OPTIONAL annotations.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub annotations: BTreeMap<String, String>,
}

/// An image configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageConfig {
    /// OPTIONAL creation time, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// REQUIRED architecture.
    pub architecture: String,
    /// OPTIONAL variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// REQUIRED `linux`.
    pub os: String,
    /// Execution parameters.
    #[serde(default, deserialize_with = "nullable")]
    pub config: RunConfig,
    /// REQUIRED layer diff ids.
    pub rootfs: RootFs,
    /// OPTIONAL history, one entry per layer (and per empty step).
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub history: Vec<History>,
}

/// The `config` object: how to run the image. Field names are Docker's, as the spec keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    /// `uid[:gid]` or a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `port/proto` -> `{}`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub exposed_ports: BTreeMap<String, Empty>,
    /// `KEY=value`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub env: Vec<String>,
    /// Entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// Default arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// Volumes.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub volumes: BTreeMap<String, Empty>,
    /// Working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// Labels.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// Stop signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// Docker's health check extension, read by podman and docker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<HealthConfig>,
}

/// `{}` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Empty {}

/// Docker's `Healthcheck` object; durations in nanoseconds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthConfig {
    /// `["CMD", arg...]`.
    pub test: Vec<String>,
    /// Between checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<u64>,
    /// Per check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    /// Grace period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_period: Option<u64>,
    /// Failures before unhealthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
}

/// `rootfs`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RootFs {
    /// REQUIRED `layers`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Digests of the uncompressed layers, base first.
    pub diff_ids: Vec<Digest>,
}

/// One history entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct History {
    /// RFC 3339 time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// What made the layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// A comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// True when the step made no layer.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub empty_layer: bool,
}

/// The label of a debug twin, naming the image it twins: its shell is there on purpose.
pub const DEBUG_TWIN_LABEL: &str = "dev.bosun.debug-twin-of";

/// Where a debug twin has busybox's commands (distroless's `:debug` images use it too).
pub const DEBUG_DIR: &str = "busybox";

/// Where bosun records, in an image it builds, the files each build step's outputs put
/// there: `<dir><step>.list`, one absolute path per line, as dpkg's `.list` files do for a
/// package. The builder writes them; `inspect --by owner` reads them.
pub const STEP_LISTS: &str = "var/lib/bosun/steps/";

/// Maps an OCI architecture and variant to the Debian architecture: the inverse of
/// [`platform_for_debian`].
pub fn debian_arch(architecture: &str, variant: Option<&str>) -> String {
    match (architecture, variant) {
        ("arm", Some("v5")) => "armel",
        ("arm", _) => "armhf",
        ("386", _) => "i386",
        ("ppc64le", _) => "ppc64el",
        ("mips64le", _) => "mips64el",
        (other, _) => other,
    }
    .to_string()
}

/// Maps a Debian architecture to the OCI platform (architecture, variant).
pub fn platform_for_debian(arch: &str) -> Platform {
    let (architecture, variant) = match arch {
        "amd64" => ("amd64", None),
        "arm64" => ("arm64", Some("v8")),
        "armhf" => ("arm", Some("v7")),
        "armel" => ("arm", Some("v5")),
        "i386" => ("386", None),
        "ppc64el" => ("ppc64le", None),
        "mips64el" => ("mips64le", None),
        other => (other, None),
    };
    Platform {
        architecture: architecture.into(),
        os: "linux".into(),
        variant: variant.map(String::from),
    }
}

/// RFC 3339 UTC time for seconds since the epoch, as configs carry it.
pub fn rfc3339(secs: i64) -> String {
    jiff::Timestamp::from_second(secs)
        .map_or_else(|_| "1970-01-01T00:00:00Z".into(), |t| t.to_string())
}

/// Reads `null` as the default value: Docker writes `"Env": null`, `"Labels": null` and the like.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {

    #[test]
    fn debian_architectures_round_trip() {
        for arch in [
            "amd64", "arm64", "armhf", "armel", "i386", "ppc64el", "mips64el", "s390x",
        ] {
            let p = platform_for_debian(arch);
            assert_eq!(debian_arch(&p.architecture, p.variant.as_deref()), arch);
        }
    }

    #[test]
    fn platforms_parse_and_print_as_the_flag_takes_them() {
        for text in ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"] {
            let p: Platform = text.parse().unwrap();
            assert_eq!(p.to_string(), text);
        }
        let arm: Platform = "linux/arm64/v8".parse().unwrap();
        assert_eq!(arm.variant.as_deref(), Some("v8"));
        for bad in ["linux", "linux/", "/amd64", "a/b/c/d", ""] {
            let e = bad.parse::<Platform>().unwrap_err();
            assert!(e.contains("is not OS/ARCH[/VARIANT]"), "{bad}: {e}");
        }
    }

    use super::*;

    #[test]
    fn times() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_335_791), "2026-11-22T08:23:11Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn config_json_uses_spec_names() {
        let c = ImageConfig {
            architecture: "amd64".into(),
            os: "linux".into(),
            config: RunConfig {
                user: Some("65532".into()),
                working_dir: Some("/app".into()),
                ..Default::default()
            },
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids: vec![],
            },
            ..Default::default()
        };
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            json,
            r#"{"architecture":"amd64","os":"linux","config":{"User":"65532","WorkingDir":"/app"},"rootfs":{"type":"layers","diff_ids":[]}}"#
        );
    }
}
