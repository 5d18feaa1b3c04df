//! The shared reading layer: every format reads its bytes through it.
//!
//! - [`decode`]: the one decoding policy (byte-order mark, XML declaration, UTF-8, else
//!   Windows-1252 with a warning), for streams and for bytes held in memory.
//! - [`text`]: text read whole or line by line.
//! - [`csv`]: delimited records with their lines.
//! - [`xml`]: the streaming XML reader, its record subtrees and the root of a file's head.
//! - [`html`]: HTML pages' visible text and tables, read with an HTML parser.
//! - [`head`]: what recognisers read in a file's first bytes.
//! - [`limits`]: how large a field, a record, a line and a file read whole may be.

pub(crate) mod csv;
pub(crate) mod decode;
pub(crate) mod head;
pub(crate) mod html;
pub mod limits;
pub(crate) mod text;
pub(crate) mod xml;
