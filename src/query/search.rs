//! Finding entries by name (`history QUERY`, issue 12 item 8).
//!
//! A name and a query are compared *folded*: in lower case, without accents (`é` → `e`, `ß` →
//! `ss`, `ø` → `o`, …) and with everything but letters and digits taken as a break between
//! words. A query matches a name when each of its words occurs in the name's letters and digits
//! (run together, so `OBrien` and `o brien` both match `O'BRIEN`), in any order: `Mugabe Robert`
//! matches `MUGABE, Robert Gabriel`, and a query of one word matches the names that contain it,
//! as before.
//!
//! When nothing matches, names are ranked by how close they are: for each word of the query the
//! most similar word of the name (Jaro-Winkler, `strsim`), averaged over the query's words, with
//! a fifth of the weight on the similarity of the whole folded texts.

use std::cmp::Ordering;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::model::{CloseName, EntryId, ListId, id_order};
use crate::store::EntryNames;

/// Text folded for matching: its words, and its letters and digits run together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Folded {
    /// The words, in order.
    pub(crate) words: Vec<String>,
    /// The words run together.
    pub(crate) compact: String,
}

/// Appends the folded form of one (lower-case, decomposed) character to `word`; `false` when it
/// is no letter or digit (a break between words).
fn push_folded(c: char, word: &mut String) -> bool {
    match c {
        'ß' => word.push_str("ss"),
        'æ' => word.push_str("ae"),
        'œ' => word.push_str("oe"),
        'ø' => word.push('o'),
        'ł' => word.push('l'),
        'đ' | 'ð' => word.push('d'),
        'þ' => word.push_str("th"),
        'ı' => word.push('i'),
        c if c.is_alphanumeric() => word.push(c),
        _ => return false,
    }
    true
}

/// Folds `text` (see the module's documentation).
pub(crate) fn fold(text: &str) -> Folded {
    let mut folded = Folded::default();
    let mut word = String::new();
    for c in text.chars().flat_map(char::to_lowercase).nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if !push_folded(c, &mut word) && !word.is_empty() {
            folded.compact.push_str(&word);
            folded.words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        folded.compact.push_str(&word);
        folded.words.push(word);
    }
    folded
}

/// A query for names.
pub(crate) struct NameQuery {
    folded: Folded,
}

impl NameQuery {
    /// The query `text`; `None` when it holds no letter or digit (it can then match ids only).
    pub(crate) fn new(text: &str) -> Option<NameQuery> {
        let folded = fold(text);
        (!folded.words.is_empty()).then_some(NameQuery { folded })
    }

    /// True when every word of the query occurs in `name`'s letters and digits.
    pub(crate) fn matches(&self, name: &str) -> bool {
        let name = fold(name);
        self.folded
            .words
            .iter()
            .all(|word| name.compact.contains(word.as_str()))
    }

    /// How close `name` is to the query, from 0 (nothing alike) to 1.
    pub(crate) fn similarity(&self, name: &str) -> f64 {
        let name = fold(name);
        if name.words.is_empty() {
            return 0.0;
        }
        let words: f64 = self
            .folded
            .words
            .iter()
            .map(|q| {
                name.words
                    .iter()
                    .map(|w| strsim::jaro_winkler(q, w))
                    .fold(0.0, f64::max)
            })
            .sum::<f64>()
            / self.folded.words.len() as f64;
        let whole = strsim::jaro_winkler(&self.folded.compact, &name.compact);
        0.8 * words + 0.2 * whole
    }
}

/// At most `n` names of `entries` closest to `query`, closest first, one per entry (its
/// closest name); ties by list, id and name.
pub(crate) fn closest(
    query: &NameQuery,
    entries: &[(ListId, Vec<EntryNames>)],
    n: usize,
) -> Vec<CloseName> {
    let mut ranked: Vec<(f64, CloseName)> = Vec::new();
    for (list, names) in entries {
        for entry in names {
            let best = entry
                .names
                .iter()
                .chain(&entry.aliases)
                .map(|name| (query.similarity(name), name))
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
            if let Some((score, name)) = best {
                ranked.push((
                    score,
                    CloseName {
                        list: list.clone(),
                        id: entry.id.clone(),
                        name: name.clone(),
                        entry_name: entry.latest.clone(),
                    },
                ));
            }
        }
    }
    ranked.sort_by(|(sa, a), (sb, b)| {
        sb.total_cmp(sa)
            .then_with(|| a.list.cmp(&b.list))
            .then_with(|| id_order(&a.id, &b.id))
            .then_with(|| a.name.cmp(&b.name))
    });
    ranked.truncate(n);
    ranked.into_iter().map(|(_, name)| name).collect()
}

/// Orders two (list, id) pairs as answers list entries: by list, then [`id_order`].
pub(crate) fn listing(a: (&ListId, &EntryId), b: (&ListId, &EntryId)) -> Ordering {
    a.0.cmp(b.0).then_with(|| id_order(a.1, b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_accents_and_punctuation() {
        assert_eq!(
            fold("MUGABE, Robert  Gabriel").words,
            ["mugabe", "robert", "gabriel"]
        );
        assert_eq!(fold("Société Générale").compact, "societegenerale");
        assert_eq!(fold("O'BRIEN-SMITH").words, ["o", "brien", "smith"]);
        assert_eq!(fold("Straße Øresund Łódź").compact, "strasseoresundlodz");
        assert_eq!(
            fold("ＡＢＣ ﬁne").compact,
            "abcfine",
            "compatibility forms too"
        );
        assert_eq!(
            fold("Аль-Каида").words,
            ["аль", "каида"],
            "other scripts kept"
        );
        assert!(fold(" ,.- ").words.is_empty());
    }

    #[test]
    fn every_word_of_a_query_must_occur_in_one_name() {
        let query = NameQuery::new("Mugabe Robert").unwrap();
        assert!(query.matches("MUGABE, Robert Gabriel"));
        assert!(query.matches("Robert MUGABE"));
        assert!(!query.matches("MUGABE, Grace"));
        assert!(NameQuery::new("obrien").unwrap().matches("O'Brien"));
        assert!(NameQuery::new("...").is_none());
    }

    #[test]
    fn similar_names_rank_higher() {
        let query = NameQuery::new("Mugabi Robrt").unwrap();
        let close = query.similarity("MUGABE, Robert Gabriel");
        let far = query.similarity("MUGABE, Grace");
        let unrelated = query.similarity("Zhejiang Uniview Technologies");
        assert!(close > far && far > unrelated, "{close} {far} {unrelated}");
        assert!((0.0..=1.0).contains(&close));
    }
}
