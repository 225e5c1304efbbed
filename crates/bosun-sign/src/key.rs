//! Key pairs as cosign writes them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_secretbox::aead::{Aead, KeyInit};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::Error;

/// Why a password could not be had (no terminal to ask on, a failed prompt).
pub type PasswordError = Box<dyn std::error::Error + Send + Sync>;

/// The PEM label cosign writes an encrypted private key under.
pub const ENCRYPTED_SIGSTORE: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The label older cosign releases wrote.
pub const ENCRYPTED_COSIGN: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// scrypt's cost as cosign sets it (N = 2^15, r = 8, p = 1).
const LOG_N: u8 = 15;
const R: u32 = 8;
const P: u32 = 1;

/// An ECDSA P-256 private key.
pub struct PrivateKey(SigningKey);

impl std::fmt::Debug for PrivateKey {
    /// Never the key itself: only its public half.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey(public: {:?})", self.public())
    }
}

/// An ECDSA P-256 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

#[derive(Serialize, Deserialize)]
struct Sealed {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct KdfParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

fn secretbox_key(
    password: &[u8],
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, Error> {
    let params = scrypt::Params::new(log_n, r, p, 32).map_err(|_| Error::Crypto {
        step: "derive the key (scrypt parameters)",
    })?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &params, key.as_mut()).map_err(|_| Error::Crypto {
        step: "derive the key (scrypt)",
    })?;
    Ok(key)
}

impl PrivateKey {
    /// A new random key.
    pub fn generate() -> Self {
        PrivateKey(SigningKey::random(&mut OsRng))
    }

    /// Its public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(*self.0.verifying_key())
    }

    /// Signs `message` (ECDSA P-256 over its SHA-256); the signature ASN.1 DER encoded, as
    /// cosign stores it.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.0.sign(message);
        signature.to_der().as_bytes().to_vec()
    }

    /// The key as cosign writes `cosign.key`: its PKCS#8 form sealed with a key scrypt
    /// derives from `password`, in a PEM block labelled [`ENCRYPTED_SIGSTORE`].
    pub fn to_encrypted_pem(&self, password: &[u8]) -> Result<String, Error> {
        let der = self.0.to_pkcs8_der().map_err(|_| Error::Crypto {
            step: "encode the key",
        })?;
        let mut salt = [0u8; 32];
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let key = secretbox_key(password, &salt, LOG_N, R, P)?;
        let ciphertext = crypto_secretbox::XSalsa20Poly1305::new(key.as_ref().into())
            .encrypt(&nonce.into(), der.as_bytes())
            .map_err(|_| Error::Crypto {
                step: "seal the key",
            })?;
        let sealed = Sealed {
            kdf: Kdf {
                name: "scrypt".into(),
                params: KdfParams {
                    n: 1 << LOG_N,
                    r: R,
                    p: P,
                },
                salt: STANDARD.encode(salt),
            },
            cipher: Cipher {
                name: "nacl/secretbox".into(),
                nonce: STANDARD.encode(nonce),
            },
            ciphertext: STANDARD.encode(ciphertext),
        };
        let json = serde_json::to_vec(&sealed).expect("serializes");
        p256::pkcs8::der::pem::encode_string(ENCRYPTED_SIGSTORE, LineEnding::LF, &json).map_err(
            |_| Error::Crypto {
                step: "encode the key",
            },
        )
    }

    /// Reads a private key: cosign's encrypted forms (asking `password` for the password),
    /// PKCS#8 (`PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
    pub fn from_pem(
        text: &str,
        password: impl FnOnce() -> Result<String, PasswordError>,
    ) -> Result<Self, Error> {
        let (label, der) =
            p256::pkcs8::der::pem::decode_vec(text.trim().as_bytes()).map_err(|e| {
                Error::Malformed {
                    expected: "a PEM key",
                    source: Some(e.to_string().into()),
                }
            })?;
        let der = Zeroizing::new(der);
        let key = match label {
            ENCRYPTED_SIGSTORE | ENCRYPTED_COSIGN => {
                let password = password().map_err(Error::NoPassword)?;
                let plain = open(&der, password.as_bytes())?;
                SigningKey::from_pkcs8_der(&plain)
            }
            "PRIVATE KEY" => SigningKey::from_pkcs8_der(&der),
            "EC PRIVATE KEY" => {
                return p256::SecretKey::from_sec1_der(&der)
                    .map(|k| PrivateKey(k.into()))
                    .map_err(|e| malformed("a P-256 EC private key", e));
            }
            other => {
                return Err(Error::NotPrivate {
                    label: other.to_string(),
                });
            }
        };
        key.map(PrivateKey)
            .map_err(|e| malformed("an ECDSA P-256 private key", e))
    }
}

/// A key's text, named as cosign names keys: `env://VAR`, or a file.
fn named_text(name: &str) -> Result<String, Error> {
    match name.strip_prefix("env://") {
        Some(var) => std::env::var(var).map_err(|_| Error::KeyVariable {
            var: var.to_string(),
        }),
        None => std::fs::read_to_string(name).map_err(|source| Error::KeyFile {
            path: name.to_string(),
            source,
        }),
    }
}

impl PrivateKey {
    /// The private key `name` names (`env://VAR` or a file); `password` is asked only for an
    /// encrypted one.
    pub fn load(
        name: &str,
        password: impl FnOnce() -> Result<String, PasswordError>,
    ) -> Result<Self, Error> {
        named_text(name)
            .and_then(|text| Self::from_pem(&text, password))
            .map_err(|e| Error::Load {
                half: "private",
                name: name.to_string(),
                source: Box::new(e),
            })
    }
}

