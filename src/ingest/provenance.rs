//! Provenance: the digests of the files read, the format and the parser, as events record them.

use std::fs;
use std::io::Read;

use sha2::{Digest, Sha256};

use super::IngestError;
use super::inputs::{Candidate, Origin};
use crate::formats::{Format, InputFile};
use crate::store::{InputDigest, Provenance, manifest_sha256, sha256_hex};

/// The digest of one file of an input, recorded under `name`, with whether it ends with
/// `end_mark` (its format's, if it has one). A streamed file is hashed as it is read, never
/// held whole.
pub(crate) fn digest(
    name: &str,
    file: &InputFile,
    end_mark: Option<u8>,
) -> Result<InputDigest, IngestError> {
    let Some(path) = &file.stream_from else {
        return Ok(InputDigest {
            name: name.to_string(),
            sha256: sha256_hex(&file.bytes),
            bytes: file.bytes.len() as u64,
            eof_mark: end_mark.map(|mark| file.bytes.last() == Some(&mark)),
        });
    };
    let read_error = |source| IngestError::ReadFile {
        path: path.clone(),
        source,
    };
    let mut reader = fs::File::open(path).map_err(read_error)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    let mut last = None;
    loop {
        let n = reader.read(&mut buffer).map_err(read_error)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
        last = buffer.get(n - 1).copied();
    }
    Ok(InputDigest {
        name: name.to_string(),
        sha256: hex::encode(hasher.finalize()),
        bytes: total,
        eof_mark: end_mark.map(|mark| last == Some(mark)),
    })
}

/// The name a candidate's digest records: its file name, else how it is shown (standard input).
pub(crate) fn recorded_name(candidate: &Candidate) -> String {
    match &candidate.origin {
        Origin::Stdin => candidate.display.clone(),
        Origin::File(_) | Origin::Bytes { .. } => {
            let name = candidate.file_name();
            if name.is_empty() {
                candidate.display.clone()
            } else {
                name
            }
        }
    }
}

/// Provenance of a read: the files' digests, the format and the parser.
pub(crate) fn provenance(format: Format, inputs: Vec<InputDigest>) -> Provenance {
    Provenance {
        sha256: manifest_sha256(&inputs),
        inputs,
        format: format.name().to_string(),
        parser: parser_name(format),
    }
}

/// The program and parser that read `format`, as events record them.
pub fn parser_name(format: Format) -> String {
    format!(
        "listdiff {} {}/{}",
        env!("CARGO_PKG_VERSION"),
        format.name(),
        format.parser_version()
    )
}
