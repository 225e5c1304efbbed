//! Images named on the command line, opened for reading through the transports of
//! `bosun_oci::source` and the registry client the settings make.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use bosun_fs::LockedFile;
use bosun_oci::Store;
use bosun_oci::model::Platform;
use bosun_oci::source::{self, Image, ImageRef};
use bosun_registry::transfer::RemoteImage;

use crate::cli::RegistryArgs;
use crate::settings;

/// An image opened for reading, and the store's shared lock when it lives in the store (so
/// that a concurrent gc cannot pull blobs from under the reader).
pub(crate) struct OpenedImage {
    pub(crate) image: Image,
    _lock: Option<LockedFile>,
}

pub(crate) fn open_image(
    store_dir: &Path,
    reference: &str,
    platform: Option<&Platform>,
    registry: &RegistryArgs,
) -> Result<OpenedImage> {
    let parsed = ImageRef::parse(reference)?;
    let lock = match &parsed {
        ImageRef::Store(_) => Store::open_existing(store_dir)?
            .map(|store| store.lock_shared())
            .transpose()?,
        ImageRef::Registry(text) => {
            let client = settings::registry_client(registry)?;
            let located = client.locate(text)?;
            let object = located.object();
            let remote = Arc::new(RemoteImage(located.repository));
            let image = source::open_remote(reference, remote, &object, platform)?;
            return Ok(OpenedImage { image, _lock: None });
        }
        _ => None,
    };
    let image = source::open_parsed(reference, parsed, store_dir, platform)?;
    Ok(OpenedImage { image, _lock: lock })
}

/// The image `reference` names, read where its signatures were checked: a registry image at
/// the digest already fetched, through the same repository handle, so a tag that moves
/// meanwhile cannot pair one image's signatures with another's contents.
pub(crate) fn open_at(
    place: Option<&bosun_trust::Place>,
    store_dir: &Path,
    reference: &str,
    platform: Option<&Platform>,
    registry: &RegistryArgs,
) -> Result<OpenedImage> {
    match place {
        Some(place @ bosun_trust::Place::Registry { repo, .. }) => {
            let remote = Arc::new(RemoteImage(repo.clone()));
            let digest = place.descriptor().digest.as_str();
            let image = source::open_remote(reference, remote, digest, platform)?;
            Ok(OpenedImage { image, _lock: None })
        }
        _ => open_image(store_dir, reference, platform, registry),
    }
}

/// Where the signatures of the image `image` names are kept: the store or a registry (none
/// for an archive or layout).
pub(crate) fn place(
    store_dir: &Path,
    image: &str,
    registry: &RegistryArgs,
) -> Result<Option<bosun_trust::Place>> {
    Ok(match ImageRef::parse(image)? {
        ImageRef::Store(name) => Some(bosun_trust::Place::in_store(store_dir, &name)?),
        ImageRef::Registry(text) => Some(bosun_trust::Place::in_registry(
            &settings::registry_client(registry)?,
            &text,
        )?),
        _ => None,
    })
}
