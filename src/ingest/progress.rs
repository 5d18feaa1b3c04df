//! What an ingest tells as it goes, for a caller that shows progress ([`Progress`]). The
//! pipeline never prints: it calls these, and the command line draws (or does not).
//!
//! The unit of the checks is the input (a file with its companions, or standard input): a
//! file's parse, not its read, is what takes the time, and a file parsed whole tells nothing
//! until it is done; a large snapshot read one entry at a time tells the entries read so far.
//! The unit of recording is the publication.

/// An observer of an ingest's progress. Every method does nothing by default; each is called
/// on the thread running the ingest, and must return quickly.
pub trait Progress {
    /// The checks begin: `inputs` inputs to read and check (recognised ones included).
    fn checking(&self, inputs: usize) {
        let _ = inputs;
    }

    /// Input number `number` (from 1) begins to be read: `input` as shown, `bytes` its size
    /// when it is a file whose size is known.
    fn reading(&self, number: usize, input: &str, bytes: Option<u64>) {
        let _ = (number, input, bytes);
    }

    /// A large snapshot read one entry at a time has read `entries` entries so far.
    fn entries_read(&self, entries: u64) {
        let _ = entries;
    }

    /// The input begun last is read and checked (or recognised as recorded already).
    fn input_done(&self) {}

    /// Recording begins: `publications` publications to record.
    fn recording(&self, publications: usize) {
        let _ = publications;
    }

    /// `publications` publications are recorded so far.
    fn recorded(&self, publications: usize) {
        let _ = publications;
    }

    /// The inputs of what was recorded are being archived.
    fn archiving(&self) {}
}

/// The observer that is told nothing: for callers that show no progress.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}
