//! Ed25519 signatures on checkpoints: keys as hex text, a key's short id, and the signature
//! lines that may follow a checkpoint's body.
//!
//! ```text
//! listdiff checkpoint v1
//! store 5f0c2a9e4b7d1c3a
//! size 310
//! root 1f3a…(64 hex digits)
//! time 2026-11-28T12:00:00Z
//!
//! signature ed25519 9c1d0e7a55b2f310 6a0c…(128 hex digits)
//! ```
//!
//! A signature signs exactly the body's bytes (the five lines, each with its newline). Its line
//! is `signature ed25519 KEYID SIG`: KEYID is the first 8 bytes of the SHA-256 of the 32-byte
//! public key, SIG the 64-byte signature, both lower-case hex. A secret key file holds the hex of
//! the 32-byte seed, a public key file the hex of the 32-byte public key (one line each).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::checkpoint::{Checkpoint, CheckpointError};

/// The word after `signature` naming the only algorithm listdiff signs with.
pub const ED25519: &str = "ed25519";

/// Why a key, a signature or a signed checkpoint does not check out.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// A key file's text is not a key.
    #[error("{what} is not 64 hex digits (a 32-byte Ed25519 key)")]
    BadKey {
        /// Which key ("the secret key", "the public key").
        what: &'static str,
    },
    /// The public key is not a point of the curve.
    #[error("the public key is not a valid Ed25519 public key")]
    InvalidPublicKey,
    /// The checkpoint has no signature at all.
    #[error(
        "the checkpoint is not signed, but --key asks for a signature by key {key_id}: sign it with `listdiff checkpoint --sign KEYFILE`, or leave out --key"
    )]
    Unsigned {
        /// The id of the key asked for.
        key_id: String,
    },
    /// The checkpoint is signed, but not by this key.
    #[error("the checkpoint is signed by key {found}, not by key {key_id} (the --key given)")]
    OtherKey {
        /// The id of the key asked for.
        key_id: String,
        /// The ids of the keys that signed it.
        found: String,
    },
    /// A signature by this key does not match the body: the checkpoint was changed after it
    /// was signed, or the signature was.
    #[error(
        "line {line}: the signature by key {key_id} does not match the checkpoint: the checkpoint or its signature was changed after signing"
    )]
    Mismatch {
        /// The signature's line (1-based).
        line: usize,
        /// The key's id.
        key_id: String,
    },
}

/// An Ed25519 public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey(pub [u8; 32]);

/// An Ed25519 secret key: the 32-byte seed.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim()).ok()?.try_into().ok()
}

impl PublicKey {
    /// Reads a public key file's text: 64 hex digits (surrounding whitespace ignored).
    pub fn from_text(text: &str) -> Result<PublicKey, SignatureError> {
        let bytes = parse_hex32(text).ok_or(SignatureError::BadKey {
            what: "the public key",
        })?;
        VerifyingKey::from_bytes(&bytes).map_err(|_| SignatureError::InvalidPublicKey)?;
        Ok(PublicKey(bytes))
    }

    /// The public key file's text: hex and a newline.
    pub fn to_text(&self) -> String {
        format!("{}\n", hex::encode(self.0))
    }

    /// The key's id: the first 8 bytes of the SHA-256 of the key, hex.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..8])
    }
}

impl SecretKey {
    /// The key with this seed (32 random bytes).
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        SecretKey(seed)
    }

    /// Reads a secret key file's text: 64 hex digits (surrounding whitespace ignored).
    pub fn from_text(text: &str) -> Result<SecretKey, SignatureError> {
        parse_hex32(text)
            .map(SecretKey)
            .ok_or(SignatureError::BadKey {
                what: "the secret key",
            })
    }

    /// The secret key file's text: hex of the seed and a newline.
    pub fn to_text(&self) -> String {
        format!("{}\n", hex::encode(self.0))
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(SigningKey::from_bytes(&self.0).verifying_key().to_bytes())
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> SignatureLine {
        SignatureLine {
            key_id: self.public().key_id(),
            signature: SigningKey::from_bytes(&self.0).sign(message).to_bytes(),
        }
    }
}

