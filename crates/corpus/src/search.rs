//! Searching a corpus: BM25 over title and body with lead and word-pair signals
//! ([`crate::ranking`]), phrases, filters, highlighted snippets.

use crate::analyzer::{corpus_query_terms, QueryTerm};
use crate::indexer::source_key;
use crate::ranking::{text_clauses, Ranking, TextFields};
use crate::schema::{open_index, Fields, INDEX_DIR};
use crate::{Error, Result};
use serde::Serialize;
use std::ops::{Bound, Range};
use std::path::Path;
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

/// Weight of a title match relative to a body match.
const TITLE_BOOST: f32 = 2.0;

/// Chars of a hit's body searched for its snippet.
const SNIPPET_SCAN: usize = 300;

/// A search: query text and filters.
///
/// The query is free text; words are OR-ed and ranked by BM25, and text in double quotes
/// (`"…"`, `“…”`, `«…»`) is a phrase every hit must contain. Each filter narrows the hits.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query text (may be empty when filters are given).
    pub query: String,
    /// Maximum number of hits.
    pub limit: usize,
    /// Only this outlet (case-insensitive).
    pub source: Option<String>,
    /// Only articles published on or after this day (any format [`normalize_date`] reads).
    pub from: Option<String>,
    /// Only articles published on or before this day.
    pub to: Option<String>,
    /// Only articles mentioning this entity: under any spelling linked to the corpus entity
    /// the name means (see [`crate::Corpus::resolve_entity`]), or with the name's words in
    /// an entity mention.
    pub entity: Option<String>,
    /// Only articles quoting this speaker (linked like `entity`).
    pub speaker: Option<String>,
    /// Snippet length in chars (0: 200).
    pub snippet_chars: usize,
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Article id.
    pub id: String,
    /// BM25 score.
    pub score: f32,
    /// Headline.
    pub title: String,
    /// Outlet.
    pub source: Option<String>,
    /// Normalized publication date.
    pub date: Option<String>,
    /// Snippet of the body with the matches in `<b>…</b>` (HTML-escaped).
    pub snippet: String,
    /// The article's story (see `khabar stories`), once stories are built.
    pub story: Option<i64>,
    /// The snippet as plain text.
    #[serde(skip)]
    pub fragment: String,
    /// Byte ranges of the matches in `fragment`.
    #[serde(skip)]
    pub highlights: Vec<Range<usize>>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query text.
    pub query: String,
    /// Time taken, milliseconds.
    pub took_ms: f64,
    /// Number of matching articles.
    pub total: usize,
    /// The best hits, best first.
    pub hits: Vec<Hit>,
}

/// An open corpus index, ready for many searches.
pub struct Searcher {
    reader: IndexReader,
    fields: Fields,
    _index: Index,
    /// The store, for the entity links of `--entity` / `--speaker` (one connection:
    /// rusqlite connections are not shared between threads).
    db: std::sync::Mutex<rusqlite::Connection>,
}

