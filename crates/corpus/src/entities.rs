//! Entities across articles, as linked at index time (see `linking`): listing, profiles,
//! name lookup, and "what did X say about Y".

use crate::analyzer::corpus_query_terms;
use crate::{Corpus, Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

/// The entity types a corpus holds.
pub const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

/// One spelling of an entity with its number of mentions.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Variant {
    /// The spelling as written in the articles.
    pub text: String,
    /// Mentions with this spelling.
    pub count: u64,
}

/// A corpus entity: the `khabar entities` NDJSON record.
#[derive(Debug, Clone, Serialize)]
pub struct EntityRecord {
    /// Stable id (assigned when the entity was first seen).
    pub id: u64,
    /// The most frequent full form.
    pub name: String,
    /// PER, ORG, LOC or MISC.
    #[serde(rename = "type")]
    pub kind: String,
    /// Spellings, most frequent first.
    pub variants: Vec<Variant>,
    /// Articles mentioning it.
    pub articles: u64,
    /// Date of the first article mentioning it (articles without a date do not count).
    pub first: Option<String>,
    /// Date of the last article mentioning it.
    pub last: Option<String>,
}

/// A candidate entity for a name a user typed.
#[derive(Debug, Clone, Serialize)]
pub struct EntityMatch {
    /// Entity id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Articles mentioning it.
    pub articles: u64,
    /// How well the typed name matches (1: one of its spellings).
    pub score: f64,
}

/// The short form of an entity inside other records.
#[derive(Debug, Clone, Serialize)]
pub struct EntityRef {
    /// Entity id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Articles counted for the relation (co-occurrence) or overall.
    pub articles: u64,
}

/// A quotation found through entity links.
#[derive(Debug, Clone, Serialize)]
pub struct QuoteRecord {
    /// Article id.
    pub article: String,
    /// Headline.
    pub title: String,
    /// Normalized date.
    pub date: Option<String>,
    /// Outlet.
    pub source: Option<String>,
    /// direct or indirect.
    pub kind: String,
    /// The reporting cue.
    pub cue: String,
    /// What was said.
    pub content: String,
    /// The speaker as the article names them.
    pub speaker: String,
}

/// Articles per day.
#[derive(Debug, Clone, Serialize)]
pub struct DayCount {
    /// The day (YYYY-MM-DD).
    pub day: String,
    /// Articles that day.
    pub articles: u64,
}

/// `khabar entity`: everything the corpus knows about one entity.
#[derive(Debug, Clone, Serialize)]
pub struct EntityProfile {
    /// The entity.
    #[serde(flatten)]
    pub entity: EntityRecord,
    /// Articles per day, oldest first.
    pub days: Vec<DayCount>,
    /// Entities appearing in the same articles, most shared articles first.
    pub cooccurring: Vec<EntityRef>,
    /// Quotations it said, newest first (at most the profile's limit).
    pub said: Vec<QuoteRecord>,
    /// All quotations it said.
    pub said_total: u64,
    /// Quotations of others mentioning it, newest first.
    pub said_about: Vec<QuoteRecord>,
    /// All quotations of others mentioning it.
    pub said_about_total: u64,
    /// The stories it appears in, most of its articles first (at most ten).
    pub stories: Vec<EntityStory>,
}

/// A story an entity appears in.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntityStory {
    /// Story id.
    pub id: i64,
    /// Story title.
    pub title: String,
    /// Articles in the story.
    pub size: u64,
    /// The entity's articles in it.
    pub articles: u64,
    /// First article's date.
    pub first: Option<String>,
}

/// A `khabar said` request.
#[derive(Debug, Clone, Default)]
pub struct SaidRequest {
    /// The speaker: a name in any spelling, or an entity id.
    pub speaker: String,
    /// Only quotations mentioning this entity (any spelling), or containing these words
    /// when it names no entity.
    pub about: Option<String>,
    /// Only articles from this day on.
    pub from: Option<String>,
    /// Only articles up to this day.
    pub to: Option<String>,
    /// Most quotations returned (0: 50).
    pub limit: usize,
}

/// What `about` was read as.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum About {
    /// An entity.
    Entity {
        /// Entity id.
        id: u64,
        /// Its name.
        name: String,
    },
    /// Words searched in the quotations.
    Words {
        /// The words.
        query: String,
    },
}

