//! Streaming a layer: decompressing by what the bytes say, hashing as it goes, checking the
//! diff id at the end.

use super::*;

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
    /// A plain tar.
    None,
}

/// Tells the compression from a blob's first bytes.
pub fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

impl Image {
    /// The manifest's media type for a layer as OCI names it (Docker types mapped).
    pub fn oci_media_type(layer: &LayerInfo) -> &'static str {
        if layer.media_type.ends_with("gzip") {
            MEDIA_LAYER_GZIP
        } else if layer.media_type.ends_with("zstd") {
            MEDIA_LAYER_ZSTD
        } else {
            MEDIA_LAYER_TAR
        }
    }

    /// Opens layer `index` (0 = base) as its uncompressed tar stream.
    ///
    /// Compressed layers are hashed as they are inflated (it costs little next to inflating)
    /// and checked by [`LayerReader::finish`]. Plain tar layers can be walked header to header
    /// without reading file data (the reader seeks); hashing them would read every byte, so it
    /// happens only when `verify` asks, on a second thread while the caller walks the headers.
    pub fn open_layer(&self, index: usize, verify: bool) -> Result<LayerReader, Error> {
        let info = &self.layers[index];
        if let Blobs::Remote(remote) = &self.blobs {
            return self.open_remote_layer(index, remote.as_ref());
        }
        let mut region = self.blobs.open(&self.layer_paths[index])?;
        if region.len != info.size {
            return Err(Error::Inconsistent {
                subject: format!("layer {index} ({})", self.layer_paths[index]),
                problem: format!(
                    "blob is {} bytes, the manifest says {}",
                    region.len, info.size
                ),
            });
        }
        let what = format!(
            "layer {index} ({})",
            info.digest.as_ref().unwrap_or(&info.diff_id)
        );
        let mut head = [0u8; 4];
        let n = read_up_to(&mut region, &mut head)?;
        region.rewind()?;
        let (source, background) = match sniff(&head[..n]) {
            Compression::None => {
                let background = verify.then(|| BackgroundHash::start(&region)).transpose()?;
                (Source::Plain(region), background)
            }
            kind => {
                let buffered = BufReader::with_capacity(256 << 10, region);
                let inner: Box<dyn Read + Send> = match kind {
                    Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
                    _ => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
                };
                (Source::Decoded(inner), None)
            }
        };
        Ok(LayerReader {
            what,
            hasher: matches!(source, Source::Decoded(_)).then(Sha256::new),
            source,
            position: 0,
            background,
            expected_diff_id: info.diff_id.clone(),
        })
    }
}

impl Image {
    /// A registry layer: streamed once, inflated by what its bytes say, hashed as it goes.
    fn open_remote_layer(&self, index: usize, remote: &dyn Remote) -> Result<LayerReader, Error> {
        let info = &self.layers[index];
        let digest = info.digest.clone().unwrap_or_else(|| info.diff_id.clone());
        let mut buffered =
            BufReader::with_capacity(256 << 10, remote.blob(&digest, Some(info.size))?);
        let head = io::BufRead::fill_buf(&mut buffered)?;
        let inner: Box<dyn Read + Send> = match sniff(head) {
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
            Compression::None => Box::new(buffered),
        };
        Ok(LayerReader {
            what: format!("layer {index} ({digest})"),
            hasher: Some(Sha256::new()),
            source: Source::Decoded(inner),
            position: 0,
            background: None,
            expected_diff_id: info.diff_id.clone(),
        })
    }
}

/// Hashes a plain layer on its own thread; dropping it stops the work.
pub(super) struct BackgroundHash {
    stop: Arc<AtomicBool>,
    job: Option<std::thread::JoinHandle<io::Result<(Digest, u64)>>>,
}

impl BackgroundHash {
    pub(super) fn start(region: &Region) -> Result<Self, Error> {
        let mut copy = Region::new(region.file.try_clone()?, region.start, region.len);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let job = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            let mut total = 0u64;
            while !stopped.load(Ordering::Relaxed) {
                match copy.read(&mut buf)? {
                    0 => break,
                    n => {
                        hasher.update(&buf[..n]);
                        total += n as u64;
                    }
                }
            }
            Ok((Digest::from_hasher(hasher), total))
        });
        Ok(Self {
            stop,
            job: Some(job),
        })
    }

    pub(super) fn wait(mut self) -> io::Result<(Digest, u64)> {
        let job = self.job.take().expect("joined once");
        job.join()
            .unwrap_or_else(|_| Err(io::Error::other("the hashing thread panicked")))
    }
}

impl Drop for BackgroundHash {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

pub(super) enum Source {
    /// A plain tar, seekable.
    Plain(Region),
    /// An inflating stream, hashed as it is read.
    Decoded(Box<dyn Read + Send>),
}

/// A layer's uncompressed tar stream; [`LayerReader::finish`] checks it against its diff id.
///
/// Only the uncompressed side is hashed: the config that lists the diff ids is itself checked
/// against the manifest (and the manifest against the index), so a diff id match proves every
/// byte the analysis saw; hashing the compressed blob too would cost a second pass for nothing.
///
/// It seeks: over a plain tar for real, over an inflating stream by reading forward (so the
/// hash still sees every byte).
pub struct LayerReader {
    what: String,
    source: Source,
    /// Hashes what an inflating stream yields.
    hasher: Option<Sha256>,
    position: u64,
    background: Option<BackgroundHash>,
    expected_diff_id: Digest,
}

/// How a layer stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerEnd {
    /// Uncompressed bytes.
    pub size: u64,
    /// Whether every byte was checked against the diff id.
    pub verified: bool,
}

impl Read for LayerReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.source {
            Source::Plain(region) => region.read(buf),
            Source::Decoded(inner) => inner.read(buf),
        }
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.what)))?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for LayerReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match &mut self.source {
            Source::Plain(region) => {
                self.position = region.seek(to)?;
                Ok(self.position)
            }
            Source::Decoded(_) => match to {
                SeekFrom::Current(d) if d >= 0 => {
                    io::copy(&mut self.by_ref().take(d as u64), &mut io::sink())?;
                    Ok(self.position)
                }
                _ => Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "a compressed layer only seeks forward",
                )),
            },
        }
    }
}

impl LayerReader {
    /// Whether [`LayerReader::finish`] will check the stream against the diff id.
    pub fn verifies(&self) -> bool {
        self.hasher.is_some() || self.background.is_some()
    }

    /// Ends the stream: checks the diff id when the layer was hashed, and says how big the
    /// uncompressed tar is.
    pub fn finish(mut self) -> Result<LayerEnd, Error> {
        let (actual, size) = match &self.source {
            Source::Plain(region) => {
                let size = region.len;
                match self.background.take() {
                    Some(job) => {
                        let (digest, hashed) = job.wait().map_err(|e| {
                            Error::Io(io::Error::new(e.kind(), format!("{}: {e}", self.what)))
                        })?;
                        debug_assert_eq!(hashed, size);
                        (Some(digest), size)
                    }
                    None => (None, size),
                }
            }
            Source::Decoded(_) => {
                io::copy(&mut self, &mut io::sink())?;
                (self.hasher.take().map(Digest::from_hasher), self.position)
            }
        };
        if let Some(actual) = &actual
            && *actual != self.expected_diff_id
        {
            return Err(Error::Corrupt {
                what: self.what,
                expected: self.expected_diff_id,
                actual: actual.clone(),
            });
        }
        Ok(LayerEnd {
            size,
            verified: actual.is_some(),
        })
    }
}
