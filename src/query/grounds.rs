//! What an answer stands on: a list's publications as the fold reads them, its baseline (its
//! first publication in the store) and the publication an answer for a date reads (its basis).
//!
//! Every query learns which publications count through [`ListPublications::read`], which asks
//! the store's [`View::publications`]; nothing else here reads the timeline.

use chrono::NaiveDate;

use crate::model::{Baseline, BasisPublication, ListBasis, ListId, PublicationTime};
use crate::store::{StoreError, TimelineEvent, View};

/// One list's publications as the fold reads them, in fold order.
pub(crate) struct ListPublications {
    /// The list.
    pub(crate) list: ListId,
    /// Its effective publications, in fold order.
    pub(crate) items: Vec<TimelineEvent>,
}

impl ListPublications {
    /// Reads the publications of `list` (one scan of its timeline keys).
    pub(crate) fn read(view: &View, list: &ListId) -> Result<ListPublications, StoreError> {
        Ok(ListPublications {
            list: list.clone(),
            items: view.publications(list)?,
        })
    }

    /// The list's baseline: its first publication in the store.
    pub(crate) fn baseline(&self) -> Option<&TimelineEvent> {
        self.items.first()
    }

    /// The baseline when it falls after the end of `after` and on or before `through`: a
    /// window that starts before the list's history does.
    pub(crate) fn baseline_within(
        &self,
        after: NaiveDate,
        through: NaiveDate,
    ) -> Option<&TimelineEvent> {
        self.baseline()
            .filter(|b| after < b.published.date && b.published.date <= through)
    }

    /// The position of the last publication dated on or before `date`: the one the state at
    /// the end of `date` reads.
    pub(crate) fn last_through(&self, date: NaiveDate) -> Option<usize> {
        self.items
            .iter()
            .rposition(|publication| publication.published.date <= date)
    }

    /// The latest publication time.
    pub(crate) fn last_published(&self) -> Option<PublicationTime> {
        self.items.last().map(|p| p.published)
    }

    /// The publications dated within `from..=to`, with their positions, in fold order.
    pub(crate) fn within(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Iterator<Item = (usize, &TimelineEvent)> {
        self.items
            .iter()
            .enumerate()
            .filter(move |(_, p)| from <= p.published.date && p.published.date <= to)
    }

    /// The basis of an answer that reads the list at the end of `read_at`, for a question
    /// asked about `asked` (on or after `read_at`): the publication read and its age then.
    pub(crate) fn basis(&self, read_at: NaiveDate, asked: NaiveDate) -> ListBasis {
        ListBasis {
            list: self.list.clone(),
            read: self.last_through(read_at).map(|at| {
                let publication = &self.items[at];
                BasisPublication {
                    published: publication.published,
                    event: publication.seq,
                    age_days: days_between(publication.published.date, asked),
                }
            }),
            first_published: self.baseline().map(|b| b.published),
            last_published: self.last_published(),
        }
    }

    /// The baseline as reported: its event's source and kind and the entries it left in force.
    pub(crate) fn describe_baseline(&self, view: &View) -> Result<Option<Baseline>, StoreError> {
        let Some(first) = self.baseline() else {
            return Ok(None);
        };
        let event = view.event(first.seq)?;
        Ok(Some(Baseline {
            list: self.list.clone(),
            published: first.published,
            event: first.seq,
            kind: first.kind,
            source: event.source,
            entries: view.entries_after(&self.list, &self.items, 0)?,
        }))
    }
}

/// Whole days from `from` to `to`, 0 when `to` is not later.
pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> u64 {
    u64::try_from((to - from).num_days()).unwrap_or(0)
}