/// The answer to a [`SaidRequest`].
#[derive(Debug, Clone, Serialize)]
pub struct SaidResults {
    /// The speaker's entity.
    pub speaker: EntityRef,
    /// What the quotations are about, if asked.
    pub about: Option<About>,
    /// Matching quotations.
    pub total: u64,
    /// The newest of them.
    pub quotes: Vec<QuoteRecord>,
    /// Time taken, milliseconds.
    pub took_ms: f64,
}

impl Corpus {
    /// The corpus entities, most articles first; `kind` restricts to one type.
    pub fn entities(&self, kind: Option<&str>, limit: usize) -> Result<Vec<EntityRecord>> {
        let kind = kind.map(check_type).transpose()?;
        let mut st = self.db.prepare(
            "SELECT id FROM corpus_entities WHERE (?1 IS NULL OR type = ?1)
             ORDER BY articles DESC, id LIMIT ?2",
        )?;
        let ids: Vec<i64> = st
            .query_map(params![kind, limit.min(i64::MAX as usize) as i64], |r| {
                r.get(0)
            })?
            .collect::<rusqlite::Result<_>>()?;
        ids.into_iter()
            .filter_map(|id| record(&self.db, id).transpose())
            .collect()
    }

    /// The entities a typed name (any spelling) or an id may mean, best first: spellings
    /// the corpus has seen (score 1), then person names [`khabar_names::score`] matches;
    /// ties go to the entity with most articles.
    pub fn resolve_entity(&self, name: &str) -> Result<Vec<EntityMatch>> {
        resolve(&self.db, name)
    }

