//! listdiff: regulatory and sanctions lists as immutable publication events.
//!
//! Floors, each importing only the floors below it:
//! - [`model`]: entries, publications, changes, the fold and diff rules (no I/O);
//! - [`formats`]: one parser per publisher format, bytes → publications;
//! - [`store`]: the append-only event log in an embedded database and the indexes derived from it;
//! - [`ingest`]: the ingest pipeline: finding, reading and checking inputs, then recording
//!   them as events and archiving them;
//! - [`fetch`]: HTTP transfers of publishers' files for `pull` (imports no other floor);
//! - [`query`]: as-of, since, diff, history, log, answered from the store;
//! - [`render`]: table, JSON, NDJSON and CSV output of the model's reports;
//! - [`cli`]: the command line, one file per subcommand.

pub mod cli;
pub mod fetch;
pub mod formats;
pub mod ingest;
pub mod model;
pub mod pull;
pub mod query;
pub mod render;
pub mod store;