/// One `signature ed25519 KEYID SIG` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureLine {
    /// The signing key's id (16 hex digits).
    pub key_id: String,
    /// The signature.
    pub signature: [u8; 64],
}

impl SignatureLine {
    /// The line, without its newline.
    pub fn to_line(&self) -> String {
        format!(
            "signature {ED25519} {} {}",
            self.key_id,
            hex::encode(self.signature)
        )
    }

    /// Reads one line (without its newline); `line` is its number, for errors.
    pub fn parse(text: &str, line: usize) -> Result<SignatureLine, CheckpointError> {
        let error = |message: String| CheckpointError { line, message };
        let words: Vec<&str> = text.split(' ').collect();
        let [word, algorithm, key_id, signature] = words.as_slice() else {
            return Err(error(format!(
                "expected \"signature {ED25519} KEYID SIGNATURE\", found {text:?}"
            )));
        };
        if *word != "signature" {
            return Err(error(format!(
                "expected \"signature {ED25519} KEYID SIGNATURE\", found {text:?}"
            )));
        }
        if *algorithm != ED25519 {
            return Err(error(format!(
                "signature algorithm {algorithm:?} is not supported (only {ED25519})"
            )));
        }
        if key_id.len() != 16 || hex::decode(key_id).is_err() {
            return Err(error(format!("key id {key_id:?} is not 16 hex digits")));
        }
        let signature = hex::decode(signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .ok_or_else(|| error("the signature is not 128 hex digits".to_string()))?;
        Ok(SignatureLine {
            key_id: key_id.to_ascii_lowercase(),
            signature,
        })
    }
}

/// A checkpoint with the signatures that follow its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// Its signatures, each with its line number in the text.
    pub signatures: Vec<(usize, SignatureLine)>,
}

impl SignedCheckpoint {
    /// Signs `checkpoint`'s body with `key`.
    pub fn sign(checkpoint: Checkpoint, key: &SecretKey) -> SignedCheckpoint {
        let line = key.sign(checkpoint.to_text().as_bytes());
        SignedCheckpoint {
            checkpoint,
            signatures: vec![(7, line)],
        }
    }

    /// The text: the body, then (when signed) a blank line and one line per signature.
    pub fn to_text(&self) -> String {
        let mut text = self.checkpoint.to_text();
        if !self.signatures.is_empty() {
            text.push('\n');
            for (_, signature) in &self.signatures {
                text.push_str(&signature.to_line());
                text.push('\n');
            }
        }
        text
    }

    /// Reads a checkpoint file: the body, then nothing, or a blank line and signature lines.
    pub fn parse(text: &str) -> Result<SignedCheckpoint, CheckpointError> {
        let (checkpoint, rest) = Checkpoint::parse(text)?;
        let mut signatures = Vec::new();
        let mut lines = rest.lines().enumerate().map(|(i, l)| (i + 6, l));
        match lines.next() {
            None => {}
            Some((_, blank)) if blank.trim().is_empty() => {}
            Some((line, other)) => {
                return Err(CheckpointError {
                    line,
                    message: format!(
                        "expected a blank line before the signatures, found {other:?}"
                    ),
                });
            }
        }
        for (line, text) in lines {
            let text = text.strip_suffix('\r').unwrap_or(text);
            if text.is_empty() {
                continue;
            }
            signatures.push((line, SignatureLine::parse(text, line)?));
        }
        Ok(SignedCheckpoint {
            checkpoint,
            signatures,
        })
    }

