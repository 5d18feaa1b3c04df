//! Headed tables (a header, a rule of `─` under it, the columns separated by blanks) written
//! row by row: the columns measured in one pass over the rows, the lines written
//! in a second, so that no row is held. Used for the tables that grow with a list (`as-of`'s
//! 20,000 entries); its bytes are the table library's own for the same cells (the unit tests
//! compare the two on random tables).
//!
//! The table library lays a table out whole: every cell, every padded cell line and every line
//! of the table are held at once, several times the table's text for a wide table. Without a
//! width to wrap within, its layout is simple (each column as wide as its widest cell, padded
//! by one blank each side) and is reproduced here; with a width (a terminal) the library wraps
//! text, and the table is left to it.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

/// The widest cell a streamed table lays out itself; wider, the table library's own limits (its
/// widths are 16-bit) take over, and the table is left to it.
const WIDEST_CELL: usize = 60_000;

/// A table's rows, given by calling the function it is passed once per row, in order: a
/// streamed table calls it twice (to measure, then to write), so nothing need hold the rows.
pub(super) type Rows<'a> =
    &'a dyn Fn(&mut dyn FnMut(&[String]) -> io::Result<()>) -> io::Result<()>;

/// The content width of each column of a table, measured over its header and every row.
#[derive(Debug)]
pub(super) struct Columns {
    widths: Vec<usize>,
}

impl Columns {
    /// Measures the columns of `header` and `rows` (`rows` calls its argument once per row, in
    /// order); `None` when a cell is one this writer does not lay out as the table library would
    /// (a line break, an ANSI escape or any other control character, or a cell wider than
    /// [`WIDEST_CELL`]): such a table is left to the library.
    pub(super) fn measure(header: &[&str], rows: Rows<'_>) -> io::Result<Option<Columns>> {
        let mut widths: Vec<usize> = Vec::new();
        let mut fits = widen(&mut widths, &mut header.iter().copied());
        rows(&mut |cells| {
            fits = fits && widen(&mut widths, &mut cells.iter().map(String::as_str));
            Ok(())
        })?;
        Ok(fits.then_some(Columns { widths }))
    }

    /// Writes one table line of `cells` (fewer cells than columns: the rest blank), without
    /// the blanks its padding leaves at the end.
    fn write_line<'a>(
        &self,
        out: &mut dyn Write,
        line: &mut String,
        cells: impl Iterator<Item = &'a str>,
    ) -> io::Result<()> {
        line.clear();
        let mut cells = cells.fuse();
        for (index, &width) in self.widths.iter().enumerate() {
            if index > 0 {
                line.push(' ');
            }
            let cell = cells.next().unwrap_or("");
            line.push(' ');
            line.push_str(cell);
            let pad = width.saturating_sub(cell.width()) + 1;
            line.extend(std::iter::repeat_n(' ', pad));
        }
        writeln!(out, "{}", line.trim_end())
    }

    /// Writes the table: the header, the rule under it, then each row `rows` gives, one line
    /// each. `rows` must give the rows [`Columns::measure`] measured.
    pub(super) fn write(
        &self,
        out: &mut dyn Write,
        header: &[&str],
        rows: Rows<'_>,
    ) -> io::Result<()> {
        let mut line = String::new();
        self.write_line(out, &mut line, header.iter().copied())?;
        line.clear();
        for (index, &width) in self.widths.iter().enumerate() {
            if index > 0 {
                line.push(' ');
            }
            line.extend(std::iter::repeat_n('─', width + 2));
        }
        writeln!(out, "{line}")?;
        rows(&mut |cells| self.write_line(out, &mut line, cells.iter().map(String::as_str)))
    }
}

/// Widens `widths` to hold `cells`; false when a cell is one a streamed table leaves to the
/// table library (see [`Columns::measure`]).
fn widen(widths: &mut Vec<usize>, cells: &mut dyn Iterator<Item = &str>) -> bool {
    for (index, cell) in cells.enumerate() {
        if cell.chars().any(char::is_control) {
            return false;
        }
        // A column is at least one character wide.
        let width = cell.width().max(1);
        if width > WIDEST_CELL {
            return false;
        }
        match widths.get_mut(index) {
            Some(widest) => *widest = (*widest).max(width),
            None => widths.push(width),
        }
    }
    true
}