impl Searcher {
    /// Opens the index of the corpus in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Searcher> {
        let dir = dir.as_ref();
        let idx_dir = dir.join(INDEX_DIR);
        if !idx_dir.is_dir() {
            return Err(Error::Corpus(format!("{}: no corpus here", dir.display())));
        }
        // Refuses an index built with another analyzer version.
        let db = crate::Corpus::open_existing(dir)?.db;
        let index = open_index(&idx_dir)?;
        let fields = Fields::from_schema(&index.schema())?;
        // Load the analyzer's lexicon now, not inside the first search.
        corpus_query_terms("تهيئة");
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Searcher {
            reader,
            fields,
            _index: index,
            db: std::sync::Mutex::new(db),
        })
    }

    /// Number of searchable articles.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Runs a search.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let start = Instant::now();
        let f = self.fields;
        let (words, phrases) = split_query(&req.query);
        let text_fields = TextFields {
            title: Some((f.title, TITLE_BOOST)),
            body: f.body,
            lead: Some(f.lead),
        };
        let mut clauses = text_clauses(text_fields, Ranking::KHABAR, &corpus_query_terms(&words));
        for p in &phrases {
            let terms = corpus_query_terms(p);
            if terms.is_empty() {
                continue;
            }
            clauses.push((
                Occur::Must,
                both_fields(f, |field| phrase_query(field, &terms)),
            ));
        }
        let scored = !clauses.is_empty();
        // Text with nothing searchable in it ("؟", "...") matches nothing, not everything.
        let nothing = !scored && !req.query.trim().is_empty();
        // The text part is one required clause: beside the filters' Must clauses, loose
        // Should clauses would become optional and the filters alone would match.
        // (Without filters the clauses stay flat, which keeps tantivy's block-max pruning.)
        let has_filters = req.entity.is_some()
            || req.speaker.is_some()
            || req.source.is_some()
            || req.from.is_some()
            || req.to.is_some();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = if scored && has_filters {
            vec![(Occur::Must, Box::new(BooleanQuery::new(clauses)))]
        } else {
            clauses
        };
        for (field, value, what) in [
            (f.entities, &req.entity, "entity"),
            (f.speakers, &req.speaker, "speaker"),
        ] {
            if let Some(name) = value {
                let terms = corpus_query_terms(name);
                if terms.is_empty() {
                    return Err(Error::Query(format!(
                        "{what} {name:?} has no searchable words"
                    )));
                }
                let linked = {
                    let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
                    crate::entities::linked_articles(&db, name, what == "speaker")?
                };
                let by_words = phrase_query(field, &terms);
                let q = match linked {
                    Some(ids) if !ids.is_empty() => {
                        let ids = ids.iter().map(|id| Term::from_field_text(f.id, id));
                        Box::new(BooleanQuery::new(vec![
                            (Occur::Should, by_words),
                            (Occur::Should, Box::new(TermSetQuery::new(ids))),
                        ])) as Box<dyn Query>
                    }
                    _ => by_words,
                };
                clauses.push((Occur::Must, filter(q)));
            }
        }
        if let Some(s) = &req.source {
            let t = Term::from_field_text(f.source_key, &source_key(s));
            clauses.push((
                Occur::Must,
                filter(Box::new(TermQuery::new(t, IndexRecordOption::Basic))),
            ));
        }
        if req.from.is_some() || req.to.is_some() {
            let bound = |v: &Option<String>, what: &str| -> Result<Bound<Term>> {
                Ok(match crate::dates::date_argument(v, what)? {
                    None => Bound::Unbounded,
                    Some(d) => Bound::Included(Term::from_field_i64(f.day, d.day)),
                })
            };
            let q = RangeQuery::new(bound(&req.from, "from")?, bound(&req.to, "to")?);
            clauses.push((Occur::Must, filter(Box::new(q))));
        }
        if nothing {
            return Ok(SearchResults {
                query: req.query.clone(),
                took_ms: start.elapsed().as_secs_f64() * 1000.0,
                total: 0,
                hits: Vec::new(),
            });
        }
        if !scored {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        let query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        let searcher = self.reader.searcher();
        let limit = req.limit.max(1);
        let (top, total) = searcher.search(
            &*query,
            &(TopDocs::with_limit(limit).order_by_score(), Count),
        )?;
        let mut gen = SnippetGenerator::create(&searcher, &*query, f.body)?;
        let chars = if req.snippet_chars == 0 {
            200
        } else {
            req.snippet_chars
        };
        gen.set_max_num_chars(chars);
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let body = text(f.body).unwrap_or_default();
            // The snippet generator re-analyzes (and lowercases) what it is given, which is
            // most of a search's time: it reads the opening SNIPPET_SCAN chars first, where
            // a relevant article nearly always has its matches, and the whole body only
            // when they hold none.
            let mut snip = match body.char_indices().nth(SNIPPET_SCAN) {
                Some((cut, _)) => gen.snippet(&body[..cut]),
                None => gen.snippet(&body),
            };
            if snip.is_empty() && body.chars().nth(SNIPPET_SCAN).is_some() {
                snip = gen.snippet(&body);
            }
            let (fragment, highlights, snippet) = if snip.is_empty() {
                let lead: String = body.chars().take(chars).collect();
                (lead.clone(), Vec::new(), html_escape(&lead))
            } else {
                (
                    snip.fragment().to_string(),
                    snip.highlighted().to_vec(),
                    snip.to_html(),
                )
            };
            hits.push(Hit {
                id: text(f.id).unwrap_or_default(),
                score,
                title: text(f.title).unwrap_or_default(),
                source: text(f.source),
                date: text(f.date),
                snippet,
                story: None,
                fragment,
                highlights,
            });
        }
        if !hits.is_empty() {
            let db = self.db.lock().unwrap_or_else(|p| p.into_inner());
            let mut st =
                db.prepare_cached("SELECT story_id FROM story_articles WHERE article_id = ?1")?;
            for h in &mut hits {
                use rusqlite::OptionalExtension;
                h.story = st.query_row([&h.id], |r| r.get(0)).optional()?;
            }
        }
        Ok(SearchResults {
            query: req.query.clone(),
            took_ms: start.elapsed().as_secs_f64() * 1000.0,
            total,
            hits,
        })
    }
}

/// Splits a query into free words and quoted phrases.
fn split_query(q: &str) -> (String, Vec<String>) {
    let mut words = String::new();
    let mut phrases = Vec::new();
    let mut cur = String::new();
    let mut in_phrase = false;
    for c in q.chars() {
        let open = matches!(c, '"' | '“' | '«') && !in_phrase;
        let close = matches!(c, '"' | '”' | '»') && in_phrase;
        if open || close {
            if in_phrase {
                phrases.push(std::mem::take(&mut cur));
            } else {
                words.push_str(&cur);
                words.push(' ');
                cur.clear();
            }
            in_phrase = !in_phrase;
        } else {
            cur.push(c);
        }
    }
    // An unclosed quote: its words count as free words.
    words.push_str(&cur);
    (words, phrases)
}

fn phrase_query(field: Field, terms: &[QueryTerm]) -> Box<dyn Query> {
    if terms.len() == 1 {
        return Box::new(TermQuery::new(
            Term::from_field_text(field, &terms[0].key),
            IndexRecordOption::WithFreqs,
        ));
    }
    let first = terms[0].position;
    let with_offsets = terms
        .iter()
        .map(|t| (t.position - first, Term::from_field_text(field, &t.key)))
        .collect();
    Box::new(PhraseQuery::new_with_offset(with_offsets))
}

/// The query on the title (boosted) or the body.
fn both_fields(f: Fields, q: impl Fn(Field) -> Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Should,
            Box::new(BoostQuery::new(q(f.title), TITLE_BOOST)),
        ),
        (Occur::Should, q(f.body)),
    ]))
}

fn filter(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_phrases() {
        let (w, p) = split_query("القوات \"وزير الخارجية\" سوريا «مجلس الأمن»");
        assert!(w.contains("القوات") && w.contains("سوريا"));
        assert_eq!(p, ["وزير الخارجية", "مجلس الأمن"]);
        let (w, p) = split_query("\"غير مغلق");
        assert!(p.is_empty());
        assert!(w.contains("مغلق"));
    }
}