    /// Checks that `key` signed this checkpoint's body: some signature line carries its id and
    /// verifies. Returns the key's id.
    pub fn verify(&self, key: &PublicKey) -> Result<String, SignatureError> {
        let key_id = key.key_id();
        if self.signatures.is_empty() {
            return Err(SignatureError::Unsigned { key_id });
        }
        let body = self.checkpoint.to_text();
        let verifying =
            VerifyingKey::from_bytes(&key.0).map_err(|_| SignatureError::InvalidPublicKey)?;
        let mut found = Vec::new();
        for (line, signature) in &self.signatures {
            if signature.key_id != key_id {
                found.push(signature.key_id.clone());
                continue;
            }
            let ok = verifying
                .verify_strict(
                    body.as_bytes(),
                    &Signature::from_bytes(&signature.signature),
                )
                .is_ok();
            return if ok {
                Ok(key_id)
            } else {
                Err(SignatureError::Mismatch {
                    line: *line,
                    key_id,
                })
            };
        }
        Err(SignatureError::OtherKey {
            key_id,
            found: found.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::merkle::leaf_hash;
    use chrono::{DateTime, Utc};

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            store_id: "5f0c2a9e4b7d1c3a".into(),
            size: 3,
            root: leaf_hash(b"x"),
            time: DateTime::parse_from_rfc3339("2026-01-15T09:30:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn key(byte: u8) -> SecretKey {
        SecretKey::from_seed([byte; 32])
    }

    #[test]
    fn rfc8032_test_vector_1() {
        // RFC 8032 section 7.1, TEST 1: the empty message.
        let secret = SecretKey::from_text(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        )
        .unwrap();
        assert_eq!(
            hex::encode(secret.public().0),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex::encode(secret.sign(b"").signature),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn signed_text_round_trips_and_verifies_with_its_key_only() {
        let signed = SignedCheckpoint::sign(checkpoint(), &key(1));
        let text = signed.to_text();
        assert!(text.starts_with(&checkpoint().to_text()));
        let line = text.lines().nth(6).unwrap();
        assert!(line.starts_with(&format!("signature ed25519 {} ", key(1).public().key_id())));
        assert_eq!(line.len(), "signature ed25519 ".len() + 16 + 1 + 128);
        let back = SignedCheckpoint::parse(&text).unwrap();
        assert_eq!(back, signed);
        assert_eq!(back.verify(&key(1).public()), Ok(key(1).public().key_id()));
        assert!(matches!(
            back.verify(&key(2).public()),
            Err(SignatureError::OtherKey { .. })
        ));
    }

    #[test]
    fn a_changed_body_or_signature_fails() {
        let text = SignedCheckpoint::sign(checkpoint(), &key(1)).to_text();
        let public = key(1).public();
        let changed = SignedCheckpoint::parse(&text.replace("size 3", "size 4")).unwrap();
        assert_eq!(
            changed.verify(&public),
            Err(SignatureError::Mismatch {
                line: 7,
                key_id: public.key_id()
            })
        );
        let sig_start = text.rfind(' ').unwrap() + 1;
        let mut tampered = text.clone();
        let flipped = if &text[sig_start..sig_start + 1] == "0" {
            "1"
        } else {
            "0"
        };
        tampered.replace_range(sig_start..sig_start + 1, flipped);
        assert!(matches!(
            SignedCheckpoint::parse(&tampered).unwrap().verify(&public),
            Err(SignatureError::Mismatch { .. })
        ));
    }

    #[test]
    fn unsigned_checkpoints_parse_but_do_not_verify() {
        let plain = SignedCheckpoint::parse(&checkpoint().to_text()).unwrap();
        assert!(plain.signatures.is_empty());
        assert!(matches!(
            plain.verify(&key(1).public()),
            Err(SignatureError::Unsigned { .. })
        ));
    }

    #[test]
    fn bad_signature_lines_and_keys_are_refused() {
        let body = checkpoint().to_text();
        let good = key(1).sign(body.as_bytes()).to_line();
        for (after, line) in [
            (format!("garbage\n{good}\n"), 6),
            (format!("\nsignature rsa abcd {}\n", "00".repeat(64)), 7),
            (format!("\nsignature ed25519 xyz {}\n", "00".repeat(64)), 7),
            (
                format!("\n{good}\nsignature ed25519 0011223344556677 00\n"),
                8,
            ),
        ] {
            let error = SignedCheckpoint::parse(&format!("{body}{after}")).unwrap_err();
            assert_eq!(error.line, line, "{after}: {error}");
        }
        assert!(PublicKey::from_text("abc").is_err());
        assert!(SecretKey::from_text(&"zz".repeat(32)).is_err());
        let public = key(3).public();
        assert_eq!(PublicKey::from_text(&public.to_text()), Ok(public));
        assert_eq!(
            SecretKey::from_text(&key(3).to_text()).unwrap().public(),
            public
        );
        assert_eq!(public.key_id().len(), 16);
    }
}
