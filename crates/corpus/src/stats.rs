//! Corpus statistics from the store.

use crate::{Corpus, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// A value and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// The value (source, day, entity, speaker).
    pub name: String,
    /// Occurrences.
    pub count: u64,
    /// Articles it occurs in.
    pub articles: u64,
}

/// What a corpus holds.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Articles stored.
    pub articles: u64,
    /// Documents in the full-text index.
    pub indexed: u64,
    /// Entity mentions stored.
    pub entities: u64,
    /// Quotations stored.
    pub quotes: u64,
    /// Bytes on disk.
    pub disk_bytes: u64,
    /// Articles per outlet, most first.
    pub sources: Vec<Count>,
    /// Articles per day (`YYYY-MM-DD`, or `unknown`), in date order.
    pub days: Vec<Count>,
    /// The most mentioned entities of each type.
    pub top_entities: BTreeMap<String, Vec<Count>>,
    /// The most quoted named speakers: speakers the analysis linked to a named entity
    /// (a person, an organization).
    pub top_speakers: Vec<Count>,
    /// The most quoted unnamed sources: speakers given only by a description (التقرير،
    /// المصادر، مسؤول أمني …).
    pub top_unnamed_speakers: Vec<Count>,
}

/// Articles per outlet, most first: the one list of [`stats`] cheap enough for every page
/// view (the rest counts entities and quotations over the whole store).
pub fn sources(corpus: &Corpus) -> Result<Vec<Count>> {
    let mut st = corpus.db.prepare_cached(
        "SELECT coalesce(nullif(trim(source), ''), '(none)'), count(*) FROM articles
         GROUP BY 1 ORDER BY 2 DESC, 1",
    )?;
    let rows = st.query_map([], |r| {
        let n = r.get::<_, i64>(1)? as u64;
        Ok(Count {
            name: r.get(0)?,
            count: n,
            articles: n,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Summarizes the corpus; lists keep the `top` most frequent values.
pub fn stats(corpus: &Corpus, top: usize) -> Result<Stats> {
    let db = &corpus.db;
    let one =
        |sql: &str| -> Result<u64> { Ok(db.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
    let counts = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<Vec<Count>> {
        let mut st = db.prepare(sql)?;
        let rows = st.query_map(params, |r| {
            Ok(Count {
                name: r.get(0)?,
                count: r.get::<_, i64>(1)? as u64,
                articles: r.get::<_, i64>(2)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    };
    let top = top as i64;
    // Named speakers are linked to an entity; unnamed sources are not.
    let speakers = |entity: &str| {
        counts(
            &format!(
                "SELECT speaker, count(*), count(DISTINCT article_id) FROM quotes
                 WHERE speaker <> '' AND speaker_entity {entity}
                 GROUP BY speaker ORDER BY 2 DESC, 1 LIMIT ?1"
            ),
            &[&top],
        )
    };
    let labels: Vec<String> = {
        let mut st = db.prepare("SELECT DISTINCT label FROM entities ORDER BY label")?;
        let rows = st.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut top_entities = BTreeMap::new();
    for label in labels {
        let c = counts(
            "SELECT text, count(*), count(DISTINCT article_id) FROM entities WHERE label = ?1
             GROUP BY text ORDER BY 2 DESC, 1 LIMIT ?2",
            &[&label, &top],
        )?;
        top_entities.insert(label, c);
    }
    Ok(Stats {
        articles: one("SELECT count(*) FROM articles")?,
        indexed: corpus.indexed_count()?,
        entities: one("SELECT count(*) FROM entities")?,
        quotes: one("SELECT count(*) FROM quotes")?,
        disk_bytes: corpus.disk_size(),
        sources: sources(corpus)?,
        days: counts(
            "SELECT coalesce(substr(date, 1, 10), 'unknown'), count(*), count(*) FROM articles
             GROUP BY 1 ORDER BY 1",
            &[],
        )?,
        top_entities,
        top_speakers: speakers("IS NOT NULL")?,
        top_unnamed_speakers: speakers("IS NULL")?,
    })
}