    /// The profile of the entity `name` (any spelling) or id means; `limit` bounds the
    /// quotation lists.
    pub fn entity_profile(&self, name: &str, limit: usize) -> Result<EntityProfile> {
        let best = best_match(&self.db, name)?;
        let id = best.id as i64;
        let entity =
            record(&self.db, id)?.ok_or_else(|| Error::Query(format!("no entity with id {id}")))?;
        let days = self
            .db
            .prepare_cached(
                "SELECT substr(a.date, 1, 10) AS d, count(DISTINCT a.id)
                 FROM entities e JOIN articles a ON a.id = e.article_id
                 WHERE e.entity_id = ?1 AND a.date IS NOT NULL GROUP BY d ORDER BY d",
            )?
            .query_map([id], |r| {
                Ok(DayCount {
                    day: r.get(0)?,
                    articles: r.get::<_, i64>(1)? as u64,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let cooccurring = self
            .db
            .prepare_cached(
                "WITH arts AS (SELECT DISTINCT article_id FROM entities WHERE entity_id = ?1)
                 SELECT c.id, c.name, c.type, count(DISTINCT e.article_id) AS n
                 FROM arts JOIN entities e ON e.article_id = arts.article_id
                 JOIN corpus_entities c ON c.id = e.entity_id
                 WHERE e.entity_id != ?1
                 GROUP BY c.id ORDER BY n DESC, c.id LIMIT 20",
            )?
            .query_map([id], |r| {
                Ok(EntityRef {
                    id: r.get::<_, i64>(0)? as u64,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    articles: r.get::<_, i64>(3)? as u64,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let (said, said_total) =
            quotes(&self.db, "q.speaker_id = ?1", "", params![id], limit, None)?;
        let (said_about, said_about_total) = quotes(
            &self.db,
            "EXISTS (SELECT 1 FROM quote_about b WHERE b.entity_id = ?1
                     AND b.article_id = q.article_id AND b.idx = q.idx)",
            "",
            params![id],
            limit,
            None,
        )?;
        let stories = self
            .db
            .prepare_cached(
                "SELECT s.id, s.title, s.size, count(DISTINCT e.article_id) AS n, s.first
                 FROM entities e JOIN story_articles sa ON sa.article_id = e.article_id
                 JOIN stories s ON s.id = sa.story_id
                 WHERE e.entity_id = ?1 GROUP BY s.id ORDER BY n DESC, s.first, s.id LIMIT 10",
            )?
            .query_map([entity.id as i64], |r| {
                Ok(EntityStory {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    size: r.get::<_, i64>(2)? as u64,
                    articles: r.get::<_, i64>(3)? as u64,
                    first: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(EntityProfile {
            entity,
            days,
            cooccurring,
            said,
            said_total,
            said_about,
            said_about_total,
            stories,
        })
    }

    /// "What did X say about Y": the quotations whose speaker is linked to the entity
    /// `speaker` names, restricted to those mentioning the entity `about` names — or, when
    /// `about` names no entity, containing its words (khabar's Arabic analyzer: any clitic
    /// or hamza spelling).
    pub fn said(&self, req: &SaidRequest) -> Result<SaidResults> {
        let start = std::time::Instant::now();
        let speaker = best_match(&self.db, &req.speaker)?;
        let day = |v: &Option<String>, what: &str| -> Result<Option<i64>> {
            Ok(crate::dates::date_argument(v, what)?.map(|d| d.day))
        };
        let (from, to) = (day(&req.from, "from")?, day(&req.to, "to")?);
        let dates = "(?2 IS NULL OR a.day >= ?2) AND (?3 IS NULL OR a.day <= ?3)";
        let limit = if req.limit == 0 { 50 } else { req.limit };
        let sid = speaker.id as i64;
        let about = match req.about.as_deref().map(str::trim) {
            None => None,
            Some("") => return Err(Error::Query("--about: empty".into())),
            Some(y) => Some(match resolve(&self.db, y)?.into_iter().next() {
                Some(m) => About::Entity {
                    id: m.id,
                    name: m.name,
                },
                None => About::Words {
                    query: y.to_string(),
                },
            }),
        };
        let (quotes, total) = match &about {
            None => quotes(
                &self.db,
                "q.speaker_id = ?1",
                dates,
                params![sid, from, to],
                limit,
                None,
            )?,
            Some(About::Entity { id, .. }) => quotes(
                &self.db,
                "q.speaker_id = ?1 AND EXISTS (SELECT 1 FROM quote_about b
                   WHERE b.entity_id = ?4 AND b.article_id = q.article_id AND b.idx = q.idx)",
                dates,
                params![sid, from, to, *id as i64],
                limit,
                None,
            )?,
            Some(About::Words { query }) => {
                let keys: Vec<String> = corpus_query_terms(query)
                    .into_iter()
                    .map(|t| t.key)
                    .collect();
                if keys.is_empty() {
                    return Err(Error::Query(format!(
                        "--about {query:?} has no searchable words"
                    )));
                }
                quotes(
                    &self.db,
                    "q.speaker_id = ?1",
                    dates,
                    params![sid, from, to],
                    limit,
                    Some(&keys),
                )?
            }
        };
        Ok(SaidResults {
            speaker: EntityRef {
                id: speaker.id,
                name: speaker.name,
                kind: speaker.kind,
                articles: speaker.articles,
            },
            about,
            total,
            quotes,
            took_ms: start.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

/// The articles mentioning the entity `name` means (any spelling), and the articles
/// quoting it; `None` when the name means no entity.
pub(crate) fn linked_articles(
    db: &Connection,
    name: &str,
    as_speaker: bool,
) -> Result<Option<Vec<String>>> {
    let Some(m) = resolve(db, name)?.into_iter().next() else {
        return Ok(None);
    };
    let sql = if as_speaker {
        "SELECT DISTINCT article_id FROM quotes WHERE speaker_id = ?1"
    } else {
        "SELECT DISTINCT article_id FROM entities WHERE entity_id = ?1"
    };
    let ids = db
        .prepare_cached(sql)?
        .query_map([m.id as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(ids))
}

fn check_type(kind: &str) -> Result<String> {
    let up = kind.trim().to_uppercase();
    if TYPES.contains(&up.as_str()) {
        Ok(up)
    } else {
        Err(Error::Query(format!(
            "--type {kind:?}: expected one of {}",
            TYPES.join(", ")
        )))
    }
}

fn record(db: &Connection, id: i64) -> Result<Option<EntityRecord>> {
    let row = db
        .prepare_cached(
            "SELECT name, type, articles, first, last FROM corpus_entities WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?;
    let Some((name, kind, articles, first, last)) = row else {
        return Ok(None);
    };
    let variants = db
        .prepare_cached(
            "SELECT text, count FROM entity_variants WHERE entity_id = ?1
             ORDER BY count DESC, text",
        )?
        .query_map([id], |r| {
            Ok(Variant {
                text: r.get(0)?,
                count: r.get::<_, i64>(1)? as u64,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(EntityRecord {
        id: id as u64,
        name,
        kind,
        variants,
        articles: articles as u64,
        first,
        last,
    }))
}

fn resolve(db: &Connection, name: &str) -> Result<Vec<EntityMatch>> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Query("empty entity name".into()));
    }
    if name.chars().count() > khabar_names::MAX_CHARS {
        return Err(Error::Query(format!(
            "entity name longer than {} characters",
            khabar_names::MAX_CHARS
        )));
    }
    let row = |r: &rusqlite::Row| -> rusqlite::Result<(i64, String, String, i64)> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    };
    let mut found: Vec<EntityMatch> = Vec::new();
    let mut push = |(id, n, kind, articles): (i64, String, String, i64), score: f64| {
        if !found.iter().any(|m| m.id == id as u64) {
            found.push(EntityMatch {
                id: id as u64,
                name: n,
                kind,
                articles: articles as u64,
                score,
            });
        }
    };
    if name.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(id) = name.parse::<i64>() {
            let hit = db
                .prepare_cached(
                    "SELECT id, name, type, articles FROM corpus_entities WHERE id = ?1",
                )?
                .query_row([id], row)
                .optional()?;
            if let Some(h) = hit {
                push(h, 1.0);
            }
            return Ok(found);
        }
    }
    let folded = khabar_names::fold(name);
    if folded.is_empty() {
        return Ok(Vec::new());
    }
    let exact: Vec<_> = db
        .prepare_cached(
            "SELECT DISTINCT c.id, c.name, c.type, c.articles
             FROM entity_variants v JOIN corpus_entities c ON c.id = v.entity_id
             WHERE v.folded = ?1",
        )?
        .query_map([&folded], row)?
        .collect::<rusqlite::Result<_>>()?;
    for r in exact {
        push(r, 1.0);
    }
    let keyed: Vec<_> = db
        .prepare_cached(
            "SELECT id, name, type, articles FROM corpus_entities
             WHERE key = ?1 AND type = 'PER' ORDER BY articles DESC LIMIT 500",
        )?
        .query_map([khabar_names::block_key(name)], row)?
        .collect::<rusqlite::Result<_>>()?;
    for r in keyed {
        let s = khabar_names::score(name, &r.1);
        if s >= khabar_names::THRESHOLD {
            push(r, s);
        }
    }
    found.sort_by(|a, b| {
        let tier = |m: &EntityMatch| (m.score * 20.0).round() as i64;
        tier(b)
            .cmp(&tier(a))
            .then(b.articles.cmp(&a.articles))
            .then(a.id.cmp(&b.id))
    });
    found.truncate(20);
    Ok(found)
}

fn best_match(db: &Connection, name: &str) -> Result<EntityMatch> {
    resolve(db, name)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Query(format!("no entity in this corpus matches {name:?}")))
}

/// Quotations matching `cond` (and `dates`), newest first: the first `limit` and the total.
/// With `words`, only quotations whose content has all these analyzer keys.
fn quotes(
    db: &Connection,
    cond: &str,
    dates: &str,
    params: &[&dyn rusqlite::ToSql],
    limit: usize,
    words: Option<&[String]>,
) -> Result<(Vec<QuoteRecord>, u64)> {
    let filter = if dates.is_empty() {
        cond.to_string()
    } else {
        format!("{cond} AND {dates}")
    };
    let sql = format!(
        "SELECT q.article_id, a.title, a.date, a.source, q.kind, q.cue, q.content, q.speaker
         FROM quotes q JOIN articles a ON a.id = q.article_id
         WHERE {filter} ORDER BY a.day DESC, q.article_id, q.idx"
    );
    let mut st = db.prepare_cached(&sql)?;
    let mut rows = st.query(params)?;
    let mut out = Vec::new();
    let mut total = 0u64;
    while let Some(r) = rows.next()? {
        let content: String = r.get(6)?;
        if let Some(keys) = words {
            let have: rustc_hash::FxHashSet<String> = corpus_query_terms(&content)
                .into_iter()
                .map(|t| t.key)
                .collect();
            if !keys.iter().all(|k| have.contains(k)) {
                continue;
            }
        }
        total += 1;
        if out.len() < limit {
            out.push(QuoteRecord {
                article: r.get(0)?,
                title: r.get(1)?,
                date: r.get(2)?,
                source: r.get(3)?,
                kind: r.get(4)?,
                cue: r.get(5)?,
                content,
                speaker: r.get(7)?,
            });
        }
    }
    Ok((out, total))
}