impl PublicKey {
    /// The public key `name` names (`env://VAR` or a file).
    pub fn load(name: &str) -> Result<Self, Error> {
        named_text(name)
            .and_then(|text| Self::from_pem(&text))
            .map_err(|e| Error::Load {
                half: "public",
                name: name.to_string(),
                source: Box::new(e),
            })
    }
}

/// A document that is not `expected`, and the parser's reason.
pub(crate) fn malformed(
    expected: &'static str,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Malformed {
        expected,
        source: Some(Box::new(source)),
    }
}

/// Opens a sealed key with `password`.
fn open(json: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let sealed: Sealed =
        serde_json::from_slice(json).map_err(|e| malformed("an encrypted cosign key", e))?;
    if sealed.kdf.name != "scrypt" || sealed.cipher.name != "nacl/secretbox" {
        return Err(Error::Encryption {
            what: "kdf + cipher",
            value: format!("{} + {}", sealed.kdf.name, sealed.cipher.name),
        });
    }
    let KdfParams { n, r, p } = sealed.kdf.params;
    // Bounded so a hostile key file cannot ask for gigabytes of memory.
    if !n.is_power_of_two()
        || !(2..=1 << 20).contains(&n)
        || !(1..=32).contains(&r)
        || !(1..=16).contains(&p)
    {
        return Err(Error::Encryption {
            what: "scrypt parameters out of range:",
            value: format!("N={n} r={r} p={p}"),
        });
    }
    let decode =
        |what: &'static str, s: &str| STANDARD.decode(s).map_err(|_| Error::Base64 { what });
    let salt = decode("salt", &sealed.kdf.salt)?;
    let nonce = decode("nonce", &sealed.cipher.nonce)?;
    let ciphertext = decode("ciphertext", &sealed.ciphertext)?;
    if nonce.len() != 24 {
        return Err(Error::Encryption {
            what: "nonce of bytes (not 24):",
            value: nonce.len().to_string(),
        });
    }
    let key = secretbox_key(password, &salt, n.trailing_zeros() as u8, r, p)?;
    crypto_secretbox::XSalsa20Poly1305::new(key.as_ref().into())
        .decrypt(nonce.as_slice().into(), ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| Error::Password)
}

impl PublicKey {
    /// Reads a PKIX `PUBLIC KEY` PEM block.
    pub fn from_pem(text: &str) -> Result<Self, Error> {
        VerifyingKey::from_public_key_pem(text.trim())
            .map(PublicKey)
            .map_err(|e| malformed("an ECDSA P-256 public key (PKIX PEM)", e))
    }

    /// The key as cosign writes `cosign.pub`.
    pub fn to_pem(&self) -> String {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .expect("a P-256 key encodes")
    }

    /// The base64 sha256 of its DER form: how a Sigstore bundle names a key.
    pub fn hint(&self) -> String {
        use sha2::Digest as _;
        let der = self.0.to_public_key_der().expect("a P-256 key encodes");
        STANDARD.encode(sha2::Sha256::digest(der.as_bytes()))
    }

    /// Checks `signature` (ASN.1 DER, or the 64-byte r‖s form) over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let signature = Signature::from_der(signature)
            .or_else(|_| Signature::from_slice(signature))
            .map_err(|_| Error::NotEcdsa)?;
        self.0
            .verify(message, &signature)
            .map_err(|_| Error::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_every_form() {
        let key = PrivateKey::generate();
        let pem = key.to_encrypted_pem(b"hunter2").unwrap();
        assert!(
            pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"),
            "{pem}"
        );
        let back = PrivateKey::from_pem(&pem, || Ok("hunter2".into())).unwrap();
        assert_eq!(back.public(), key.public());
        assert!(matches!(
            PrivateKey::from_pem(&pem, || Ok("wrong".into())),
            Err(Error::Password)
        ));
        let old = pem.replace(ENCRYPTED_SIGSTORE, ENCRYPTED_COSIGN);
        assert_eq!(
            PrivateKey::from_pem(&old, || Ok("hunter2".into()))
                .unwrap()
                .public(),
            key.public()
        );
        let pkcs8 = key.0.to_pkcs8_pem(LineEnding::LF).unwrap();
        assert_eq!(
            PrivateKey::from_pem(&pkcs8, || unreachable!())
                .unwrap()
                .public(),
            key.public()
        );
        let sec1 = p256::SecretKey::from(&key.0)
            .to_sec1_pem(LineEnding::LF)
            .unwrap();
        assert_eq!(
            PrivateKey::from_pem(&sec1, || unreachable!())
                .unwrap()
                .public(),
            key.public()
        );
        let public = PublicKey::from_pem(&key.public().to_pem()).unwrap();
        let signature = key.sign(b"payload");
        public.verify(b"payload", &signature).unwrap();
        assert!(public.verify(b"payloaD", &signature).is_err());
        assert!(
            PublicKey::from_pem(&PrivateKey::generate().public().to_pem())
                .unwrap()
                .verify(b"payload", &signature)
                .is_err()
        );
        assert!(
            PrivateKey::from_pem(&public.to_pem(), || unreachable!())
                .unwrap_err()
                .to_string()
                .contains("PUBLIC KEY PEM block is not a private key")
        );
    }

    #[test]
    fn hostile_scrypt_parameters_are_refused() {
        let json = br#"{"kdf":{"name":"scrypt","params":{"N":1073741824,"r":8,"p":1},"salt":"AA=="},"cipher":{"name":"nacl/secretbox","nonce":"AA=="},"ciphertext":"AA=="}"#;
        let pem =
            p256::pkcs8::der::pem::encode_string(ENCRYPTED_SIGSTORE, LineEnding::LF, json).unwrap();
        let err = PrivateKey::from_pem(&pem, || Ok(String::new()))
            .err()
            .unwrap();
        assert!(err.to_string().contains("out of range"), "{err}");
    }
}
